"""Reference bytes for tests/core/gguf_kquants_low_test.cpp: llama.cpp's
quantize_row_{q2_K,q3_K,q5_K}_ref and dequantize_row_{q2_K,q3_K,q5_K}, and
the importance-weighted quantize_row_*_impl of Q4_0, Q4_1, Q5_0, Q5_1, Q2_K,
Q3_K, Q4_K, Q5_K and Q6_K (ggml-quants.c), re-implemented element by element
on np.float32 scalars so that every sum accumulates in C's order, without
fused multiply-add. nearest_int is llama.cpp's float trick (adding 1.5 * 2^23
and reading the mantissa bits), so out-of-range arguments give its results.

usage: gguf_kquant_refs.py OUTDIR
  -> input_k.f32 (rows of 256), weights_k.f32 (one per value),
     <type>.bin (reference quantizer), <type>.deq.f32 (llama.cpp's dequantize
     of those bytes, for q2_k q3_k q5_k), <type>_w.bin (weighted quantizer,
     one row of 256 per call: the legacy types take sigma2 of that row)
"""
import os
import sys

import numpy as np

f32 = np.float32
QK = 32
QKK = 256
GROUP_MAX_EPS = f32(1e-15)


def nearest_int(v):
    val = np.array([f32(v) + f32(12582912.0)], np.float32).view(np.int32)[0]
    return int((int(val) & 0x007FFFFF) - 0x00400000)


def fp16_bits(v):
    return int(np.array([f32(v)], np.float32).astype(np.float16).view(np.uint16)[0])


def fp16_value(bits):
    return f32(np.array([bits], np.uint16).view(np.float16)[0])


def round_f16(v):
    return fp16_value(fp16_bits(v))


def u8(v):
    return int(v) & 0xFF


def i8(v):
    v = int(v) & 0xFF
    return v - 256 if v > 127 else v


def half_le(bits):
    return [bits & 0xFF, bits >> 8]


# ---- the sub-block fits -------------------------------------------------------------------

def make_qkx2_quants(n, nmax, x, weights, rmin, rdelta, nstep, use_mad):
    mn = x[0]
    mx = x[0]
    sum_w = weights[0]
    sum_x = f32(sum_w * x[0])
    for i in range(1, n):
        if x[i] < mn:
            mn = x[i]
        if x[i] > mx:
            mx = x[i]
        sum_w = f32(sum_w + weights[i])
        sum_x = f32(sum_x + f32(weights[i] * x[i]))
    if mn > 0:
        mn = f32(0)
    if mx == mn:
        return f32(0), f32(-mn), [0] * n
    iscale = f32(f32(nmax) / f32(mx - mn))
    scale = f32(f32(1) / iscale)
    L = []
    best = f32(0)
    for i in range(n):
        l = max(0, min(nmax, nearest_int(f32(iscale * f32(x[i] - mn)))))
        L.append(l)
        diff = f32(f32(f32(scale * f32(l)) + mn) - x[i])
        diff = f32(abs(diff)) if use_mad else f32(diff * diff)
        best = f32(best + f32(weights[i] * diff))
    if nstep < 1:
        return scale, f32(-mn), L
    for step in range(nstep + 1):
        iscale = f32(f32(f32(rmin + f32(rdelta * f32(step))) + f32(nmax)) / f32(mx - mn))
        sum_l = sum_l2 = sum_xl = f32(0)
        laux = []
        for i in range(n):
            l = max(0, min(nmax, nearest_int(f32(iscale * f32(x[i] - mn)))))
            laux.append(l)
            w = weights[i]
            sum_l = f32(sum_l + f32(w * f32(l)))
            sum_l2 = f32(sum_l2 + f32(f32(w * f32(l)) * f32(l)))
            sum_xl = f32(sum_xl + f32(f32(w * f32(l)) * x[i]))
        D = f32(f32(sum_w * sum_l2) - f32(sum_l * sum_l))
        if D > 0:
            this_scale = f32(f32(f32(sum_w * sum_xl) - f32(sum_x * sum_l)) / D)
            this_min = f32(f32(f32(sum_l2 * sum_x) - f32(sum_l * sum_xl)) / D)
            if this_min > 0:
                this_min = f32(0)
                this_scale = f32(sum_xl / sum_l2)
            cur = f32(0)
            for i in range(n):
                diff = f32(f32(f32(this_scale * f32(laux[i])) + this_min) - x[i])
                diff = f32(abs(diff)) if use_mad else f32(diff * diff)
                cur = f32(cur + f32(weights[i] * diff))
            if cur < best:
                L, best, scale, mn = laux, cur, this_scale, this_min
    return scale, f32(-mn), L


