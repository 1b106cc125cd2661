"""Reference bytes and values for tests/core/gguf_iq_test.cpp: llama.cpp's
IQ4_NL / IQ4_XS (quantize_iq4_nl, quantize_row_iq4_nl_ref, quantize_iq4_xs,
with and without importance weights), TQ1_0 / TQ2_0, MXFP4 and NVFP4
quantizers and dequantizers (ggml-quants.c, ggml-impl.h, ggml-common.h)
re-implemented in NumPy float32 arithmetic. Blocks run side by side as array
lanes; within a block every sum runs element by element in C's order, so no
reduction is reassociated. MXFP4's exponent uses the C library's log2f (through
ctypes), as llama.cpp does.

usage: gguf_iq_refs.py OUTDIR
  input32.f32 input256.f32 weights32.f32 weights256.f32   inputs (rows of 32 / 256)
  <name>.bin       quantized bytes, <name>.deq.f32   those bytes dequantized
  names: iq4_nl iq4_nl_ref iq4_nl_w iq4_xs iq4_xs_w (rows 0..IQ_ROWS) tq1_0 tq2_0 mxfp4 nvfp4
  ue4m3.f32 e8m0.f32   every scale byte decoded (ggml's halved convention)
  ue4m3_in.f32 ue4m3_out.u8   ggml_fp32_to_ue4m3 on a sweep of floats
"""
import ctypes
import ctypes.util
import os
import sys

import numpy as np

f32 = np.float32
KV_IQ4 = np.array([-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113], np.int32)
KV_MX = np.array([0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12], np.int32)

_libm = ctypes.CDLL(ctypes.util.find_library("m"))
_libm.log2f.restype = ctypes.c_float
_libm.log2f.argtypes = [ctypes.c_float]


def fp16_bytes(v):
    return np.asarray(v, f32).astype(np.float16).view(np.uint8).reshape(-1, 2)


def fp16_value(v):
    return np.asarray(v, f32).astype(np.float16).astype(f32)


def safe_recip(d):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d != 0, f32(1) / np.where(d != 0, d, f32(1)), f32(0)).astype(f32)


# ---------------------------------------------------------------- IQ4_NL / IQ4_XS

def best_index_int8(x):
    """best_index_int8 on the 16 sorted levels: 2x against the exact sum of neighbours."""
    x2 = (x + x).astype(f32)
    idx = np.zeros(x.shape, np.int64)
    for step in (8, 4, 2, 1):
        j = idx + step
        thr = (KV_IQ4[j - 1] + KV_IQ4[j]).astype(f32)
        idx = np.where(x2 >= thr, j, idx)
    return idx


