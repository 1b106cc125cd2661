"""HQQ (half-quadratic quantization) written from the hqq library's published
solver (hqq/core/optimize.py: optimize_weights_proximal_legacy, the default,
and optimize_weights_proximal_v2 with scale_gridsearch) and its start
(hqq/core/quantize.py: Quantizer.quantize with round_zero for 4 bits), on
groups of `group` consecutive values of each row. Element-wise math in
float32; group and tensor means summed in float64 from left to right, as
core/calib/hqq.h documents. Writes input.f32 and one <case>.f32 of dequantized
values, <case>.scale.f32 and <case>.zero.f32 per case."""
import os
import sys

import numpy as np

f32 = np.float32
CASES = [  # name, bits, group, iterations, p, optimize_scale
    ("int4_g64", 4, 64, 20, 0.7, False),
    ("int3_g32", 3, 32, 20, 0.7, False),
    ("int2_g16_p05", 2, 16, 20, 0.5, False),
    ("int8_g128", 8, 128, 20, 0.7, False),
    ("int4_g128_scale", 4, 128, 20, 0.7, True),
    ("int4_g64_it3", 4, 64, 3, 0.9, False),
]


def code(w, s, z, qmax):
    t = (w * s).astype(f32) + z
    return np.clip(np.rint(t.astype(f32)), f32(0), qmax).astype(f32)


def seqsum(a, axis=-1):
    """Left-to-right float64 sum (np.sum is pairwise)."""
    return np.cumsum(a.astype(np.float64), axis=axis).take(-1, axis=axis)


def shrink(d, inv_beta, exponent):
    a = np.abs(d)
    with np.errstate(divide="ignore"):
        pull = (f32(inv_beta) * np.power(a, f32(exponent))).astype(f32)
    t = np.maximum((a - pull).astype(f32), f32(0))
    return np.where(d > 0, t, np.where(d < 0, -t, f32(0))).astype(f32)


def hqq(W, bits, iterations, p, optimize_scale):
    """W: [groups, g] float32 with NaN/inf allowed. Returns (scale, zero, dequantized)."""
    qmax = f32(2**bits - 1)
    fin = np.isfinite(W)
    count = fin.sum(axis=1)
    total = int(count.sum())
    mn = np.where(fin, W, np.inf).min(axis=1).astype(f32)
    mx = np.where(fin, W, -np.inf).max(axis=1).astype(f32)
    mn[count == 0] = 0
    mx[count == 0] = 0
    denom = (mx - mn).astype(f32)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(np.abs(denom) <= f32(1e-4), f32(1), (qmax / denom).astype(f32)).astype(f32)
    s = np.minimum(s, f32(2e4))
    z = (-mn * s).astype(f32)
    if bits == 4:
        z = np.rint(z).astype(f32)
    Wz = np.where(fin, W, f32(0)).astype(f32)
    if optimize_scale and total:
        rng = f32(seqsum(np.abs(s)) / len(s)) * f32(0.05)
        q = code(Wz, s[:, None], z[:, None], qmax)
        step = ((rng - -rng) / f32(128)).astype(f32)
        best = np.full(len(s), np.inf)
        best_s = s.copy()
        for i in range(129):
            shift = (-rng + step * f32(i)) if i < 64 else (rng - step * f32(128 - i))
            cand = (f32(shift) + s).astype(f32)
            small = np.abs(cand) <= f32(2e-4)
            cand = np.where(small, np.where(cand >= 0, f32(2e-4), f32(-2e-4)), cand).astype(f32)
            r = ((q - z[:, None]) / cand[:, None]).astype(f32)
            err = seqsum(np.where(fin, np.abs((W - r).astype(f32)), 0.0), axis=1)
            better = (err < best) & (count > 0)
            best = np.where(better, err, best)
            best_s = np.where(better, cand, best_s).astype(f32)
        s = best_s
    if total:
        exponent = p - 1.0
        beta = 10.0
        best_error = 1e4 if optimize_scale else np.inf
        best_sz = (s.copy(), z.copy())
        for _ in range(iterations):
            q = code(Wz, s[:, None], z[:, None], qmax)
            r = ((q - z[:, None]) / s[:, None]).astype(f32)
            d = (Wz - r).astype(f32)
            err = seqsum(np.where(fin, np.abs(d), 0.0), axis=1)
            e = shrink(d, 1.0 / beta, exponent)
            kept = ((Wz - e).astype(f32) * s[:, None]).astype(f32)
            zs = seqsum(np.where(fin, (q - kept).astype(f32), 0.0), axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                nz = np.where(count > 0, (zs / np.maximum(count, 1)).astype(f32), z).astype(f32)
            error = seqsum(err) / total
            if optimize_scale:
                if not (best_error - error > 0):
                    s, z = best_sz
                    break
                best_error = error
                best_sz = (s.copy(), z.copy())
                z = nz
                beta *= 1.01
            else:
                z = nz
                if not (error < best_error):
                    break
                best_error = error
    scale = (f32(1) / s).astype(f32)
    q = code(Wz, s[:, None], z[:, None], qmax)
    deq = ((q - z[:, None]) * scale[:, None]).astype(f32)
    return scale, z, np.where(fin, deq, W).astype(f32)


def make_input():
    rng = np.random.default_rng(20260413)
    rows, cols = 48, 256
    x = (rng.standard_t(3, size=(rows, cols)) * 0.02).astype(f32)
    x[:, 7] *= 25  # an outlier input column
    x[5, :64] = 0.125  # a constant group
    x[9, 70] = np.nan
    x[11, 3] = np.inf
    x[13] = 0  # an all-zero row
    return x


def main(out):
    os.makedirs(out, exist_ok=True)
    x = make_input()
    x.tofile(os.path.join(out, "input.f32"))
    for name, bits, group, iterations, p, opt in CASES:
        W = x.reshape(-1, group)
        scale, zero, deq = hqq(W, bits, iterations, p, opt)
        deq.reshape(x.shape).tofile(os.path.join(out, name + ".f32"))
        scale.tofile(os.path.join(out, name + ".scale.f32"))
        zero.tofile(os.path.join(out, name + ".zero.f32"))


if __name__ == "__main__":
    main(sys.argv[1])
