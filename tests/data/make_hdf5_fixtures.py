"""HDF5 fixtures with h5py: nested groups, gzip-chunked datasets, float16,
a bfloat16 custom float type, big-endian data, integers, bool, a scalar,
attributes, non-numeric datasets (skipped), and a Keras-style weight file."""
import h5py
import numpy as np
import torch

from fixture_common import Manifest, out_dir_from_argv

m = Manifest(out_dir_from_argv())
rng = np.random.default_rng(99)

expected = []
with h5py.File(m.path("nested.h5"), "w") as f:
    f.attrs["title"] = "quantscope fixture"
    f.attrs["version"] = 3
    f.attrs["scale"] = 0.5
    f.attrs["dims"] = np.array([2, 3, 4], dtype=np.int32)
    w = rng.standard_normal((64, 48)).astype(np.float32)
    d = f.create_dataset("encoder/layer0/weight", data=w, chunks=(16, 16), compression="gzip", compression_opts=6)
    d.attrs["units"] = "none"
    d.attrs["fan_in"] = np.int64(48)
    expected.append(("encoder/layer0/weight", w, "float32"))
    h = rng.standard_normal((10, 7)).astype(np.float16)
    f.create_dataset("encoder/layer0/half", data=h)
    expected.append(("encoder/layer0/half", h.astype(np.float32), "float16"))
    allh = np.arange(65536, dtype=np.uint16).view(np.float16).reshape(256, 256)
    f.create_dataset("all_half", data=allh, chunks=(32, 256), compression="gzip")
    expected.append(("all_half", allh.astype(np.float32), "float16"))
    dd = rng.standard_normal((5, 3, 2))
    f.create_dataset("encoder/double", data=dd)
    expected.append(("encoder/double", dd.astype(np.float32), "float64"))
    be = rng.standard_normal((4, 4)).astype(">f4")
    f.create_dataset("bigendian", data=be)
    expected.append(("bigendian", be.astype(np.float32), "float32"))
    for name, arr in [("ints/i8", rng.integers(-128, 127, (3, 4)).astype(np.int8)),
                      ("ints/u8", rng.integers(0, 255, (3, 4)).astype(np.uint8)),
                      ("ints/i16", rng.integers(-30000, 30000, (6,)).astype(np.int16)),
                      ("ints/i32", rng.integers(-2**31, 2**31 - 1, (2, 2)).astype(np.int32)),
                      ("ints/i64", rng.integers(-2**40, 2**40, (2, 3)).astype(np.int64))]:
        f.create_dataset(name, data=arr)
        expected.append((name, arr.astype(np.float32), str(arr.dtype)))
    b = rng.integers(0, 2, (3, 3)).astype(bool)
    f.create_dataset("mask", data=b)
    expected.append(("mask", b.astype(np.float32), "bool"))
    f.create_dataset("scalar", data=np.float32(1.25))
    expected.append(("scalar", np.float32(1.25), "float32"))
    # bfloat16 as an HDF5 custom float: sign 15, exponent 7..14 (bias 127), mantissa 0..6.
    bt = h5py.h5t.IEEE_F32LE.copy()
    bt.set_fields(15, 7, 8, 0, 7)
    bt.set_size(2)
    bt.set_ebias(127)
    bf = torch.tensor(rng.standard_normal((4, 5)), dtype=torch.float32).bfloat16()
    bits = bf.view(torch.int16).numpy().view(np.uint16)
    sid = h5py.h5s.create_simple((4, 5))
    did = h5py.h5d.create(f.id, b"bf16", bt, sid)
    did.write(h5py.h5s.ALL, h5py.h5s.ALL, bits, mtype=bt)
    expected.append(("bf16", bf.float().numpy(), "bfloat16"))
    # Not numeric: skipped, but named in the file metadata.
    f.create_dataset("labels", data=np.array([b"a", b"bc"]))
m.add("nested.h5", expected, metadata={"title": "quantscope fixture", "version": "3", "scale": "0.5",
                                       "dims": "[2, 3, 4]"}, fmt="hdf5")

# Keras 2 style weights: model_weights/<layer>/<layer>/kernel:0 with layer_names attributes.
with h5py.File(m.path("keras_weights.h5"), "w") as f:
    f.attrs["keras_version"] = "2.11.0"
    f.attrs["backend"] = "tensorflow"
    mw = f.create_group("model_weights")
    mw.attrs["layer_names"] = np.array([b"dense", b"dense_1"])
    k0 = rng.standard_normal((8, 16)).astype(np.float32)
    b0 = rng.standard_normal((16,)).astype(np.float32)
    k1 = rng.standard_normal((16, 4)).astype(np.float32)
    mw.create_dataset("dense/dense/kernel:0", data=k0)
    mw.create_dataset("dense/dense/bias:0", data=b0)
    mw.create_dataset("dense_1/dense_1/kernel:0", data=k1)
m.add("keras_weights.h5", [("model_weights/dense/dense/bias:0", b0, "float32"),
                           ("model_weights/dense/dense/kernel:0", k0, "float32"),
                           ("model_weights/dense_1/dense_1/kernel:0", k1, "float32")],
      metadata={"keras_version": "2.11.0", "backend": "tensorflow",
                "model_weights/layer_names": "[dense, dense_1]"}, fmt="hdf5")
m.write()