def make_qkx3_quants(n, nmax, x, weights, rmin, rdelta, nstep, use_mad):
    wt = weights if weights is not None else [f32(v * v) for v in x]
    mn = x[0]
    mx = x[0]
    sum_w = wt[0]
    sum_x = f32(sum_w * x[0])
    for i in range(1, n):
        if x[i] < mn:
            mn = x[i]
        if x[i] > mx:
            mx = x[i]
        sum_w = f32(sum_w + wt[i])
        sum_x = f32(sum_x + f32(wt[i] * x[i]))
    if mn > 0:
        mn = f32(0)
    if mx <= mn:
        return f32(0), f32(-mn), [0] * n
    iscale = f32(f32(nmax) / f32(mx - mn))
    scale = f32(f32(1) / iscale)
    L = []
    best = f32(0)
    for i in range(n):
        l = max(0, min(nmax, nearest_int(f32(iscale * f32(x[i] - mn)))))
        L.append(l)
        diff = f32(f32(f32(scale * f32(l)) + mn) - x[i])
        diff = f32(abs(diff)) if use_mad else f32(diff * diff)
        best = f32(best + f32(wt[i] * diff))
    if nstep < 1:
        return scale, f32(-mn), L
    for step in range(nstep + 1):
        iscale = f32(f32(f32(rmin + f32(rdelta * f32(step))) + f32(nmax)) / f32(mx - mn))
        sum_l = sum_l2 = sum_xl = f32(0)
        laux = []
        for i in range(n):
            v = f32(iscale * f32(x[i] - mn))
            l = nearest_int(v if v < nmax else f32(nmax)) if v > 0 else 0
            laux.append(u8(l))
            w = wt[i]
            sum_l = f32(sum_l + f32(w * f32(l)))
            sum_l2 = f32(sum_l2 + f32(f32(w * f32(l)) * f32(l)))
            sum_xl = f32(sum_xl + f32(f32(w * f32(l)) * x[i]))
        D = f32(f32(sum_w * sum_l2) - f32(sum_l * sum_l))
        if D > 0:
            this_scale = f32(f32(f32(sum_w * sum_xl) - f32(sum_x * sum_l)) / D)
            this_min = f32(f32(f32(sum_l2 * sum_x) - f32(sum_l * sum_xl)) / D)
            if this_min > 0:
                this_min = f32(0)
                this_scale = f32(sum_xl / sum_l2)
            mad = f32(0)
            for i in range(n):
                diff = f32(f32(f32(this_scale * f32(laux[i])) + this_min) - x[i])
                diff = f32(abs(diff)) if use_mad else f32(diff * diff)
                mad = f32(mad + f32(wt[i] * diff))
            if mad < best:
                L, best, scale, mn = laux, mad, this_scale, this_min
    return scale, f32(-mn), L


def make_qx_quants(n, nmax, x, qw):
    """rmse_type 1; codes nmax + l; weights qw, or x^2 when None."""
    mx = f32(0)
    amax = f32(0)
    for i in range(n):
        ax = f32(abs(x[i]))
        if ax > amax:
            amax, mx = ax, x[i]
    if amax < GROUP_MAX_EPS:
        return f32(0), [0] * n
    wt = qw if qw is not None else [f32(v * v) for v in x]

    def sweep(iscale):
        ls = [max(-nmax, min(nmax - 1, nearest_int(f32(iscale * x[i])))) for i in range(n)]
        sumlx = suml2 = f32(0)
        for i in range(n):
            sumlx = f32(sumlx + f32(f32(wt[i] * x[i]) * f32(ls[i])))
            suml2 = f32(suml2 + f32(f32(wt[i] * f32(ls[i])) * f32(ls[i])))
        return ls, sumlx, suml2

    ls, sumlx, suml2 = sweep(f32(f32(-nmax) / mx))
    L = [l + nmax for l in ls]
    scale = f32(sumlx / suml2) if suml2 != 0 else f32(0)
    best = f32(scale * sumlx)
    for step in range(-9, 10):
        if step == 0:
            continue
        ls, sumlx, suml2 = sweep(f32(f32(-f32(f32(nmax) + f32(f32(0.1) * f32(step)))) / mx))
        if suml2 > 0 and f32(sumlx * sumlx) > f32(best * suml2):
            L = [l + nmax for l in ls]
            scale = f32(sumlx / suml2)
            best = f32(scale * sumlx)
    return scale, L


