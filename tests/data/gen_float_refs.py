"""Reference casts for tests/core/{half_bf16,float_format}_test.cpp.

usage: gen_float_refs.py torch OUTDIR   -> input.f32, torch_half.f32, torch_bf16.f32
       gen_float_refs.py narrow OUTDIR  -> input_narrow.f32, <format>.f32 for the FP8/FP6/FP4 formats
       gen_float_refs.py mx OUTDIR      -> input_mx.f32, mx_<element>.f32 (dequantized) and
                                           mx_<element>.scale (E8M0 codes), OCP MX v1.0 section 6.3

The 'torch' mode uses PyTorch's own casts. PyTorch 1.13 (Debian) has no
float8 dtypes, so 'narrow' computes FP8/FP6/FP4 by brute force instead: it
enumerates every code's value from the spec's bit layout and picks the
nearest value for each input, ties to the even code, saturating at the
largest finite value. That search shares no code with the C++ bit tricks.
Float32 values are written as little-endian uint32 bit patterns.
"""
import os
import sys

import numpy as np


def random_input(seed):
    rng = np.random.default_rng(seed)
    parts = [
        rng.standard_normal(100000).astype(np.float32),
        (rng.standard_normal(50000) * 1e4).astype(np.float32),
        (rng.standard_normal(50000) * 1e-5).astype(np.float32),
        rng.integers(0, 2**32, 100000, dtype=np.uint64).astype(np.uint32).view(np.float32),
        np.array([0.0, -0.0, 65504.0, 65520.0, 65519.99, -65520.0, 2.0**-24, 2.0**-25, 3 * 2.0**-25,
                  np.inf, -np.inf, 3.3895314e38, 3.4028235e38], dtype=np.float32),
    ]
    return np.concatenate(parts)


def torch_mode(out):
    import torch  # a missing torch must fail the test

    x = random_input(1234)
    finite = np.where(np.isnan(x), np.float32(0), x)  # NaN payloads are checked in C++
    t = torch.from_numpy(finite)
    half = t.half().float().numpy()
    bf16 = t.bfloat16().float().numpy()
    x.view(np.uint32).tofile(os.path.join(out, "input.f32"))
    np.where(np.isnan(x), np.float32(np.nan), half).astype(np.float32).view(np.uint32).tofile(
        os.path.join(out, "torch_half.f32"))
    np.where(np.isnan(x), np.float32(np.nan), bf16).astype(np.float32).view(np.uint32).tofile(
        os.path.join(out, "torch_bf16.f32"))


# name: (exponent bits, mantissa bits, bias, nan rule)
NARROW = {
    "fp8_e4m3": (4, 3, 7, "ones"),        # S.1111.111 is NaN, no inf
    "fp8_e5m2": (5, 2, 15, "ieee"),       # all-ones exponent is inf/NaN
    "fp8_e4m3fnuz": (4, 3, 8, "negzero"),  # 0x80 is NaN
    "fp8_e5m2fnuz": (5, 2, 16, "negzero"),
    "fp6_e3m2": (3, 2, 3, "none"),
    "fp6_e2m3": (2, 3, 1, "none"),
    "fp4_e2m1": (2, 1, 1, "none"),
}


def positive_table(e, m, bias, rule):
    """(value, code) for every finite non-negative code."""
    rows = []
    for code in range(1 << (e + m)):
        E, M = code >> m, code & ((1 << m) - 1)
        if rule == "ieee" and E == (1 << e) - 1:
            continue
        if rule == "ones" and E == (1 << e) - 1 and M == (1 << m) - 1:
            continue
        if E == 0:
            v = M * 2.0 ** (1 - bias - m)
        else:
            v = (1 + M / 2.0**m) * 2.0 ** (E - bias)
        rows.append((v, code))
    return rows


def nearest_even_code(a, rows):
    """Nearest finite value to each |a| (a 1-D float64 array), ties to the even code."""
    vals = np.array([r[0] for r in rows])
    codes = np.array([r[1] for r in rows])
    dist = np.abs(a[:, None] - vals[None, :])
    cand = dist == dist.min(axis=1, keepdims=True)
    even = cand & (codes[None, :] % 2 == 0)
    pick = np.where(even.any(axis=1), np.argmax(even, axis=1), np.argmax(cand, axis=1))
    return np.where(a > vals.max(), vals.max(), vals[pick])


def narrow_mode(out):
    rng = np.random.default_rng(99)
    x = np.concatenate([
        rng.standard_normal(40000).astype(np.float32) * np.float32(4),
        (rng.standard_normal(20000) * 300).astype(np.float32),
        (rng.standard_normal(20000) * 0.01).astype(np.float32),
    ])
    x.view(np.uint32).tofile(os.path.join(out, "input_narrow.f32"))
    a = np.abs(x.astype(np.float64))
    for name, (e, m, bias, rule) in NARROW.items():
        q = nearest_even_code(a, positive_table(e, m, bias, rule))  # saturating
        res = np.copysign(q, x).astype(np.float32)
        if rule == "negzero":
            res = np.where(res == 0, np.float32(0), res)
        res.view(np.uint32).tofile(os.path.join(out, name + ".f32"))


MX_ELEMENTS = {  # name: (spec row of NARROW or None for INT8, emax)
    "fp8_e4m3": ("fp8_e4m3", 8), "fp8_e5m2": ("fp8_e5m2", 15), "fp6_e3m2": ("fp6_e3m2", 4),
    "fp6_e2m3": ("fp6_e2m3", 2), "fp4_e2m1": ("fp4_e2m1", 2), "int8": (None, 0),
}


def mx_mode(out):
    rng = np.random.default_rng(31)
    x = (rng.standard_normal((600, 32)) * np.exp2(rng.integers(-20, 20, (600, 1)))).astype(np.float32)
    x[::10] = 0
    x[1::10, 3] *= 50
    x.reshape(-1).view(np.uint32).tofile(os.path.join(out, "input_mx.f32"))
    amax = np.abs(x).max(axis=1).astype(np.float64)
    amax = np.where(amax == 0, 2.0 ** -126, amax)  # microxcaling: FP32_MIN_NORMAL for an all-zero block
    floor_log2 = np.frexp(amax)[1] - 1
    for name, (spec, emax) in MX_ELEMENTS.items():
        e = np.maximum(floor_log2 - emax, -127)
        v = x.astype(np.float64) / np.exp2(e)[:, None]
        if spec is None:
            q = np.clip(np.round(v * 64), -127, 127) / 64  # np.round: half to even
        else:
            ebits, mbits, bias, rule = NARROW[spec]
            q = np.copysign(nearest_even_code(np.abs(v).reshape(-1), positive_table(ebits, mbits, bias, rule))
                            .reshape(v.shape), v)
        dq = (q * np.exp2(e)[:, None]).astype(np.float32)
        if spec is None:
            dq = np.where(dq == 0, np.float32(0), dq)  # integer zero has no sign
        dq.reshape(-1).view(np.uint32).tofile(os.path.join(out, "mx_" + name + ".f32"))
        (e + 127).astype(np.uint8).tofile(os.path.join(out, "mx_" + name + ".scale"))


def main():
    mode, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    if mode == "torch":
        torch_mode(out)
    elif mode == "narrow":
        narrow_mode(out)
    elif mode == "mx":
        mx_mode(out)
    else:
        raise SystemExit("unknown mode " + mode)


if __name__ == "__main__":
    main()
