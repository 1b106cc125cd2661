"""Shared helpers for the fixture generators: every generator writes its files
plus a manifest.json listing, per file, each tensor's name, shape, stored
dtype and a .f32 file holding the expected float32 values (row-major,
little-endian) computed independently with NumPy/PyTorch."""
import json
import os
import sys

import numpy as np


class Manifest:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        os.makedirs(out_dir, exist_ok=True)
        self.files = []
        self._count = 0

    def path(self, name):
        p = os.path.join(self.out_dir, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    def add(self, file, tensors, metadata=None, fmt=None):
        """tensors: list of (name, expected ndarray castable to float32, stored dtype)."""
        entries = []
        for name, expected, dtype in tensors:
            exp = np.asarray(expected, dtype=np.float32)  # (ascontiguousarray would make 0-d arrays 1-d)
            self._count += 1
            ref = "expected_%04d.f32" % self._count
            np.ascontiguousarray(exp).astype("<f4").tofile(os.path.join(self.out_dir, ref))
            entries.append({"name": name, "shape": list(exp.shape), "dtype": dtype, "expected": ref})
        self.files.append({"file": file, "format": fmt, "tensors": entries, "metadata": metadata or {}})

    def write(self):
        with open(os.path.join(self.out_dir, "manifest.json"), "w") as f:
            json.dump({"files": self.files}, f, indent=1)


def out_dir_from_argv():
    if len(sys.argv) != 2:
        sys.exit("usage: %s OUT_DIR" % sys.argv[0])
    return sys.argv[1]