def make_q3_quants(n, nmax, x):
    """do_rmse = true; codes nmax + l, but 0 for an all-zero group."""
    mx = f32(0)
    amax = f32(0)
    for i in range(n):
        ax = f32(abs(x[i]))
        if ax > amax:
            amax, mx = ax, x[i]
    if amax < GROUP_MAX_EPS:
        return f32(0), [0] * n
    iscale = f32(f32(-nmax) / mx)
    L = []
    sumlx = suml2 = f32(0)
    for i in range(n):
        l = max(-nmax, min(nmax - 1, nearest_int(f32(iscale * x[i]))))
        L.append(l)
        w = f32(x[i] * x[i])
        sumlx = f32(sumlx + f32(f32(w * x[i]) * f32(l)))
        suml2 = f32(suml2 + f32(f32(w * f32(l)) * f32(l)))
    for _ in range(5):
        changed = 0
        for i in range(n):
            w = f32(x[i] * x[i])
            slx = f32(sumlx - f32(f32(w * x[i]) * f32(L[i])))
            if slx > 0:
                sl2 = f32(suml2 - f32(f32(w * f32(L[i])) * f32(L[i])))
                new_l = max(-nmax, min(nmax - 1, nearest_int(f32(f32(x[i] * sl2) / slx))))
                if new_l != L[i]:
                    slx = f32(slx + f32(f32(w * x[i]) * f32(new_l)))
                    sl2 = f32(sl2 + f32(f32(w * f32(new_l)) * f32(new_l)))
                    if sl2 > 0 and f32(f32(slx * slx) * suml2) > f32(f32(sumlx * sumlx) * sl2):
                        L[i], sumlx, suml2 = new_l, slx, sl2
                        changed += 1
        if not changed:
            break
    return (f32(sumlx / suml2) if suml2 > 0 else f32(0)), [l + nmax for l in L]


def make_qp_quants(n, nmax, x, qw):
    mx = f32(0)
    for v in x:
        mx = mx if mx > v else v
    if mx < GROUP_MAX_EPS:
        return f32(0), [0] * n
    iscale = f32(f32(nmax) / mx)
    L = [u8(nearest_int(f32(iscale * x[i]))) for i in range(n)]
    scale = f32(f32(1) / iscale)
    best = f32(0)
    for i in range(n):
        diff = f32(x[i] - f32(scale * f32(L[i])))
        best = f32(best + f32(f32(qw[i] * diff) * diff))
    for step in range(-4, 5):
        if step == 0:
            continue
        iscale_is = f32(f32(f32(f32(0.1) * f32(step)) + f32(nmax)) / mx)
        scale_is = f32(f32(1) / iscale_is)
        mse = f32(0)
        for i in range(n):
            l = min(nmax, nearest_int(f32(iscale_is * x[i])))
            diff = f32(x[i] - f32(scale_is * f32(l)))
            mse = f32(mse + f32(f32(qw[i] * diff) * diff))
        if mse < best:
            best, iscale = mse, iscale_is
    sumlx = suml2 = f32(0)
    for i in range(n):
        l = min(nmax, nearest_int(f32(iscale * x[i])))
        L[i] = u8(l)
        sumlx = f32(sumlx + f32(f32(qw[i] * x[i]) * f32(l)))
        suml2 = f32(suml2 + f32(f32(qw[i] * f32(l)) * f32(l)))
    for _ in range(5):
        changed = 0
        for i in range(n):
            w = qw[i]
            slx = f32(sumlx - f32(f32(w * x[i]) * f32(L[i])))
            sl2 = f32(suml2 - f32(f32(w * f32(L[i])) * f32(L[i])))
            if slx > 0 and sl2 > 0:
                new_l = min(nmax, nearest_int(f32(f32(x[i] * sl2) / slx)))
                if new_l != L[i]:
                    slx = f32(slx + f32(f32(w * x[i]) * f32(new_l)))
                    sl2 = f32(sl2 + f32(f32(w * f32(new_l)) * f32(new_l)))
                    if f32(f32(slx * slx) * suml2) > f32(f32(sumlx * sumlx) * sl2):
                        L[i], sumlx, suml2 = u8(new_l), slx, sl2
                        changed += 1
        if not changed:
            break
    return (f32(sumlx / suml2) if suml2 > 0 else f32(0)), L


