#!/usr/bin/python3
"""Layer fixtures for `quantscope-cli layer`: an HDF5 file with two layers
(fc1: W [64, 128], X [2, 96, 128]; conv: 1x1 W [32, 16, 1, 1], X NCHW
[2, 16, 4, 4]) and an independent NumPy reference of the RTN row:
the seeded token split (splitmix64 + Fisher-Yates, as core/layer), int8
per-output-channel symmetric RTN of W, and the output SQNR on the held-out
tokens. Writes OUT/layers.h5 and OUT/expected.json."""
import json
import os
import sys

import h5py
import numpy as np

M64 = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & M64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def below(self, n):
        limit = M64 - M64 % n
        while True:
            r = self.next()
            if r < limit:
                return r % n


def split(tokens, fraction, seed):
    k = int(np.floor(fraction * tokens + 0.5))
    k = min(max(k, 1), tokens - 1)
    perm = list(range(tokens))
    rng = SplitMix64(seed)
    for i in range(tokens - 1, 0, -1):
        j = rng.below(i + 1)
        perm[i], perm[j] = perm[j], perm[i]
    return sorted(perm[:k]), sorted(perm[k:])


def rtn_int8_rows(w):
    amax = np.abs(w).max(axis=1).astype(np.float32)
    scale = np.maximum(amax / np.float32(127), np.finfo(np.float32).eps).astype(np.float32)
    inv = (np.float32(1) / scale).astype(np.float32)
    q = np.clip(np.rint(w * inv[:, None]), -128, 127).astype(np.float32)
    return q * scale[:, None]


def sqnr(y, yq):
    return float(10 * np.log10(np.sum(y * y) / np.sum((y - yq) ** 2)))


out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(5)
w_fc = (0.05 * rng.standard_normal((64, 128))).astype(np.float32)
x_fc = rng.standard_normal((2, 96, 128)).astype(np.float32)
x_fc[..., 7] *= 40.0  # an outlier channel
w_conv = (0.1 * rng.standard_normal((32, 16, 1, 1))).astype(np.float32)
x_conv = rng.standard_normal((2, 16, 4, 4)).astype(np.float32)
with h5py.File(os.path.join(out, "layers.h5"), "w") as f:
    f.create_dataset("fc1/weight", data=w_fc)
    f.create_dataset("fc1/input", data=x_fc)
    f.create_dataset("conv/weight", data=w_conv.astype(np.float16))
    f.create_dataset("conv/input", data=x_conv)

expected = {}
for name, w, x in [("fc1", w_fc, x_fc.reshape(-1, 128)),
                   ("conv", w_conv.astype(np.float16).astype(np.float32).reshape(32, 16),
                    x_conv.transpose(0, 2, 3, 1).reshape(-1, 16))]:
    calib, ev = split(x.shape[0], 0.5, 3)
    xe = x[ev].astype(np.float64)
    y = xe @ w.astype(np.float64).T
    yq = xe @ rtn_int8_rows(w).astype(np.float64).T
    expected[name] = {"calibration_tokens": len(calib), "evaluation_tokens": len(ev),
                      "rtn_int8_channel_sqnr_db": sqnr(y, yq),
                      "outlier_channels": [7] if name == "fc1" else []}
json.dump(expected, open(os.path.join(out, "expected.json"), "w"), indent=1)
