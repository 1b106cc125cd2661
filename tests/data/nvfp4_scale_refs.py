"""Independent references for tests/core/nvfp4_test.cpp and scale_format_test.cpp.

usage: nvfp4_scale_refs.py nvfp4 OUTDIR   -> nvfp4_input.f32 (4096 x 4096) and, per rule
                                             (rne, mse, 4over6): nvfp4_<rule>.f32 (dequantized),
                                             nvfp4_<rule>.codes / .scale_codes (uint8),
                                             nvfp4_<rule>.tensor_scale (float32)
       nvfp4_scale_refs.py scales OUTDIR  -> scales_input.f32 and scales_<format>.f32 (stored)
                                             and .codes (uint32) per scale format
       nvfp4_scale_refs.py int8dq OUTDIR  -> int8dq_input.f32, int8dq.stored.f32, int8dq.codes (uint8),
                                             int8dq.absmax.f32, int8dq.offset.f32

Written from the published definitions, sharing no code with the C++:
  NVFP4 (TensorRT Model Optimizer, NVFP4QTensor): s_t = amax / (6 * 448),
    s_b = e4m3(clamp(amax_b / (6 * s_t), 2^-9, 448)) (a zero block: 1), q = e2m1(x / (s_b * s_t)),
    dequantized q * (s_b * s_t), every step in float32; blocks of 16 along the rows.
    E2M1 / E4M3 round half-to-even to a multiple of the binade's quantum (np.round).
    mse: the E4M3 codes within 4 of the RNE code, least sum of squared errors (float64, element
    by element), ties to the RNE code then the lower code. 4over6: s_t = amax / (6 * 256), the
    M=4 candidate is the M=6 block scale * 1.5; M=4 wins only with a strictly smaller error.
  Scale formats: numpy's float16 cast, torch's bfloat16 cast, E4M3 by brute force over every
    code (nearest value, ties to the even code), each then
    clamped into [smallest subnormal, largest finite]; ue8m0 floor/ceil/round from log2 in float64.
  int8dq: a port of bitsandbytes quantize_4bit(compress_statistics=True): offset = mean (float64,
    rounded to float32), blocks of 256 of (absmax - offset), x * (1 / absmax) (x / absmax for the
    short last block), clamp [-1, 1], torch.bucketize on the midpoints of create_dynamic_map
    (ported with torch, as bitsandbytes builds it), stored = code[q] * absmax + offset.
Float32 values are written as raw little-endian float32.
"""
import os
import sys

import numpy as np

F = np.float32


def e2m1_grid():
    # code -> value, from the bit layout: sign | 2 exponent bits (bias 1) | 1 mantissa bit
    vals = []
    for c in range(16):
        s, e, m = c >> 3, (c >> 1) & 3, c & 1
        mag = (m / 2.0) if e == 0 else (1 + m / 2.0) * 2.0 ** (e - 1)
        vals.append(-mag if s else mag)
    return np.array(vals, dtype=np.float32)


def e4m3_values():
    # OCP E4M3FN: bias 7, 3 mantissa bits, S.1111.111 NaN, no inf
    vals = []
    for c in range(256):
        s, e, m = c >> 7, (c >> 3) & 15, c & 7
        if e == 15 and m == 7:
            vals.append(np.nan)
            continue
        mag = (m / 8.0) * 2.0 ** -6 if e == 0 else (1 + m / 8.0) * 2.0 ** (e - 7)
        vals.append(-mag if s else mag)
    return np.array(vals, dtype=np.float32)


E2M1 = e2m1_grid()
E4M3 = e4m3_values()
POS_E4M3_CODES = np.arange(0, 127)  # 0x00 .. 0x7E: the non-negative finite codes, ascending