# ---- packing ------------------------------------------------------------------------------

def pack_two_bits(L):
    qs = [0] * 64
    for j in range(0, QKK, 128):
        for l in range(32):
            qs[j // 4 + l] = u8(L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6))
    return qs


def q3_scale(sc, j):
    low = sc[j] & 0xF if j < 8 else sc[j - 8] >> 4
    return (low | (((sc[8 + j % 4] >> (2 * (j // 4))) & 3) << 4)) - 32


def store_q3_scale(sc, j, l):
    if j < 8:
        sc[j] = l & 0xF
    else:
        sc[j - 8] = u8(sc[j - 8] | ((l & 0xF) << 4))
    sc[j % 4 + 8] = u8(sc[j % 4 + 8] | ((l >> 4) << (2 * (j // 4))))


def finish_q3(x, d_bits, sc, L):
    d = fp16_value(d_bits)
    for j in range(16):
        dd = f32(d * f32(q3_scale(sc, j)))
        if dd == 0:
            continue
        for i in range(16):
            L[16 * j + i] = max(-4, min(3, nearest_int(f32(x[16 * j + i] / dd)))) + 4
    hmask = [0] * 32
    m, hm = 0, 1
    for j in range(QKK):
        if L[j] > 3:
            hmask[m] |= hm
            L[j] -= 4
        m += 1
        if m == 32:
            m, hm = 0, hm << 1
    return hmask + pack_two_bits(L) + sc + half_le(d_bits)


def store_scale_min_k4(sc, j, ls, lm):
    if j < 4:
        sc[j] = ls
        sc[j + 4] = lm
    else:
        sc[j + 4] = u8((ls & 0xF) | ((lm & 0xF) << 4))
        sc[j - 4] = u8(sc[j - 4] | ((ls >> 4) << 6))
        sc[j] = u8(sc[j] | ((lm >> 4) << 6))


def scale_min_k4(j, q):
    if j < 4:
        return q[j] & 63, q[j + 4] & 63
    return (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4)


def requantize_k4(x, d_bits, dmin_bits, sc, L, nmax):
    for j in range(8):
        s, m = scale_min_k4(j, sc)
        dd = f32(fp16_value(d_bits) * f32(s))
        if dd == 0:
            continue
        dm = f32(fp16_value(dmin_bits) * f32(m))
        for i in range(32):
            L[32 * j + i] = max(0, min(nmax, nearest_int(f32(f32(x[32 * j + i] + dm) / dd))))


def pack_q4_k(d_bits, dmin_bits, sc, L):
    qs = []
    for j in range(0, QKK, 64):
        qs += [L[j + l] | (L[j + l + 32] << 4) for l in range(32)]
    return half_le(d_bits) + half_le(dmin_bits) + sc + qs


def pack_q5_k(d_bits, dmin_bits, sc, L):
    qh = [0] * 32
    ql = []
    m1, m2 = 1, 2
    for n in range(0, QKK, 64):
        for j in range(32):
            l1, l2 = L[n + j], L[n + j + 32]
            if l1 > 15:
                l1 -= 16
                qh[j] |= m1
            if l2 > 15:
                l2 -= 16
                qh[j] |= m2
            ql.append(l1 | (l2 << 4))
        m1, m2 = m1 << 2, m2 << 2
    return half_le(d_bits) + half_le(dmin_bits) + sc + qh + ql


def sum_x2(x):
    s = f32(0)
    for v in x:
        s = f32(s + f32(v * v))
    return s


# ---- reference quantizers -----------------------------------------------------------------

def q2_k(x):
    L = [0] * QKK
    scales, mins = [], []
    for j in range(16):
        xs = x[16 * j:16 * j + 16]
        s, m, Lj = make_qkx2_quants(16, 3, xs, [f32(abs(v)) for v in xs], f32(-0.5), f32(0.1), 15, True)
        scales.append(s)
        mins.append(m)
        L[16 * j:16 * j + 16] = Lj
    max_scale = f32(0)
    max_min = f32(0)
    for s, m in zip(scales, mins):
        if s > max_scale:
            max_scale = s
        if m > max_min:
            max_min = m
    sc = [0] * 16
    if max_scale > 0:
        iscale = f32(f32(15) / max_scale)
        sc = [u8(nearest_int(f32(iscale * s))) for s in scales]
        d_bits = fp16_bits(f32(max_scale / f32(15)))
    else:
        d_bits = fp16_bits(0)
    if max_min > 0:
        iscale = f32(f32(15) / max_min)
        sc = [u8(sc[j] | (nearest_int(f32(iscale * mins[j])) << 4)) for j in range(16)]
        dmin_bits = fp16_bits(f32(max_min / f32(15)))
    else:
        dmin_bits = fp16_bits(0)
    requantize_q2(x, d_bits, dmin_bits, sc, L)
    return sc + pack_two_bits(L) + half_le(d_bits) + half_le(dmin_bits)


def requantize_q2(x, d_bits, dmin_bits, sc, L):
    for j in range(16):
        dd = f32(fp16_value(d_bits) * f32(sc[j] & 0xF))
        if dd == 0:
            continue
        dm = f32(fp16_value(dmin_bits) * f32(sc[j] >> 4))
        for i in range(16):
            L[16 * j + i] = max(0, min(3, nearest_int(f32(f32(x[16 * j + i] + dm) / dd))))


def q3_k(x):
    L = [0] * QKK
    scales = []
    max_scale = f32(0)
    amax = f32(0)
    for j in range(16):
        s, Lj = make_q3_quants(16, 4, x[16 * j:16 * j + 16])
        scales.append(s)
        L[16 * j:16 * j + 16] = Lj
        if f32(abs(s)) > amax:
            amax, max_scale = f32(abs(s)), s
    sc = [0] * 12
    if max_scale != 0:
        iscale = f32(f32(-32) / max_scale)
        for j in range(16):
            l = i8(nearest_int(f32(iscale * scales[j])))
            store_q3_scale(sc, j, max(-32, min(31, l)) + 32)
        d_bits = fp16_bits(f32(f32(1) / iscale))
    else:
        d_bits = fp16_bits(0)
    return finish_q3(x, d_bits, sc, L)


def q5_k(x):
    L = [0] * QKK
    scales, mins = [], []
    for j in range(8):
        xs = x[32 * j:32 * j + 32]
        av_x = f32(np.sqrt(f32(sum_x2(xs) / f32(32))))
        s, m, Lj = make_qkx2_quants(32, 31, xs, [f32(av_x + f32(abs(v))) for v in xs], f32(-0.5), f32(0.1), 15,
                                    False)
        scales.append(s)
        mins.append(m)
        L[32 * j:32 * j + 32] = Lj
    max_scale = f32(0)
    max_min = f32(0)
    for s, m in zip(scales, mins):
        if s > max_scale:
            max_scale = s
        if m > max_min:
            max_min = m
    inv_scale = f32(f32(63) / max_scale) if max_scale > 0 else f32(0)
    inv_min = f32(f32(63) / max_min) if max_min > 0 else f32(0)
    sc = [0] * 12
    for j in range(8):
        store_scale_min_k4(sc, j, min(63, u8(nearest_int(f32(inv_scale * scales[j])))),
                           min(63, u8(nearest_int(f32(inv_min * mins[j])))))
    d_bits = fp16_bits(f32(max_scale / f32(63)))
    dmin_bits = fp16_bits(f32(max_min / f32(63)))
    requantize_k4(x, d_bits, dmin_bits, sc, L, 31)
    return pack_q5_k(d_bits, dmin_bits, sc, L)


# ---- dequantizers (written from dequantize_row_*, the Q3_K one with its aux-word trick) ------

def deq_q2_k(b):
    sc, q = b[:16], b[16:80]
    d = fp16_value(b[80] | (b[81] << 8))
    mn = fp16_value(b[82] | (b[83] << 8))
    y = []
    is_ = 0
    for n in range(2):
        qq = q[32 * n:32 * n + 32]
        for shift in range(0, 8, 2):
            for half in range(2):
                s = sc[is_]
                is_ += 1
                dl = f32(d * f32(s & 0xF))
                ml = f32(mn * f32(s >> 4))
                for l in range(16):
                    y.append(f32(f32(dl * f32((qq[l + 16 * half] >> shift) & 3)) - ml))
    return y


def deq_q3_k(b):
    hm, q, raw = b[:32], b[32:96], bytes(b[96:108])
    d_all = fp16_value(b[108] | (b[109] << 8))
    aux = [int.from_bytes(raw[4 * i:4 * i + 4], "little") for i in range(3)] + [0]
    k1, k2 = 0x03030303, 0x0F0F0F0F
    tmp = aux[2]
    aux[2] = ((aux[0] >> 4) & k2) | (((tmp >> 4) & k1) << 4)
    aux[3] = ((aux[1] >> 4) & k2) | (((tmp >> 6) & k1) << 4)
    aux[0] = (aux[0] & k2) | (((tmp >> 0) & k1) << 4)
    aux[1] = (aux[1] & k2) | (((tmp >> 2) & k1) << 4)
    scales = [i8(b_) for b_ in b"".join(a.to_bytes(4, "little") for a in aux)]
    y = []
    is_ = 0
    m = 1
    for n in range(2):
        qq = q[32 * n:32 * n + 32]
        for shift in range(0, 8, 2):
            for half in range(2):
                dl = f32(d_all * f32(scales[is_] - 32))
                is_ += 1
                for l in range(16):
                    at = l + 16 * half
                    y.append(f32(dl * f32(((qq[at] >> shift) & 3) - (0 if hm[at] & m else 4))))
            m <<= 1
    return y


def deq_q5_k(b):
    d = fp16_value(b[0] | (b[1] << 8))
    mn = fp16_value(b[2] | (b[3] << 8))
    sc, qh, ql = b[4:16], b[16:48], b[48:176]
    y = []
    u1, u2 = 1, 2
    for n in range(4):
        s1, m1 = scale_min_k4(2 * n, sc)
        s2, m2 = scale_min_k4(2 * n + 1, sc)
        d1, mm1 = f32(d * f32(s1)), f32(mn * f32(m1))
        d2, mm2 = f32(d * f32(s2)), f32(mn * f32(m2))
        q = ql[32 * n:32 * n + 32]
        y += [f32(f32(d1 * f32((q[l] & 0xF) + (16 if qh[l] & u1 else 0))) - mm1) for l in range(32)]
        y += [f32(f32(d2 * f32((q[l] >> 4) + (16 if qh[l] & u2 else 0))) - mm2) for l in range(32)]
        u1, u2 = u1 << 2, u2 << 2
    return y


# ---- weighted quantizers (quantize_row_*_impl) ----------------------------------------------

def legacy_weights(xb, qw, sigma2):
    return [f32(qw[j] * f32(np.sqrt(f32(sigma2 + f32(xb[j] * xb[j]))))) for j in range(QK)]


def pack_five(L):
    qh = 0
    qs = []
    for j in range(16):
        qs.append((L[j] & 0x0F) | ((L[j + 16] & 0x0F) << 4))
        qh |= ((L[j] & 0x10) >> 4) << j
        qh |= ((L[j + 16] & 0x10) >> 4) << (j + 16)
    return list(qh.to_bytes(4, "little")), qs


def legacy_row(x, qw, block_fn):
    sigma2 = f32(sum_x2(x) / f32(len(x)))
    out = []
    for ib in range(len(x) // QK):
        out += block_fn(x[QK * ib:QK * ib + QK], legacy_weights(x[QK * ib:QK * ib + QK], qw[QK * ib:QK * ib + QK],
                                                                sigma2))
    return out


def q4_0_w_block(xb, w):
    d, L = make_qx_quants(QK, 8, xb, w)
    return half_le(fp16_bits(d)) + [L[j] | (L[j + 16] << 4) for j in range(16)]


def q4_1_w_block(xb, w):
    d, mn, L = make_qkx3_quants(QK, 15, xb, w, f32(-0.9), f32(0.05), 36, False)
    return half_le(fp16_bits(d)) + half_le(fp16_bits(-mn)) + [L[j] | (L[j + 16] << 4) for j in range(16)]


def q5_0_w_block(xb, w):
    d, L = make_qx_quants(QK, 16, xb, w)
    qh, qs = pack_five(L)
    return half_le(fp16_bits(d)) + qh + qs


def q5_1_w_block(xb, w):
    d, mn, L = make_qkx3_quants(QK, 31, xb, w, f32(-0.9), f32(0.05), 36, False)
    qh, qs = pack_five(L)
    return half_le(fp16_bits(d)) + half_le(fp16_bits(-mn)) + qh + qs


def q2_k_w(x, qw):
    sigma2 = f32(sum_x2(x) / f32(QKK))
    L = [0] * QKK
    scales, mins, sw = [], [], []
    for j in range(16):
        xs = x[16 * j:16 * j + 16]
        w = [f32(qw[16 * j + l] * f32(np.sqrt(f32(sigma2 + f32(xs[l] * xs[l]))))) for l in range(16)]
        s = f32(0)
        for v in w:
            s = f32(s + v)
        sw.append(s)
        sc_, mn, Lj = make_qkx3_quants(16, 3, xs, w, f32(-0.9), f32(0.05), 36, False)
        scales.append(sc_)
        mins.append(mn)
        L[16 * j:16 * j + 16] = Lj
    dm, Ls = make_qp_quants(16, 15, scales, sw)
    mm, Lm = make_qp_quants(16, 15, mins, sw)
    d_bits, dmin_bits = fp16_bits(dm), fp16_bits(mm)
    sc = [u8(Ls[j] | (Lm[j] << 4)) for j in range(16)]
    requantize_q2(x, d_bits, dmin_bits, sc, L)
    return sc + pack_two_bits(L) + half_le(d_bits) + half_le(dmin_bits)


def q3_k_w(x, qw):
    sigma2 = f32(f32(f32(2) * sum_x2(x)) / f32(QKK))
    L = [0] * QKK
    scales, sw = [], []
    for j in range(16):
        xs = x[16 * j:16 * j + 16]
        w = [f32(qw[16 * j + l] * f32(np.sqrt(f32(sigma2 + f32(xs[l] * xs[l]))))) for l in range(16)]
        s = f32(0)
        for v in w:
            s = f32(s + v)
        sw.append(s)
        sc_, Lj = make_qx_quants(16, 4, xs, w)
        scales.append(sc_)
        L[16 * j:16 * j + 16] = Lj
    d_block, Ls = make_qx_quants(16, 32, scales, sw)
    sc = [0] * 12
    for j in range(16):
        store_q3_scale(sc, j, Ls[j])
    return finish_q3(x, fp16_bits(d_block), sc, L)


def k4_w(x, qw, nmax, clamp63):
    sigma2 = f32(f32(f32(2) * sum_x2(x)) / f32(QKK))
    L = [0] * QKK
    scales, mins, sw = [], [], []
    for j in range(8):
        xs = x[32 * j:32 * j + 32]
        w = [f32(qw[32 * j + l] * f32(np.sqrt(f32(sigma2 + f32(xs[l] * xs[l]))))) for l in range(32)]
        s = f32(0)
        for v in w:
            s = f32(s + v)
        sw.append(s)
        sc_, mn, Lj = make_qkx3_quants(32, nmax, xs, w, f32(-0.9), f32(0.05), 36, False)
        scales.append(sc_)
        mins.append(mn)
        L[32 * j:32 * j + 32] = Lj
    d_block, Ls = make_qp_quants(8, 63, scales, sw)
    m_block, Lm = make_qp_quants(8, 63, mins, sw)
    sc = [0] * 12
    for j in range(8):
        store_scale_min_k4(sc, j, min(63, Ls[j]) if clamp63 else Ls[j], min(63, Lm[j]) if clamp63 else Lm[j])
    d_bits, dmin_bits = fp16_bits(d_block), fp16_bits(m_block)
    requantize_k4(x, d_bits, dmin_bits, sc, L, nmax)
    return d_bits, dmin_bits, sc, L


def q4_k_w(x, qw):
    return pack_q4_k(*k4_w(x, qw, 15, False))


def q5_k_w(x, qw):
    return pack_q5_k(*k4_w(x, qw, 31, True))


def q6_k_w(x, qw):
    L = [0] * QKK
    scales = []
    max_scale = f32(0)
    max_abs = f32(0)
    for ib in range(16):
        s, Lb = make_qx_quants(16, 32, x[16 * ib:16 * ib + 16], qw[16 * ib:16 * ib + 16])
        scales.append(s)
        L[16 * ib:16 * ib + 16] = Lb
        if f32(abs(s)) > max_abs:
            max_abs, max_scale = f32(abs(s)), s
    if max_abs < GROUP_MAX_EPS:
        return [0] * 210
    iscale = f32(f32(-128) / max_scale)
    d_bits = fp16_bits(f32(f32(1) / iscale))
    sc = [min(127, nearest_int(f32(iscale * s))) for s in scales]
    for j in range(16):
        dd = f32(fp16_value(d_bits) * f32(sc[j]))
        if dd == 0:
            continue
        for i in range(16):
            L[16 * j + i] = max(-32, min(31, nearest_int(f32(x[16 * j + i] / dd)))) + 32
    ql, qh = [0] * 128, [0] * 64
    for half in range(2):
        j = 128 * half
        for l in range(32):
            ql[64 * half + l] = (L[j + l] & 0xF) | ((L[j + l + 64] & 0xF) << 4)
            ql[64 * half + l + 32] = (L[j + l + 32] & 0xF) | ((L[j + l + 96] & 0xF) << 4)
            qh[32 * half + l] = ((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4)
                                 | ((L[j + l + 96] >> 4) << 6))
    return ql + qh + [u8(s) for s in sc] + half_le(d_bits)


# ---- inputs -------------------------------------------------------------------------------

def k_input(seed):
    rng = np.random.default_rng(seed)
    rows = []
    g = lambda s=1.0: (rng.standard_normal(QKK) * s).astype(f32)
    rows.append(g())                                   # Gaussian
    rows.append(g(0.02))                               # a typical weight scale
    rows.append(rng.standard_t(2, QKK).astype(f32))    # heavy tails
    t = g()
    t[17] = f32(25)                                    # one outlier
    t[200] = f32(-40)
    rows.append(t)
    rows.append(np.full(QKK, f32(0.75)))               # all equal
    rows.append(np.full(QKK, f32(-1.5)))               # all equal, negative
    rows.append(np.zeros(QKK, f32))                    # zeros
    t = g()
    t[:128] = 0                                        # half zero
    rows.append(t)
    rows.append(g(1e-6))                               # tiny
    rows.append(g(1e-20))                              # below llama.cpp's all-zero threshold
    rows.append(g(4e3))                                # huge (fp16 scales near their top)
    rows.append(np.abs(g()))                           # all positive: the min clamps to 0
    rows.append(-np.abs(g()))                          # all negative
    rows.append((np.round(g() * 2) / 2).astype(f32))   # coarse grid: ties
    t = g(0.05)
    t[::16] = f32(0)                                   # sub-blocks with zeros
    t[32:64] = f32(0)                                  # an all-zero sub-block
    rows.append(t)
    rows.append(rng.uniform(-1, 1, QKK).astype(f32))   # uniform
    return np.stack(rows).astype(f32)


def k_weights(seed, rows):
    rng = np.random.default_rng(seed)
    w = np.exp(rng.standard_normal((rows, QKK)) * 1.5).astype(f32)  # imatrix-like: positive, spread
    w[1] = f32(1)                                                  # uniform importance
    w[3, 40:60] = f32(0)                                           # unused columns
    w[5, ::3] *= f32(100)
    return w.astype(f32)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    x = k_input(11)
    w = k_weights(12, len(x))
    x.reshape(-1).tofile(os.path.join(out, "input_k.f32"))
    w.reshape(-1).tofile(os.path.join(out, "weights_k.f32"))
    rows = [list(r) for r in x]
    wrows = [list(r) for r in w]

    def write(name, data):
        np.array(data, np.uint8).tofile(os.path.join(out, name))

    for name, fn, deq in (("q2_k", q2_k, deq_q2_k), ("q3_k", q3_k, deq_q3_k), ("q5_k", q5_k, deq_q5_k)):
        blocks = [fn(r) for r in rows]
        write(name + ".bin", sum(blocks, []))
        np.array(sum((deq(b) for b in blocks), []), np.float32).tofile(os.path.join(out, name + ".deq.f32"))
    legacy = (("q4_0", q4_0_w_block), ("q4_1", q4_1_w_block), ("q5_0", q5_0_w_block), ("q5_1", q5_1_w_block))
    for name, fn in legacy:
        write(name + "_w.bin", sum((legacy_row(r, q, fn) for r, q in zip(rows, wrows)), []))
    for name, fn in (("q2_k", q2_k_w), ("q3_k", q3_k_w), ("q4_k", q4_k_w), ("q5_k", q5_k_w), ("q6_k", q6_k_w)):
        write(name + "_w.bin", sum((fn(r, q) for r, q in zip(rows, wrows)), []))


if __name__ == "__main__":
    main()
