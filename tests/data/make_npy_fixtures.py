"""Writes .npy and .npz fixtures with NumPy (see fixture_common.py)."""
import numpy as np

from fixture_common import Manifest, out_dir_from_argv

m = Manifest(out_dir_from_argv())
rng = np.random.default_rng(1234)


def save(name, arr, dtype_name, version=None, expected=None):
    path = m.path(name)
    if version is None:
        np.save(path, arr)
    else:
        with open(path, "wb") as f:
            np.lib.format.write_array(f, arr, version=version)
    exp = arr if expected is None else expected
    stem = name.rsplit("/", 1)[-1][:-4]
    m.add(name, [(stem, np.asarray(exp).astype(np.float32), dtype_name)], fmt="npy")


save("f32_c.npy", rng.standard_normal((3, 5)).astype("<f4"), "float32")
save("f32_fortran.npy", np.asfortranarray(rng.standard_normal((4, 6)).astype("<f4")), "float32")
save("f32_fortran3d.npy", np.asfortranarray(rng.standard_normal((2, 3, 4)).astype("<f4")), "float32")
save("f64_fortran4d.npy", np.asfortranarray(rng.standard_normal((2, 3, 2, 5))), "float64")
# Every float16 bit pattern, as a 256 x 256 matrix.
save("f16_all.npy", np.arange(65536, dtype=np.uint16).view("<f2").reshape(256, 256), "float16")
save("f64.npy", rng.standard_normal((7,)) * 1e3, "float64")
save("i1.npy", np.arange(-128, 128, dtype="|i1").reshape(16, 16), "int8")
save("u1.npy", np.arange(256, dtype="|u1").reshape(2, 128), "uint8")
save("i2.npy", rng.integers(-32768, 32767, (5, 3), dtype="<i2"), "int16")
save("u2.npy", rng.integers(0, 65535, (4, 4), dtype="<u2"), "uint16")
save("i4.npy", rng.integers(-2**31, 2**31 - 1, (6, 2), dtype="<i4"), "int32")
save("i8.npy", rng.integers(-2**62, 2**62, (3, 3), dtype="<i8"), "int64")
save("u8.npy", rng.integers(0, 2**63, (3,), dtype="<u8"), "uint64")
save("b1.npy", rng.integers(0, 2, (4, 5)).astype("|b1"), "bool")
save("be_f4.npy", rng.standard_normal((3, 4)).astype(">f4"), "float32")
save("be_f2.npy", rng.standard_normal((3, 4)).astype(">f2"), "float16")
save("be_i2.npy", rng.integers(-32768, 32767, (5, 3), dtype="<i2").astype(">i2"), "int16")
save("be_f8_fortran.npy", np.asfortranarray(rng.standard_normal((3, 4)).astype(">f8")), "float64")
save("scalar.npy", np.array(3.5, dtype="<f4"), "float32")
save("empty.npy", np.zeros((0, 3), dtype="<f4"), "float32")
save("v2.npy", rng.standard_normal((2, 3)).astype("<f4"), "float32", version=(2, 0))
save("v3.npy", rng.standard_normal((2, 3)).astype("<f2"), "float16", version=(3, 0))

# .npz: stored and deflated, names with '/' and '.'.
arrays = {
    "layer.0/weight": rng.standard_normal((8, 4)).astype("<f4"),
    "layer.0/bias": rng.standard_normal((8,)).astype("<f2"),
    "a.b.c": np.asfortranarray(rng.standard_normal((3, 5)).astype("<f8")),
    "codes": rng.integers(-128, 127, (4, 4), dtype="|i1"),
}
dtypes = {"layer.0/weight": "float32", "layer.0/bias": "float16", "a.b.c": "float64", "codes": "int8"}
for fname, fn in [("stored.npz", np.savez), ("deflated.npz", np.savez_compressed)]:
    fn(m.path(fname), **arrays)
    m.add(fname, [(k, v.astype(np.float32), dtypes[k]) for k, v in arrays.items()], fmt="npz")
big = rng.standard_normal((300, 200)).astype("<f4")
np.savez_compressed(m.path("big_deflated.npz"), big=big)
m.add("big_deflated.npz", [("big", big, "float32")], fmt="npz")
m.write()
