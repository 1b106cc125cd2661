"""Writes the multi-MB files of read_progress_test: a deflated and a stored .npz
(numpy.savez_compressed / numpy.savez), a large .npy, a Fortran-order .npy and
an HDF5 dataset, plus NumPy's own float32 values of the npz members."""
import sys

import h5py
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(20261127)
# Normal values quantised to 1/256 steps: deflate shrinks them but still has
# megabytes to inflate.
w = (np.round(rng.standard_normal((1024, 2048)) * 256) / 256).astype("<f4")  # 8 MiB
h = rng.standard_normal((2048, 1024)).astype("<f2")  # 4 MiB, converted on read
d = rng.standard_normal((1024, 1024)).astype(">f8")  # 8 MiB, big-endian: swapped per chunk
np.savez_compressed(f"{out}/deflated.npz", w=w, h=h, d=d)
np.savez(f"{out}/stored.npz", w=w)
w.tofile(f"{out}/w.f32")
h.astype(np.float32).tofile(f"{out}/h.f32")
d.astype("<f4").tofile(f"{out}/d.f32")
# 64 MiB as float32: four 16 MiB row chunks.
np.save(f"{out}/big.npy", rng.standard_normal((4096, 4096)).astype("<f2"))
np.save(f"{out}/fortran.npy", np.asfortranarray(rng.standard_normal((512, 512)).astype("<f4")))
with h5py.File(f"{out}/big.h5", "w") as f:
    f.create_dataset("x", data=rng.standard_normal((3072, 2048)).astype("<f4"))  # 24 MiB
