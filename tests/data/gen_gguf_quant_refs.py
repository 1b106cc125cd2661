"""Reference bytes for tests/core/gguf_blocks_test.cpp: llama.cpp's
quantize_row_{q8_0,q4_0,q4_1,q5_0,q5_1,q4_K,q6_K}_ref re-implemented in NumPy
float32 arithmetic (no fused multiply-add). The legacy types are vectorised;
the k-quants run element by element on np.float32 scalars so that every sum
accumulates in C's order.

usage: gen_gguf_quant_refs.py OUTDIR -> input.f32, <type>.bin, input_k.f32, q4_k.bin, q6_k.bin
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


# ---- k-quants (QK_K = 256) ------------------------------------------------------------

def nearest_int(v):
    return int(np.rint(f32(v)))  # llama.cpp adds 1.5 * 2^23: round half to even


def make_qkx2_quants(n, nmax, x, weights, rmin, rdelta, nstep):
    mn = x[0]
    mx = x[0]
    sum_w = weights[0]
    sum_x = f32(sum_w * x[0])
    for i in range(1, n):
        if x[i] < mn:
            mn = x[i]
        if x[i] > mx:
            mx = x[i]
        w = weights[i]
        sum_w = f32(sum_w + w)
        sum_x = f32(sum_x + f32(w * x[i]))
    if mn > 0:
        mn = f32(0)
    if mx == mn:
        return f32(0), f32(-mn), [0] * n
    iscale = f32(f32(nmax) / f32(mx - mn))
    scale = f32(f32(1) / iscale)
    L = [max(0, min(nmax, nearest_int(f32(iscale * f32(x[i] - mn))))) for i in range(n)]
    best_error = f32(0)
    for i in range(n):
        diff = f32(f32(f32(scale * f32(L[i])) + mn) - x[i])
        diff = f32(diff * diff)
        best_error = f32(best_error + f32(weights[i] * diff))
    for step in range(nstep + 1):
        iscale = f32(f32(f32(rmin + f32(rdelta * f32(step))) + f32(nmax)) / f32(mx - mn))
        sum_l = sum_l2 = sum_xl = f32(0)
        laux = []
        for i in range(n):
            l = max(0, min(nmax, nearest_int(f32(iscale * f32(x[i] - mn)))))
            laux.append(l)
            w = weights[i]
            lf = f32(l)
            sum_l = f32(sum_l + f32(w * lf))
            sum_l2 = f32(sum_l2 + f32(f32(w * lf) * lf))
            sum_xl = f32(sum_xl + f32(f32(w * lf) * x[i]))
        D = f32(f32(sum_w * sum_l2) - f32(sum_l * sum_l))
        if D > 0:
            this_scale = f32(f32(f32(sum_w * sum_xl) - f32(sum_x * sum_l)) / D)
            this_min = f32(f32(f32(sum_l2 * sum_x) - f32(sum_l * sum_xl)) / D)
            if this_min > 0:
                this_min = f32(0)
                this_scale = f32(sum_xl / sum_l2)
            cur_error = f32(0)
            for i in range(n):
                diff = f32(f32(f32(this_scale * f32(laux[i])) + this_min) - x[i])
                diff = f32(diff * diff)
                cur_error = f32(cur_error + f32(weights[i] * diff))
            if cur_error < best_error:
                L = laux
                best_error = cur_error
                scale = this_scale
                mn = this_min
    return scale, f32(-mn), L


def scale_min_k4(j, q):
    if j < 4:
        return q[j] & 63, q[j + 4] & 63
    return (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4)


def f16_value(v):
    return f32(np.float16(f32(v)))


def q4_k_block(x):
    scales, mins, L = [], [], [0] * 256
    for j in range(8):
        xs = x[32 * j:32 * j + 32]
        sum_x2 = f32(0)
        for l in range(32):
            sum_x2 = f32(sum_x2 + f32(xs[l] * xs[l]))
        av_x = f32(np.sqrt(f32(sum_x2 / f32(32))))
        weights = [f32(av_x + f32(abs(xs[l]))) for l in range(32)]
        sc, mn, Lj = make_qkx2_quants(32, 15, xs, weights, f32(-1), f32(0.1), 20)
        scales.append(sc)
        mins.append(mn)
        L[32 * j:32 * j + 32] = Lj
    max_scale = max([f32(0)] + [s for s in scales if s > 0])
    max_min = max([f32(0)] + [m for m in mins if m > 0])
    inv_scale = f32(f32(63) / max_scale) if max_scale > 0 else f32(0)
    inv_min = f32(f32(63) / max_min) if max_min > 0 else f32(0)
    sc = [0] * 12
    for j in range(8):
        ls = min(63, nearest_int(f32(inv_scale * scales[j])) & 0xFF)
        lm = min(63, nearest_int(f32(inv_min * mins[j])) & 0xFF)
        if j < 4:
            sc[j] = ls
            sc[j + 4] = lm
        else:
            sc[j + 4] = (ls & 0xF) | ((lm & 0xF) << 4)
            sc[j - 4] |= (ls >> 4) << 6
            sc[j] |= (lm >> 4) << 6
    d = f16_value(f32(max_scale / f32(63)))
    dmin = f16_value(f32(max_min / f32(63)))
    for j in range(8):
        s, m = scale_min_k4(j, sc)
        dd = f32(d * f32(s))
        if dd == 0:
            continue
        dm = f32(dmin * f32(m))
        for i in range(32):
            L[32 * j + i] = max(0, min(15, nearest_int(f32(f32(x[32 * j + i] + dm) / dd))))
    qs = []
    for j in range(0, 256, 64):
        qs += [L[j + l] | (L[j + l + 32] << 4) for l in range(32)]
    head = np.array([d, dmin], np.float32).astype(np.float16).view(np.uint8)
    return np.concatenate([head, np.array(sc + qs, np.uint8)])


def make_qx_quants_rmse1(n, nmax, x):
    mx = f32(0)
    amax = f32(0)
    for i in range(n):
        ax = f32(abs(x[i]))
        if ax > amax:
            amax = ax
            mx = x[i]
    if amax < f32(1e-15):
        return f32(0), [0] * n
    iscale = f32(f32(-nmax) / mx)
    sumlx = suml2 = f32(0)
    L = []
    for i in range(n):
        l = max(-nmax, min(nmax - 1, nearest_int(f32(iscale * x[i]))))
        L.append(l + nmax)
        w = f32(x[i] * x[i])
        sumlx = f32(sumlx + f32(f32(w * x[i]) * f32(l)))
        suml2 = f32(suml2 + f32(f32(w * f32(l)) * f32(l)))
    scale = f32(sumlx / suml2) if suml2 != 0 else f32(0)
    best = f32(scale * sumlx)
    for step in range(-9, 10):
        if step == 0:
            continue
        iscale = f32(f32(-f32(f32(nmax) + f32(f32(0.1) * f32(step)))) / mx)
        sumlx = suml2 = f32(0)
        for i in range(n):
            l = max(-nmax, min(nmax - 1, nearest_int(f32(iscale * x[i]))))
            w = f32(x[i] * x[i])
            sumlx = f32(sumlx + f32(f32(w * x[i]) * f32(l)))
            suml2 = f32(suml2 + f32(f32(w * f32(l)) * f32(l)))
        if suml2 > 0 and f32(sumlx * sumlx) > f32(best * suml2):
            L = [nmax + max(-nmax, min(nmax - 1, nearest_int(f32(iscale * x[i])))) for i in range(n)]
            scale = f32(sumlx / suml2)
            best = f32(scale * sumlx)
    return scale, L


def q6_k_block(x):
    L = [0] * 256
    scales = []
    max_scale = f32(0)
    max_abs_scale = f32(0)
    for ib in range(16):
        s, Lb = make_qx_quants_rmse1(16, 32, x[16 * ib:16 * ib + 16])
        scales.append(s)
        L[16 * ib:16 * ib + 16] = Lb
        if abs(s) > max_abs_scale:
            max_abs_scale = f32(abs(s))
            max_scale = s
    if max_abs_scale < f32(1e-15):
        return np.zeros(210, np.uint8)
    iscale = f32(f32(-128) / max_scale)
    d = f16_value(f32(f32(1) / iscale))
    sc = [min(127, nearest_int(f32(iscale * scales[ib]))) for ib in range(16)]
    for j in range(16):
        dd = f32(d * f32(sc[j]))
        if dd == 0:
            continue
        for i in range(16):
            L[16 * j + i] = max(-32, min(31, nearest_int(f32(x[16 * j + i] / dd)))) + 32
    ql, qh = [0] * 128, [0] * 64
    for half in range(2):
        j = 128 * half
        for l in range(32):
            q1, q2, q3, q4 = (L[j + l] & 0xF, L[j + l + 32] & 0xF, L[j + l + 64] & 0xF, L[j + l + 96] & 0xF)
            ql[64 * half + l] = q1 | (q3 << 4)
            ql[64 * half + l + 32] = q2 | (q4 << 4)
            qh[32 * half + l] = ((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4)
                                 | ((L[j + l + 96] >> 4) << 6))
    tail = np.array([d], np.float32).astype(np.float16).view(np.uint8)
    return np.concatenate([np.array(ql + qh, np.uint8), np.array(sc, np.int8).view(np.uint8), tail])


def k_input(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((12, 256)).astype(f32)
    x[1] *= f32(1e-3)
    x[2] = f32(0)
    x[3] = np.abs(x[3])            # all positive: the min is clamped to 0
    x[4, 7] = f32(30)              # an outlier
    x[5] = np.round(x[5] * 2) / 2  # coarse grid
    x[6, :128] = f32(0)            # half zero
    return x.astype(f32)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    x = blocks_input(2024)
    x.reshape(-1).tofile(os.path.join(out, "input.f32"))
    for name, fn in (("q8_0", q8_0), ("q4_0", q4_0), ("q4_1", q4_1), ("q5_0", q5_0), ("q5_1", q5_1)):
        fn(x).astype(np.uint8).tofile(os.path.join(out, name + ".bin"))
    xk = k_input(77)
    xk.reshape(-1).tofile(os.path.join(out, "input_k.f32"))
    np.concatenate([q4_k_block(row) for row in xk]).tofile(os.path.join(out, "q4_k.bin"))
    np.concatenate([q6_k_block(row) for row in xk]).tofile(os.path.join(out, "q6_k.bin"))


if __name__ == "__main__":
    main()