def nearest_code(v, codes, values):
    """The code of the value nearest each v (1-D, finite, non-negative values ascending);
    ties to the even code. In chunks, to bound the memory of the brute force."""
    step = max(1, (1 << 22) // len(codes))
    return np.concatenate([nearest_chunk(v[i:i + step], codes, values) for i in range(0, max(len(v), 1), step)])


def nearest_chunk(v, codes, values):
    vals = values[codes].astype(np.float64)
    d = np.abs(v.astype(np.float64)[:, None] - vals[None, :])
    best = d.min(axis=1, keepdims=True)
    tie = d == best
    even = (codes % 2 == 0)[None, :]
    pick_even = tie & even
    has_even = pick_even.any(axis=1)
    first_tie = tie.argmax(axis=1)
    first_even = pick_even.argmax(axis=1)
    return codes[np.where(has_even, first_even, first_tie)]


def e2m1_code(y):
    """E2M1 nibble of float32 y (finite), RNE, saturating at 6: |y| rounded half-to-even to a
    multiple of its binade's quantum (0.5 below 2, 1 below 4, 2 above), then looked up."""
    a = np.minimum(np.abs(y).astype(np.float64), 6.0)
    quantum = np.where(a < 2.0, 0.5, np.where(a < 4.0, 1.0, 2.0))
    mag = np.minimum(np.round(a / quantum) * quantum, 6.0)
    idx = np.searchsorted(E2M1[:8].astype(np.float64), mag)  # exact values: the index of mag
    return (idx | np.where(y < 0, 8, 0)).astype(np.uint8)


def e4m3_code(s):
    """E4M3 code of positive float32 s after the clamp to [2^-9, 448]: rounded half-to-even to a
    multiple of 2^(e - 3), e = its exponent (at least -6, the subnormals' quantum 2^-9)."""
    v = np.clip(s, F(2.0 ** -9), F(448.0)).astype(np.float64)
    e = np.maximum(np.floor(np.log2(v)), -6.0)
    quantum = np.ldexp(1.0, (e - 3).astype(np.int64))
    q = np.round(v / quantum) * quantum
    return np.searchsorted(E4M3[:127].astype(np.float64), q).astype(np.uint8)


def e4m3_code_brute(s):
    """The same by brute force over every code (for the scale-format reference)."""
    s = np.clip(s, F(2.0 ** -9), F(448.0))
    return nearest_code(s.ravel(), POS_E4M3_CODES, E4M3).reshape(s.shape).astype(np.uint8)


def nvfp4_input(rng):
    x = (rng.standard_normal((4096, 4096)) * 0.02).astype(np.float32)
    cols = rng.choice(4096, 24, replace=False)
    x[:, cols] *= F(40.0)  # outlier input columns, as in LLM weights
    x[7, 32:48] = 0.0  # an all-zero block
    x[9, 0:16] = (rng.standard_normal(16) * 1e-7).astype(np.float32)  # block scale below E4M3's range
    x[11, 5] = np.nan
    x[11, 6] = np.inf
    x[12, 100] = -np.inf
    x[13, 16:32] = np.array([0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0, -5.0, 6.0, -0.25, 0.0, -0.75,
                             1.0, 3.0, 4.0, -6.0], dtype=np.float32) * F(1.0 / 6.0)  # halfway cases
    return x


def quantize_with(xb, d):
    """xb [blocks, 16] float32 (non-finite already zeroed), d [blocks] effective scales."""
    y = xb / d[:, None]
    codes = e2m1_code(y)
    q = E2M1[codes] * d[:, None]
    return codes, q


def sse(xb, q):
    e = xb.astype(np.float64) - q.astype(np.float64)
    total = np.zeros(xb.shape[0])
    for i in range(xb.shape[1]):  # element by element, as the C++
        total = total + e[:, i] * e[:, i]
    return total


def nvfp4(x, rule):
    finite = np.isfinite(x)
    amax = F(np.max(np.abs(x[finite])))
    denom = F(6.0) * (F(256.0) if rule == "4over6" else F(448.0))
    s_t = F(amax / denom)
    if not (s_t > 0):
        s_t = F(1.0)
    xb = np.where(finite, x, F(0.0)).reshape(-1, 16)
    amax_b = np.max(np.abs(xb), axis=1)
    fitted = (amax_b / (F(6.0) * s_t)).astype(np.float32)
    fitted[fitted == 0] = F(1.0)
    code = e4m3_code(fitted)
    if rule == "mse":
        best_code = code.copy()
        _, q = quantize_with(xb, E4M3[code] * s_t)
        best = sse(xb, q)
        for k in range(-4, 5):
            if k == 0:
                continue
            cand = code.astype(np.int64) + k
            ok = (cand >= 1) & (cand <= 0x7E)
            cand = np.clip(cand, 1, 0x7E).astype(np.uint8)
            _, q = quantize_with(xb, (E4M3[cand] * s_t).astype(np.float32))
            e = sse(xb, q)
            better = ok & (e < best)
            best = np.where(better, e, best)
            best_code = np.where(better, cand, best_code)
        code = best_code.astype(np.uint8)
    elif rule == "4over6":
        code4 = e4m3_code((fitted * F(1.5)).astype(np.float32))
        _, q6 = quantize_with(xb, (E4M3[code] * s_t).astype(np.float32))
        _, q4 = quantize_with(xb, (E4M3[code4] * s_t).astype(np.float32))
        code = np.where(sse(xb, q4) < sse(xb, q6), code4, code).astype(np.uint8)
    d = (E4M3[code] * s_t).astype(np.float32)
    codes, q = quantize_with(xb, d)
    q = q.reshape(x.shape)
    codes = codes.reshape(x.shape)
    q = np.where(finite, q, x)
    codes = np.where(finite, codes, 0).astype(np.uint8)
    return q, codes, code, s_t


def nvfp4_mode(out):
    rng = np.random.default_rng(4096)
    x = nvfp4_input(rng)
    x.tofile(os.path.join(out, "nvfp4_input.f32"))
    for rule in ("rne", "mse", "4over6"):
        q, codes, scale_codes, s_t = nvfp4(x, rule)
        q.astype(np.float32).tofile(os.path.join(out, "nvfp4_%s.f32" % rule))
        codes.tofile(os.path.join(out, "nvfp4_%s.codes" % rule))
        scale_codes.tofile(os.path.join(out, "nvfp4_%s.scale_codes" % rule))
        np.array([s_t], dtype=np.float32).tofile(os.path.join(out, "nvfp4_%s.tensor_scale" % rule))


def scales_input(rng):
    parts = [
        np.exp(rng.uniform(np.log(1e-45), np.log(3e38), 200000)).astype(np.float32),
        np.exp(rng.uniform(np.log(1e-6), np.log(1e3), 200000)).astype(np.float32),
        np.ldexp(np.float32(1.0), np.arange(-149, 128)).astype(np.float32),  # every power of two
        (np.ldexp(np.float32(1.0), np.arange(-126, 127)) * F(np.sqrt(2.0))).astype(np.float32),
        np.array([448.0, 449.0, 464.0, 480.0, 65504.0, 65519.0, 65520.0, 1e5, 2.0 ** -9, 2.0 ** -10,
                  1.5 * 2.0 ** -10, 2.0 ** -24, 2.0 ** -25, 1.5 * 2.0 ** -25, 2.0 ** -133, 2.0 ** -134,
                  3.3895314e38, 3.4e38, 0.0], dtype=np.float32),
    ]
    return np.concatenate(parts)


def clamp_nonzero(stored, s, lo, hi):
    stored = np.minimum(np.maximum(stored, F(lo)), F(hi))
    return np.where(s == 0, F(0.0), stored).astype(np.float32)


def ue8m0(s, mode):
    pos = s > 0
    l2 = np.log2(np.where(pos, s, 1).astype(np.float64))
    k = {"floor": np.floor(l2), "ceil": np.ceil(l2), "round": np.floor(l2 + 0.5)}[mode]
    k = np.clip(k, -127, 127).astype(np.int64)
    stored = np.where(pos, np.ldexp(1.0, k), 0.0).astype(np.float32)
    codes = np.where(pos, k + 127, 0).astype(np.uint32)
    return stored, codes


def scales_mode(out):
    import torch

    rng = np.random.default_rng(88)
    s = scales_input(rng)
    s.tofile(os.path.join(out, "scales_input.f32"))
    res = {}
    h = np.minimum(s, F(65504.0)).astype(np.float16)
    res["fp16"] = (clamp_nonzero(h.astype(np.float32), s, 2.0 ** -24, 65504.0), None)
    b = torch.from_numpy(s.copy()).to(torch.bfloat16).float().numpy()
    b = np.where(np.isinf(b), F(3.3895314e38), b)
    res["bf16"] = (clamp_nonzero(b, s, 2.0 ** -133, 3.3895314e38), None)
    e = E4M3[e4m3_code_brute(np.where(s > 0, s, F(1.0)))]
    res["e4m3"] = (np.where(s > 0, e, F(0.0)).astype(np.float32), None)
    for mode in ("floor", "ceil", "round"):
        res["ue8m0-" + mode] = ue8m0(s, mode)
    for name, (stored, codes) in res.items():
        stored.tofile(os.path.join(out, "scales_%s.f32" % name))
        if codes is None:
            if name == "fp16":
                codes = stored.astype(np.float16).view(np.uint16).astype(np.uint32)
            elif name == "bf16":
                codes = (stored.view(np.uint32) >> 16).astype(np.uint32)
            else:
                codes = np.searchsorted(E4M3[:127], stored).astype(np.uint32)  # stored values are exact
        codes.astype(np.uint32).tofile(os.path.join(out, "scales_%s.codes" % name))


def create_dynamic_map(torch, signed=True, max_exponent_bits=7, total_bits=8):
    # bitsandbytes/functional.py create_dynamic_map, ported
    data = []
    non_sign_bits = total_bits - 1
    additional_items = 2 ** (non_sign_bits - max_exponent_bits) - 1
    for i in range(max_exponent_bits):
        fraction_items = int(2 ** (i + non_sign_bits - max_exponent_bits) + 1 if signed
                             else 2 ** (i + non_sign_bits - max_exponent_bits + 1) + 1)
        boundaries = torch.linspace(0.1, 1, fraction_items, dtype=torch.float32)
        means = (boundaries[:-1] + boundaries[1:]) / 2.0
        data += ((10 ** (-(max_exponent_bits - 1) + i)) * means).tolist()
        if signed:
            data += (-(10 ** (-(max_exponent_bits - 1) + i)) * means).tolist()
    assert additional_items == 0
    data.append(0)
    data.append(1.0)
    assert len(data) == 2 ** total_bits
    data.sort()
    return np.array(data, dtype=np.float32)


def int8dq(scales, code):
    offset = F(np.mean(scales.astype(np.float64)))
    d = (scales - offset).astype(np.float32)
    n = d.size
    full = n - n % 256
    absmax = []
    scaled = []
    if full:
        blocks = d[:full].reshape(-1, 256)
        am = np.max(np.abs(blocks), axis=1)
        absmax.append(am)
        inv = (F(1.0) / np.maximum(am, F(1e-38))).astype(np.float32)
        scaled.append(np.clip(blocks * inv[:, None], F(-1), F(1)).ravel())
    if n % 256:
        am = np.max(np.abs(d[full:]))
        absmax.append(np.array([am], dtype=np.float32))
        scaled.append(np.clip(d[full:] / np.maximum(am, F(1e-38)), F(-1), F(1)))
    absmax = np.concatenate(absmax).astype(np.float32)
    scaled = np.concatenate(scaled).astype(np.float32)
    bounds = ((code[:-1] + code[1:]) / F(2)).astype(np.float32)
    q = np.searchsorted(bounds, scaled, side="left").astype(np.uint8)  # torch.bucketize(right=False)
    per = np.repeat(absmax, 256)[:n]
    stored = (code[q] * per + offset).astype(np.float32)
    return stored, q, absmax, offset


def int8dq_mode(out):
    import torch

    rng = np.random.default_rng(256)
    # NF4 absmax statistics of a weight: 4096 blocks of 64 (whole blocks of 256) plus 77 more (a short last one)
    s = np.abs(rng.standard_normal(4096 * 4 + 77) * 0.02 + 0.05).astype(np.float32)
    s[10] = 0.0
    s.tofile(os.path.join(out, "int8dq_input.f32"))
    stored, q, absmax, offset = int8dq(s, create_dynamic_map(torch))
    stored.tofile(os.path.join(out, "int8dq.stored.f32"))
    q.tofile(os.path.join(out, "int8dq.codes"))
    absmax.tofile(os.path.join(out, "int8dq.absmax.f32"))
    np.array([offset], dtype=np.float32).tofile(os.path.join(out, "int8dq.offset.f32"))
    create_dynamic_map(torch).tofile(os.path.join(out, "int8dq.map.f32"))


def main():
    mode, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    {"nvfp4": nvfp4_mode, "scales": scales_mode, "int8dq": int8dq_mode}[mode](out)


if __name__ == "__main__":
    main()
