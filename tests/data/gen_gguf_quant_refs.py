"""Reference bytes for tests/core/gguf_blocks_test.cpp: llama.cpp's
quantize_row_{q8_0,q4_0,q4_1,q5_0,q5_1}_ref re-implemented in NumPy float32
arithmetic (no fused multiply-add), block by block, vectorised.

usage: gen_gguf_quant_refs.py OUTDIR -> input.f32 and <type>.bin
"""
import os
import sys

import numpy as np

f32 = np.float32


def blocks_input(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((400, 32)).astype(f32)
    x[::7] *= f32(1e3)                      # wide blocks
    x[1::9] *= f32(1e-4)                    # tiny blocks
    x[2::11] = f32(0)                       # all-zero blocks
    x[3::13] = f32(0.75)                    # constant blocks
    x[4::17, 5] = f32(-40)                  # one negative outlier
    x[5::19] = np.round(x[5::19] * 4) / 4  # values on a coarse grid: many exact ties
    return x.astype(f32)


def safe_inverse(d):
    return np.where(d != 0, f32(1) / np.where(d != 0, d, f32(1)), f32(0)).astype(f32)


def c_roundf(v):
    t = np.trunc(v)
    return t + np.where(np.abs(v - t) >= f32(0.5), np.sign(v), f32(0))


def half_bytes(v):
    return np.asarray(v, np.float32).astype(np.float16).view(np.uint8).reshape(-1, 2)


def signed_max(x):
    idx = np.abs(x).argmax(axis=1)  # first index of the largest |x|, as llama.cpp's strict '<'
    return x[np.arange(len(x)), idx]


def first_min_max(x):
    """C's 'if (v < min) min = v' keeps the first of equal values (+0 vs -0 matters for fp16 m)."""
    rows = np.arange(len(x))
    return x[rows, x.argmin(axis=1)], x[rows, x.argmax(axis=1)]


def pack_nibbles(q):
    return (q[:, :16] & 0xF) | ((q[:, 16:] & 0xF) << 4)


def high_bits(q):
    bits = ((q >> 4) & 1).astype(np.uint64)
    return (bits << np.arange(32, dtype=np.uint64)).sum(axis=1).astype("<u4").view(np.uint8).reshape(-1, 4)


def q8_0(x):
    amax = np.abs(x).max(axis=1)
    d = (amax / f32(127)).astype(f32)
    q = c_roundf((x * safe_inverse(d)[:, None]).astype(f32)).astype(np.int8)
    return np.concatenate([half_bytes(d), q.view(np.uint8)], axis=1)


def q4_0(x):
    d = (signed_max(x) / f32(-8)).astype(f32)
    v = ((x * safe_inverse(d)[:, None]).astype(f32) + f32(8.5)).astype(f32)
    q = np.minimum(15, np.trunc(v).astype(np.int8)).astype(np.uint8)
    return np.concatenate([half_bytes(d), pack_nibbles(q)], axis=1)


def q4_1(x):
    mn, mx = first_min_max(x)
    d = ((mx - mn) / f32(15)).astype(f32)
    v = (((x - mn[:, None]).astype(f32) * safe_inverse(d)[:, None]).astype(f32) + f32(0.5)).astype(f32)
    q = np.minimum(15, np.trunc(v).astype(np.int8)).astype(np.uint8)
    return np.concatenate([half_bytes(d), half_bytes(mn), pack_nibbles(q)], axis=1)


def q5_0(x):
    d = (signed_max(x) / f32(-16)).astype(f32)
    v = ((x * safe_inverse(d)[:, None]).astype(f32) + f32(16.5)).astype(f32)
    q = np.minimum(31, np.trunc(v).astype(np.int8)).astype(np.uint8)
    return np.concatenate([half_bytes(d), high_bits(q), pack_nibbles(q)], axis=1)


def q5_1(x):
    mn, mx = first_min_max(x)
    d = ((mx - mn) / f32(31)).astype(f32)
    v = (((x - mn[:, None]).astype(f32) * safe_inverse(d)[:, None]).astype(f32) + f32(0.5)).astype(f32)
    q = np.trunc(v).astype(np.uint8)
    return np.concatenate([half_bytes(d), half_bytes(mn), high_bits(q), pack_nibbles(q)], axis=1)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    x = blocks_input(2024)
    x.reshape(-1).tofile(os.path.join(out, "input.f32"))
    for name, fn in (("q8_0", q8_0), ("q4_0", q4_0), ("q4_1", q4_1), ("q5_0", q5_0), ("q5_1", q5_1)):
        fn(x).astype(np.uint8).tofile(os.path.join(out, name + ".bin"))


if __name__ == "__main__":
    main()
