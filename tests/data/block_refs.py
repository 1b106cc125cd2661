"""References for tests/core/block_granularity_test.cpp: 2-D block scales.

usage: block_refs.py OUTDIR

DeepSeek-V3 block FP8 (inference/kernel.py of the DeepSeek-V3 release, and the
technical report, section 3.3.1): a weight [out, in] is cut into 128 x 128
tiles; each tile has one float32 scale s = amax / 448 and its values are
y = x / s cast to FP8 E4M3 (OCP E4M3FN); the dequantized weight is y * s.
Activations are scaled per token per 128 channels the same way (act_quant).

FP8 E4M3 rounding is done by brute force here: every code's value is built
from the bit layout (bias 7, S.1111.111 the only NaN, no inf) and each input
goes to the nearest one, ties to the even code, saturating at 448. No code is
shared with the C++ bit manipulation.

The affine integer tiles follow PyTorch's MinMaxObserver and
fake_quantize_per_tensor_affine in float32: scale = (max(x_max, 0) -
min(x_min, 0)) / (qmax - qmin), at least float32 eps; zero point = qmin -
round(min_neg / scale) clamped; q = clamp(rint(x * (1 / scale)) + zp);
dequantized (q - zp) * scale.

Each case writes CASE.in.f32 (the tensor, C order), CASE.deq.f32 (the
dequantized tensor), CASE.scale.f32 (scales, tile grid row-major) and for
affine cases CASE.zp.i32. Float32 files are little-endian bit patterns.
"""
import os
import sys

import numpy as np

F32 = np.float32


def e4m3_values():
    """(code, value) of every non-negative finite E4M3FN code, sorted by value."""
    codes, values = [], []
    for c in range(0x7F):  # 0x7F is NaN
        e, m = c >> 3, c & 7
        v = (m / 8.0) * 2.0 ** -6 if e == 0 else (1 + m / 8.0) * 2.0 ** (e - 7)
        codes.append(c)
        values.append(v)
    order = np.argsort(values)
    return np.array(codes)[order], np.array(values, dtype=np.float64)[order]


CODES, VALUES = e4m3_values()


def to_e4m3(y):
    """Nearest E4M3FN value of float32 y (finite), ties to the even code, saturating."""
    a = np.abs(y.astype(np.float64))
    a = np.minimum(a, VALUES[-1])
    hi = np.clip(np.searchsorted(VALUES, a, side="left"), 0, len(VALUES) - 1)
    lo = np.maximum(hi - 1, 0)
    dlo, dhi = a - VALUES[lo], VALUES[hi] - a
    pick_hi = (dhi < dlo) | ((dhi == dlo) & (CODES[hi] % 2 == 0))
    out = np.where(pick_hi, VALUES[hi], VALUES[lo])
    return np.copysign(out, y).astype(F32)  # -0 stays -0, as a cast keeps the sign


def fp8_tile(x):
    """DeepSeek's block quantization of one tile: (dequantized, scale)."""
    s = F32(np.abs(x).max()) / F32(448.0)
    y = to_e4m3((x / s).astype(F32))
    return (y * s).astype(F32), s


def affine_tile(x, bits):
    qmin, qmax = 0, 2 ** bits - 1
    min_neg = min(F32(x.min()), F32(0))
    max_pos = max(F32(x.max()), F32(0))
    scale = F32((max_pos - min_neg) / F32(qmax - qmin))
    scale = max(scale, np.finfo(np.float32).eps)
    zp = int(np.clip(qmin - np.rint(F32(min_neg / scale)), qmin, qmax))
    inv = F32(F32(1) / scale)
    q = np.clip(np.rint((x * inv).astype(F32)) + zp, qmin, qmax)
    return ((q - zp) * scale).astype(F32), scale, zp


def tiled(view, rows, cols, quantize_tile):
    """Quantizes the 2-D `view` tile by tile: dequantized view, scales, zero points."""
    out = np.empty_like(view)
    bands, per_band = -(-view.shape[0] // rows), -(-view.shape[1] // cols)
    scales = np.zeros((bands, per_band), dtype=F32)
    zps = np.zeros((bands, per_band), dtype=np.int32)
    for b in range(bands):
        for j in range(per_band):
            tile = (slice(b * rows, (b + 1) * rows), slice(j * cols, (j + 1) * cols))
            result = quantize_tile(view[tile])
            out[tile] = result[0]
            scales[b, j] = result[1]
            if len(result) > 2:
                zps[b, j] = result[2]
    return out, scales, zps


def write(out, name, x, deq, scales, zps=None):
    x.astype(F32).tofile(os.path.join(out, name + ".in.f32"))
    deq.astype(F32).tofile(os.path.join(out, name + ".deq.f32"))
    scales.astype(F32).tofile(os.path.join(out, name + ".scale.f32"))
    if zps is not None:
        zps.astype(np.int32).tofile(os.path.join(out, name + ".zp.i32"))


def block_case(out, name, x, axis, rows, cols, quantize_tile, affine=False):
    """A tensor quantized in tiles of its [out, rest] view, `axis` the output channels."""
    moved = np.moveaxis(x, axis, 0)
    view = moved.reshape(moved.shape[0], -1)
    deq_view, scales, zps = tiled(view, rows, cols, quantize_tile)
    deq = np.moveaxis(deq_view.reshape(moved.shape), 0, axis)
    write(out, name, x, np.ascontiguousarray(deq), scales, zps if affine else None)


def weight_with_outlier_columns(rng, out_dim, in_dim):
    w = (rng.standard_normal((out_dim, in_dim)) * 0.02).astype(F32)
    outliers = rng.choice(in_dim, size=max(1, in_dim // 512), replace=False)
    w[:, outliers] *= F32(40.0)  # input channels with large weights, as in LLM layers
    return w


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20260)
    # DeepSeek-V3 weights: 128 x 128 tiles of a [4096, 4096] projection with outlier columns.
    block_case(out, "fp8_4096", weight_with_outlier_columns(rng, 4096, 4096), 0, 128, 128, fp8_tile)
    # Ragged edges: 300 = 2 x 128 + 44 rows, 200 = 128 + 72 columns.
    block_case(out, "fp8_300x200", weight_with_outlier_columns(rng, 300, 200), 0, 128, 128, fp8_tile)
    # Affine integers on tiles; a conv weight [out, in, kh, kw] and a Keras kernel [kh, kw, in, out].
    w = (rng.standard_normal((300, 200)) * 0.05 + 0.01).astype(F32)
    block_case(out, "int8_asym", w, 0, 64, 48, lambda t: affine_tile(t, 8), affine=True)
    block_case(out, "int4_asym", w, 0, 128, 128, lambda t: affine_tile(t, 4), affine=True)
    conv = rng.standard_normal((40, 6, 3, 3)).astype(F32)
    block_case(out, "int4_conv", conv, 0, 16, 20, lambda t: affine_tile(t, 4), affine=True)
    keras = rng.standard_normal((3, 3, 6, 40)).astype(F32)
    block_case(out, "int4_keras", keras, 3, 16, 20, lambda t: affine_tile(t, 4), affine=True)
    # DeepSeek's act_quant: per token, per 128 channels (the last group of 1000 is 104 wide).
    act = (rng.standard_normal((64, 1000)) * np.exp(rng.standard_normal((1, 1000)))).astype(F32)
    block_case(out, "act_fp8", act, 0, 1, 128, fp8_tile)


if __name__ == "__main__":
    main()