def iq4_impl(X, W, ntry):
    """quantize_row_iq4_nl_impl(super_block = X.shape[1], block_size 32, 16 values) on every row of X.
    Returns (d fp16 bytes, L indices, scales_h, scales_l)."""
    B, S = X.shape
    rows = np.arange(B)
    sigma2 = np.zeros(B, f32)
    for j in range(S):
        sigma2 = (sigma2 + X[:, j] * X[:, j]).astype(f32)
    sigma2 = (sigma2 * (f32(2) / f32(S))).astype(f32)
    nb = S // 32
    L = np.zeros((B, S), np.int64)
    scales = np.zeros((B, nb), f32)
    max_scale = np.zeros(B, f32)
    amax_scale = np.zeros(B, f32)
    v0 = f32(KV_IQ4[0])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for ib in range(nb):
            xb = X[:, 32 * ib:32 * ib + 32]
            if W is not None:
                weight = (W[:, 32 * ib:32 * ib + 32] * np.sqrt((sigma2[:, None] + xb * xb).astype(f32))).astype(f32)
            else:
                weight = (xb * xb).astype(f32)
            ax = np.abs(xb)
            first = ax.argmax(axis=1)
            amax = ax[rows, first]
            mx = np.where(amax > 0, xb[rows, first], f32(0)).astype(f32)
            zero = amax < f32(1e-15)
            d = ((-mx if ntry > 0 else mx) / v0).astype(f32)
            iden = (f32(1) / d).astype(f32)
            sumqx = np.zeros(B, f32)
            sumq2 = np.zeros(B, f32)
            for j in range(32):
                l = best_index_int8((iden * xb[:, j]).astype(f32))
                L[:, 32 * ib + j] = l
                q = KV_IQ4[l].astype(f32)
                w = weight[:, j]
                sumqx = (sumqx + w * q * xb[:, j]).astype(f32)
                sumq2 = (sumq2 + w * q * q).astype(f32)
            d = np.where(sumq2 > 0, sumqx / sumq2, f32(0)).astype(f32)
            best = (d * sumqx).astype(f32)
            for itry in range(-ntry, ntry + 1):
                iden = (f32(itry + KV_IQ4[0]) / mx).astype(f32)
                sumqx = np.zeros(B, f32)
                sumq2 = np.zeros(B, f32)
                for j in range(32):
                    q = KV_IQ4[best_index_int8((iden * xb[:, j]).astype(f32))].astype(f32)
                    w = weight[:, j]
                    sumqx = (sumqx + w * q * xb[:, j]).astype(f32)
                    sumq2 = (sumq2 + w * q * q).astype(f32)
                better = (sumq2 > 0) & (sumqx * sumqx > best * sumq2)
                d = np.where(better, sumqx / sumq2, d).astype(f32)
                best = np.where(better, d * sumqx, best).astype(f32)
            d = np.where(zero, f32(0), d).astype(f32)
            L[zero, 32 * ib:32 * ib + 32] = 0
            scales[:, ib] = d
            upd = ~zero & (np.abs(d) > amax_scale)
            amax_scale = np.where(upd, np.abs(d), amax_scale).astype(f32)
            max_scale = np.where(upd, d, max_scale).astype(f32)

        scales_h = np.zeros(B, np.uint16)
        scales_l = np.zeros((B, max(nb // 2, 1)), np.uint8)
        if nb > 1:
            d = (-max_scale / f32(32)).astype(f32)
            dh = fp16_bytes(d)
            iden = safe_recip(d)
            for ib in range(nb):
                l = np.rint((iden * scales[:, ib]).astype(f32)).astype(np.int64)  # nearest_int: ties to even
                l = np.clip(l, -32, 31)
                dl = (d * l.astype(f32)).astype(f32)
                idl = safe_recip(dl)
                xb = X[:, 32 * ib:32 * ib + 32]
                L[:, 32 * ib:32 * ib + 32] = best_index_int8((idl[:, None] * xb).astype(f32))
                l = l + 32
                scales_l[:, ib // 2] |= ((l & 0xF) << (4 * (ib % 2))).astype(np.uint8)
                scales_h |= ((l >> 4) << (2 * (ib % 8))).astype(np.uint16)
        else:
            dh = fp16_bytes(scales[:, 0])
            if ntry > 0:
                iden = safe_recip(scales[:, 0])
                L = best_index_int8((iden[:, None] * X).astype(f32))
    return dh, L, scales_h, scales_l


def pack_nibbles(L):
    B, S = L.shape
    L = L.reshape(B, S // 32, 32)
    return (L[:, :, :16] | (L[:, :, 16:] << 4)).reshape(B, S // 2).astype(np.uint8)


def iq4_nl(X, W=None, ntry=7):
    """quantize_iq4_nl (ntry 7) / quantize_row_iq4_nl_ref (ntry -1): one block per row of 32."""
    dh, L, _, _ = iq4_impl(X, W, ntry)
    return np.concatenate([dh, pack_nibbles(L)], axis=1)


def iq4_xs(X, W=None):
    dh, L, sh, sl = iq4_impl(X, W, 7)
    return np.concatenate([dh, sh.astype("<u2").view(np.uint8).reshape(-1, 2), sl, pack_nibbles(L)], axis=1)


def unpack_nibbles(qs):
    B, n = qs.shape
    q = qs.reshape(B, n // 16, 16).astype(np.int64)
    return np.concatenate([q & 0xF, q >> 4], axis=2).reshape(B, 2 * n)


def deq_iq4_nl(b):
    d = b[:, 0:2].copy().view(np.float16).astype(f32)
    return (d * KV_IQ4[unpack_nibbles(b[:, 2:])].astype(f32)).astype(f32)


def deq_iq4_xs(b):
    d = b[:, 0:2].copy().view(np.float16).astype(f32)[:, 0]
    sh = b[:, 2:4].copy().view("<u2")[:, 0].astype(np.int64)
    sl = b[:, 4:8].astype(np.int64)
    q = unpack_nibbles(b[:, 8:])
    y = np.zeros(q.shape, f32)
    for ib in range(8):
        ls = ((sl[:, ib // 2] >> (4 * (ib % 2))) & 0xF) | (((sh >> (2 * ib)) & 3) << 4)
        dl = (d * (ls - 32).astype(f32)).astype(f32)
        y[:, 32 * ib:32 * ib + 32] = dl[:, None] * KV_IQ4[q[:, 32 * ib:32 * ib + 32]].astype(f32)
    return y


# ---------------------------------------------------------------- TQ1_0 / TQ2_0

def trits(X):
    """lroundf(x / d) + 1 with d = absmax (no fp16 rounding of d for the division)."""
    d = np.abs(X).max(axis=1).astype(f32)
    v = (X * safe_recip(d)[:, None]).astype(f32).astype(np.float64)
    return d, (np.sign(v) * np.floor(np.abs(v) + 0.5)).astype(np.int64) + 1


def ceil_243(q):
    return ((q * 256 + 242) // 243).astype(np.uint8)


def tq1_0(X):
    d, t = trits(X)
    B = len(X)
    qs = np.zeros((B, 48), np.int64)
    for m in range(32):
        for n in range(5):
            qs[:, m] = qs[:, m] * 3 + t[:, m + 32 * n]
    for m in range(16):
        for n in range(5):
            qs[:, 32 + m] = qs[:, 32 + m] * 3 + t[:, 160 + m + 16 * n]
    qh = np.zeros((B, 4), np.int64)
    for j in range(4):
        for m in range(4):
            qh[:, j] = qh[:, j] * 3 + t[:, 240 + j + 4 * m]
        qh[:, j] *= 3
    return np.concatenate([ceil_243(qs), ceil_243(qh), fp16_bytes(d)], axis=1)


def tq2_0(X):
    d, t = trits(X)
    B = len(X)
    qs = np.zeros((B, 64), np.int64)
    for j in (0, 32):
        for m in range(32):
            for n in range(4):
                qs[:, j + m] += (t[:, 4 * j + m + 32 * n] & 3) << (2 * n)
    return np.concatenate([qs.astype(np.uint8), fp16_bytes(d)], axis=1)


def trit_of(byte, n):
    q = (byte.astype(np.int64) * 3 ** n) & 0xFF
    return (q * 3) >> 8


def deq_tq1_0(b):
    d = b[:, 52:54].copy().view(np.float16).astype(f32)
    t = np.zeros((len(b), 256), np.int64)
    for n in range(5):
        for m in range(32):
            t[:, 32 * n + m] = trit_of(b[:, m], n)
        for m in range(16):
            t[:, 160 + 16 * n + m] = trit_of(b[:, 32 + m], n)
    for n in range(4):
        for j in range(4):
            t[:, 240 + 4 * n + j] = trit_of(b[:, 48 + j], n)
    return ((t - 1).astype(f32) * d).astype(f32)


def deq_tq2_0(b):
    d = b[:, 64:66].copy().view(np.float16).astype(f32)
    t = np.zeros((len(b), 256), np.int64)
    for j in (0, 32):
        for l in range(4):
            for m in range(32):
                t[:, 4 * j + 32 * l + m] = (b[:, j + m].astype(np.int64) >> (2 * l)) & 3
    return ((t - 1).astype(f32) * d).astype(f32)


# ---------------------------------------------------------------- MXFP4 / NVFP4

def e8m0_half(e):
    e = np.asarray(e, np.uint32)
    bits = np.where(e < 2, np.uint32(0x00200000) << e, (e - 1) << 23).astype(np.uint32)
    return bits.view(f32)


def ue4m3_half(c):
    """ggml_ue4m3_to_fp32: unsigned E4M3 (bias 7) halved; 0 and 0x7F are 0."""
    c = np.asarray(c, np.int64)
    exp, man = (c >> 3) & 0xF, c & 7
    raw = np.where(exp == 0, man * 2.0 ** -9, (1 + man / 8.0) * np.exp2(exp - 7.0))
    return np.where((c == 0) | (c == 0x7F), 0.0, raw * 0.5).astype(f32)


def fp32_to_ue4m3(x):
    """ggml_fp32_to_ue4m3, one float32 at a time."""
    x = f32(x)
    if not x > 0:
        return 0
    if x > f32(448):
        x = f32(448)
    bits = int(np.array(x, f32).view(np.uint32))
    exp = ((bits >> 23) & 0xFF) - 127 + 7
    if exp <= 0:
        man = int(f32(x * f32(512)) + f32(0.5))
        man = min(man, 7)
        return 0 if man < 1 else man
    if exp >= 15:
        return 0x7E
    man = ((bits >> 20) & 7) + ((bits >> 19) & 1)
    if man > 7:
        man = 0
        exp += 1
        if exp >= 15:
            return 0x7E
    return (exp << 3) | man


def best_index_mxfp4(x, d):
    """First level of least |kvalue * d - x| (float32 arithmetic)."""
    err = np.abs((KV_MX.astype(f32)[None, None, :] * d[:, None, None]).astype(f32) - x[:, :, None]).astype(f32)
    return err.argmin(axis=2)


def pack_halves(idx):
    h = idx.shape[1] // 2
    return (idx[:, :h] | (idx[:, h:] << 4)).astype(np.uint8)


def mxfp4(X):
    amax = np.abs(X).max(axis=1).astype(f32)
    e = np.zeros(len(X), np.uint32)
    for i, a in enumerate(amax):
        if a > 0:
            v = f32(np.floor(f32(_libm.log2f(float(a))))) - f32(2) + f32(127)
            e[i] = int(v) & 0xFF  # the x86 conversion: to int32, keep the low byte
    d = e8m0_half(e)
    return np.concatenate([e.astype(np.uint8)[:, None], pack_halves(best_index_mxfp4(X, d))], axis=1)


def nvfp4(X):
    B = len(X)
    out = np.zeros((B, 36), np.uint8)
    for s in range(4):
        xb = X[:, 16 * s:16 * s + 16]
        amax = np.abs(xb).max(axis=1).astype(f32)
        ue = np.array([fp32_to_ue4m3(f32(a / f32(6))) for a in amax], np.int64)
        out[:, s] = ue
        out[:, 4 + 8 * s:4 + 8 * s + 8] = pack_halves(best_index_mxfp4(xb, ue4m3_half(ue)))
    return out


def deq_mxfp4(b):
    d = e8m0_half(b[:, 0])
    idx = np.concatenate([b[:, 1:] & 0xF, b[:, 1:] >> 4], axis=1)
    return (KV_MX[idx].astype(f32) * d[:, None]).astype(f32)


def deq_nvfp4(b):
    y = np.zeros((len(b), 64), f32)
    for s in range(4):
        q = b[:, 4 + 8 * s:4 + 8 * s + 8]
        idx = np.concatenate([q & 0xF, q >> 4], axis=1)
        y[:, 16 * s:16 * s + 16] = KV_MX[idx].astype(f32) * ue4m3_half(b[:, s])[:, None]
    return y


# ---------------------------------------------------------------- inputs

IQ_ROWS32 = 640  # rows of input32 the IQ4 types take (the rest overflow their float sums)
IQ_ROWS256 = 96


def inputs32(rng):
    n = lambda k: rng.standard_normal((k, 32)).astype(f32)
    blocks = [
        n(200),                                                    # Gaussian
        rng.standard_t(2, (100, 32)).astype(f32),                  # heavy tails
    ]
    out = n(50)
    out[np.arange(50), rng.integers(0, 32, 50)] *= f32(50)         # one outlier each
    blocks.append(out)
    blocks.append(np.repeat(rng.standard_normal((20, 1)), 32, axis=1).astype(f32))  # all equal
    blocks.append(np.zeros((10, 32), f32))
    tiny = n(20)
    tiny[:5] *= f32(1e-6)
    tiny[5:10] *= f32(1e-12)
    tiny[10:15] *= f32(1e-20)                                       # squares are subnormal
    tiny[15:] *= f32(1e-16)                                         # amax below IQ4's 1e-15
    blocks.append(tiny)
    blocks.append(n(20) * f32(1e6))
    blocks.append((np.round(n(50) * 4) / 4 * np.exp2(rng.integers(-6, 6, (50, 1)))).astype(f32))  # ties
    # MXFP4 / NVFP4 ties between E2M1 levels: amax 6 * 2^k, values at midpoints.
    mids = np.array([0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0], f32)
    t = rng.choice(np.concatenate([mids, -mids, [6.0, -6.0, 0.0]]).astype(f32), (30, 32))
    t[:, 0] = f32(6)
    blocks.append((t * np.exp2(rng.integers(-10, 10, (30, 1)))).astype(f32))
    # amax just below a power of two (log2f rounds up) and exactly on one
    below = n(20) * f32(0.1)
    below[:10, 3] = np.nextafter(np.exp2(rng.integers(1, 20, 10)).astype(f32), f32(0))
    below[10:, 3] = -np.exp2(rng.integers(1, 20, 10)).astype(f32)
    blocks.append(below)
    signs = np.abs(n(20))
    signs[:, 7] = -f32(5)                                            # the largest value negative
    blocks.append(signs)
    # values on IQ4 grid midpoints times a scale
    mid = ((KV_IQ4[:-1] + KV_IQ4[1:]) / 2.0).astype(f32)
    g = rng.choice(np.concatenate([mid, KV_IQ4.astype(f32)]), (50, 32)).astype(f32)
    g[:, 0] = f32(-127)
    blocks.append((g * f32(0.01)).astype(f32))
    blocks.append(rng.uniform(-1, 1, (50, 32)).astype(f32))
    x = np.concatenate(blocks).astype(f32)
    assert len(x) == IQ_ROWS32, len(x)
    # extremes for the types without float sums of squares
    wide = n(24)
    wide[:6] *= f32(1e30)
    wide[6:12] *= f32(1e-30)
    wide[12:18] *= f32(1e-40)                                        # subnormal inputs
    wide[18:20] = f32(3e38) * np.sign(wide[18:20])
    wide[20:] *= f32(1e-39)
    return np.concatenate([x, wide]).astype(f32)


def inputs256(rng, x32):
    x = x32[:IQ_ROWS32].reshape(-1, 256).copy()                      # mixed sub-blocks: 80 rows
    extra = rng.standard_normal((16, 256)).astype(f32)
    extra[0] = 0
    extra[1] = f32(0.3)
    extra[2, :32] *= f32(1000)                                       # one loud sub-block: others round to l = 0
    extra[3, ::2] = f32(0.5)                                         # x / amax exactly 0.5: lroundf ties
    extra[3, 1::2] = -f32(0.5)
    extra[3, 0] = f32(1)
    extra[4] *= f32(1e-20)
    extra[5, 100:] = 0
    extra[6] = np.round(extra[6] * 2) / 2
    x = np.concatenate([x, extra]).astype(f32)
    assert len(x) == IQ_ROWS256
    wide = x32[IQ_ROWS32:].reshape(-1, 256)                           # 3 rows of extremes
    return np.concatenate([x, wide]).astype(f32)


def weights(rng, shape):
    w = rng.gamma(0.7, 2.0, shape).astype(f32)
    w[:, ::9] = 0
    w[3] = 0                                                          # a row without weight
    w[5] = f32(1e-3)
    return w


def main():
    out = sys.argv[1]
    np.seterr(all="ignore")  # fp16 d of 1e30 is inf, as in llama.cpp; 0 * inf is NaN when dequantized
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261130)
    x32 = inputs32(rng)
    x256 = inputs256(rng, x32)
    w32 = weights(rng, (IQ_ROWS32, 32))
    w256 = weights(rng, (IQ_ROWS256, 256))
    for name, a in (("input32", x32), ("input256", x256), ("weights32", w32), ("weights256", w256)):
        a.astype("<f4").tofile(os.path.join(out, name + ".f32"))

    xi32, xi256 = x32[:IQ_ROWS32], x256[:IQ_ROWS256]
    results = {
        "iq4_nl": (iq4_nl(xi32), deq_iq4_nl),
        "iq4_nl_ref": (iq4_nl(xi32, ntry=-1), deq_iq4_nl),
        "iq4_nl_w": (iq4_nl(xi32, w32), deq_iq4_nl),
        "iq4_xs": (iq4_xs(xi256), deq_iq4_xs),
        "iq4_xs_w": (iq4_xs(xi256, w256), deq_iq4_xs),
        "tq1_0": (tq1_0(x256), deq_tq1_0),
        "tq2_0": (tq2_0(x256), deq_tq2_0),
        "mxfp4": (mxfp4(x32), deq_mxfp4),
        "nvfp4": (nvfp4(x256.reshape(-1, 64)), deq_nvfp4),
    }
    for name, (b, deq) in results.items():
        b.astype(np.uint8).tofile(os.path.join(out, name + ".bin"))
        deq(b).astype("<f4").tofile(os.path.join(out, name + ".deq.f32"))

    codes = np.arange(256)
    ue4m3_half(codes).astype("<f4").tofile(os.path.join(out, "ue4m3.f32"))
    e8m0_half(codes).astype("<f4").tofile(os.path.join(out, "e8m0.f32"))
    # ggml_fp32_to_ue4m3 on every float32 of [2^-12, 512) at a stride of 2^9 in
    # the bit pattern, every decoded value and its neighbours, and specials.
    sweep = np.arange(np.array(2.0 ** -12, f32).view(np.uint32), np.array(512.0, f32).view(np.uint32), 512,
                      dtype=np.uint32).view(f32)
    raw = (ue4m3_half(codes) * f32(2)).astype(f32)
    near = np.concatenate([raw, np.nextafter(raw, f32(0)), np.nextafter(raw, f32(1e9))])
    special = np.array([0, -0.0, -1, 1e-30, 2.0 ** -10, 2.0 ** -11, 448, 449, 1e30, np.inf], f32)
    enc_in = np.concatenate([sweep, near, special]).astype(f32)
    enc_in.astype("<f4").tofile(os.path.join(out, "ue4m3_in.f32"))
    np.array([fp32_to_ue4m3(v) for v in enc_in], np.uint8).tofile(os.path.join(out, "ue4m3_out.u8"))


if __name__ == "__main__":
    main()
