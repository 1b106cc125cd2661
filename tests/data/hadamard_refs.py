#!/usr/bin/python3
"""Independent numpy references for the randomized Hadamard rotation
(core/quant/hadamard.h) and quantize() with QuantConfig::rotation.

  hadamard_refs.py signs   SEED N OUT.f32                 d_j as +-1
  hadamard_refs.py matrix  X.f32 ROWS N SEED OUT.f64      H·D·x / sqrt(b) per row, float64, from the matrix
  hadamard_refs.py quant   X.f32 ROWS N SEED BITS OUT.f32 rotate, fake-quant INT per row, rotate back (float32)
  hadamard_refs.py moments X.f32 OUT.f64                  excess kurtosis and max |x|
  hadamard_refs.py layer   W.f32 X.f32 OUT IN TOKENS SEED BITS OUT.f64
                           the layer method: Y = Qa(X R^T) Qw(W R^T)^T against X W^T, both
                           fake-quant INT per row (W per output channel, X per token);
                           writes [output mse, effective weight Qw(W R^T) R mse]

The signs: d_j = +1 when uniformAt(seed ^ SALT, j) < 0.5, else -1, uniformAt
being the SplitMix64 finalizer of seed + golden * (j + 1), top 24 bits / 2^24.
H is Sylvester's: H_1 = [1], H_2k = [[H_k, H_k], [H_k, -H_k]]; a row of n is cut
into blocks of b, the largest power of two dividing n; b = 1 (odd n) is the
identity, signs included. Raw little-endian arrays.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from int_reference import fake_quant_rows  # noqa: E402

SALT = 0x48616461_6D617264  # "Hadamard"
M64 = (1 << 64) - 1


def uniform_at(seed, index):
    z = (seed + 0x9E3779B97F4A7C15 * (index + 1)) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    z ^= z >> 31
    return (z >> 40) / 16777216.0


def signs(seed, n):
    return np.array([1.0 if uniform_at(seed ^ SALT, j) < 0.5 else -1.0 for j in range(n)], dtype=np.float32)


def block_of(n):
    return n & -n


def sylvester(b):
    h = np.ones((1, 1))
    while h.shape[0] < b:
        h = np.block([[h, h], [h, -h]])
    return h


def rotate_matrix(x, seed):
    """Float64 H·D·x / sqrt(b) with the explicit block-diagonal matrix."""
    n = x.shape[1]
    b = block_of(n)
    if b == 1:
        return x.astype(np.float64)
    h = sylvester(b) / np.sqrt(b)
    y = x.astype(np.float64) * signs(seed, n).astype(np.float64)
    out = np.empty_like(y)
    for k in range(0, n, b):
        out[:, k:k + b] = y[:, k:k + b] @ h.T
    return out


def fwht32(x, b):
    """Butterfly stages h = 1, 2, ... b/2 in float32, rows at once: (u, v) -> (u + v, u - v)."""
    rows, n = x.shape
    y = x.reshape(rows, n // b, b).copy()
    h = 1
    while h < b:
        z = y.reshape(rows, n // b, b // (2 * h), 2, h)
        u, v = z[:, :, :, 0, :].copy(), z[:, :, :, 1, :].copy()
        z[:, :, :, 0, :] = u + v
        z[:, :, :, 1, :] = u - v
        h *= 2
    return y.reshape(rows, n)


def quant(x, seed, bits):
    """Rotate (float32 butterflies), fake-quant symmetric INT per row, rotate back."""
    n = x.shape[1]
    b = block_of(n)
    if b == 1:
        return fake_quant_rows(x, bits)
    d = signs(seed, n)
    norm = np.float32(1.0 / np.sqrt(float(b)))
    r = (fwht32(x * d, b) * norm).astype(np.float32)
    # The float32 butterflies are the matrix product up to float rounding.
    exact = rotate_matrix(x, seed)
    assert np.max(np.abs(r - exact)) <= 1e-5 * max(1.0, np.abs(x).sum(axis=1).max()), "fwht32 vs matrix"
    q = fake_quant_rows(r, bits)
    return (fwht32(q, b) * (d * norm)).astype(np.float32)


def rotate32(x, seed, inverse=False):
    n = x.shape[1]
    b = block_of(n)
    d = signs(seed, n)
    norm = np.float32(1.0 / np.sqrt(float(b)))
    if inverse:
        return (fwht32(x, b) * (d * norm)).astype(np.float32)
    return (fwht32(x * d, b) * norm).astype(np.float32)


def layer(w, x, seed, bits):
    qw = fake_quant_rows(rotate32(w, seed), bits)
    qa = fake_quant_rows(rotate32(x, seed), bits)
    y = qa.astype(np.float64) @ qw.astype(np.float64).T
    y_ref = x.astype(np.float64) @ w.astype(np.float64).T
    w_eff = rotate32(qw, seed, inverse=True)
    return np.array([np.mean((y - y_ref) ** 2), np.mean((w_eff.astype(np.float64) - w) ** 2)])


def moments(x):
    x = x.astype(np.float64)
    d = x - x.mean()
    c2 = np.mean(d * d)
    c4 = np.mean(d ** 4)
    return np.array([c4 / (c2 * c2) - 3.0 if c2 > 0 else 0.0, np.abs(x).max()])


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "signs":
        signs(int(args[0]), int(args[1])).tofile(args[2])
    elif cmd == "matrix":
        rows, n = int(args[1]), int(args[2])
        x = np.fromfile(args[0], dtype=np.float32).reshape(rows, n)
        rotate_matrix(x, int(args[3])).tofile(args[4])
    elif cmd == "quant":
        rows, n = int(args[1]), int(args[2])
        x = np.fromfile(args[0], dtype=np.float32).reshape(rows, n)
        quant(x, int(args[3]), int(args[4])).tofile(args[5])
    elif cmd == "layer":
        out, inp, tokens = int(args[2]), int(args[3]), int(args[4])
        w = np.fromfile(args[0], dtype=np.float32).reshape(out, inp)
        x = np.fromfile(args[1], dtype=np.float32).reshape(tokens, inp)
        layer(w, x, int(args[5]), int(args[6])).tofile(args[7])
    elif cmd == "moments":
        moments(np.fromfile(args[0], dtype=np.float32)).tofile(args[1])
    else:
        raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
