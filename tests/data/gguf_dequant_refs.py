"""NumPy ports of llama.cpp's dequantize_row_* (ggml/src/ggml-quants.c) for the
GGUF types QuantScope reads but never quantizes: IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS,
IQ2_S, IQ3_XXS, IQ3_S, Q8_K, Q8_1 (d * q: llama.cpp has no dequantize_row_q8_1),
and the plain F64, I8, I16, I32, I64 (nearest float32). Every operation is a
float32 operation in the C source's order, so results agree to the bit.

random_blocks(type, nb, rng) makes valid blocks: any byte is a grid index in
range (every index field is as wide as its grid), and the fp16 (Q8_K: fp32)
scales are set finite."""
import numpy as np

import gguf_iq_grids as grids

f32 = np.float32
QK_K = 256

# Type id -> (name, block elements, block bytes), ggml.h / ggml.c type_traits.
READ_ONLY = {
    9: ("Q8_1", 32, 36), 15: ("Q8_K", 256, 292), 16: ("IQ2_XXS", 256, 66), 17: ("IQ2_XS", 256, 74),
    18: ("IQ3_XXS", 256, 98), 19: ("IQ1_S", 256, 50), 21: ("IQ3_S", 256, 110), 22: ("IQ2_S", 256, 82),
    24: ("I8", 1, 1), 25: ("I16", 1, 2), 26: ("I32", 1, 4), 27: ("I64", 1, 8), 28: ("F64", 1, 8),
    29: ("IQ1_M", 256, 56),
}

KMASK = [1 << j for j in range(8)]
# ksigns_iq2xs[i]: the 7 sign bits i plus an 8th that makes the count of set bits even.
KSIGNS = [i | ((bin(i).count("1") & 1) << 7) for i in range(128)]
DELTA = f32(0.125)  # IQ1S_DELTA, IQ1M_DELTA


def _half(b, off):
    return f32(np.frombuffer(bytes(b[off:off + 2]), "<f2")[0])


def _u16(b, off):
    return int(b[off]) | (int(b[off + 1]) << 8)


def _u32(b, off):
    return _u16(b, off) | (_u16(b, off + 2) << 16)


def _grid_bytes(entry, n, signed=False):
    out = [(entry >> (8 * j)) & 0xFF for j in range(n)]
    return [v - 256 if signed and v >= 128 else v for v in out]


def _sign(signs, j):
    return f32(-1.0) if signs & KMASK[j] else f32(1.0)


def iq2_xxs(b):
    y = []
    d = _half(b, 0)
    for ib in range(8):
        q = 2 + 8 * ib
        aux1 = _u32(b, q + 4)
        db = f32(f32(d * f32(f32(0.5) + f32(aux1 >> 28))) * f32(0.25))
        for l in range(4):
            g = _grid_bytes(grids.IQ2XXS_GRID[b[q + l]], 8)
            s = KSIGNS[(aux1 >> (7 * l)) & 127]
            y += [f32(f32(db * f32(g[j])) * _sign(s, j)) for j in range(8)]
    return y


def _scales4(d, sc):
    return [f32(f32(d * f32(f32(0.5) + f32(sc & 0xF))) * f32(0.25)),
            f32(f32(d * f32(f32(0.5) + f32(sc >> 4))) * f32(0.25))]


def iq2_xs(b):
    y = []
    d = _half(b, 0)
    for ib in range(8):
        db = _scales4(d, b[66 + ib])
        for l in range(4):
            q = _u16(b, 2 + 2 * (4 * ib + l))
            g = _grid_bytes(grids.IQ2XS_GRID[q & 511], 8)
            s = KSIGNS[q >> 9]
            y += [f32(f32(db[l // 2] * f32(g[j])) * _sign(s, j)) for j in range(8)]
    return y


def iq2_s(b):
    y = []
    d = _half(b, 0)
    for ib in range(8):
        db = _scales4(d, b[74 + ib])
        qh = b[66 + ib]
        for l in range(4):
            idx = b[2 + 4 * ib + l] | ((qh << (8 - 2 * l)) & 0x300)
            g = _grid_bytes(grids.IQ2S_GRID[idx], 8)
            s = b[2 + 32 + 4 * ib + l]
            y += [f32(f32(db[l // 2] * f32(g[j])) * _sign(s, j)) for j in range(8)]
    return y


def iq3_xxs(b):
    y = []
    d = _half(b, 0)
    for ib in range(8):
        aux = _u32(b, 2 + 64 + 4 * ib)
        db = f32(f32(d * f32(f32(0.5) + f32(aux >> 28))) * f32(0.5))
        for l in range(4):
            s = KSIGNS[(aux >> (7 * l)) & 127]
            g1 = _grid_bytes(grids.IQ3XXS_GRID[b[2 + 8 * ib + 2 * l]], 4)
            g2 = _grid_bytes(grids.IQ3XXS_GRID[b[2 + 8 * ib + 2 * l + 1]], 4)
            g = g1 + g2
            y += [f32(f32(db * f32(g[j])) * _sign(s, j)) for j in range(8)]
    return y


def iq3_s(b):
    y = []
    d = _half(b, 0)
    for ib in range(8):  # one 32-value group: scale nibble ib % 2 of byte ib // 2
        sc = b[106 + ib // 2]
        db = f32(d * f32(1 + 2 * ((sc & 0xF) if ib % 2 == 0 else (sc >> 4))))
        qh = b[66 + ib]
        for l in range(4):
            i1 = b[2 + 8 * ib + 2 * l] | ((qh << (8 - 2 * l)) & 256)
            i2 = b[2 + 8 * ib + 2 * l + 1] | ((qh << (7 - 2 * l)) & 256)
            g = _grid_bytes(grids.IQ3S_GRID[i1], 4) + _grid_bytes(grids.IQ3S_GRID[i2], 4)
            s = b[74 + 4 * ib + l]
            y += [f32(f32(db * f32(g[j])) * _sign(s, j)) for j in range(8)]
    return y


def iq1_s(b):
    y = []
    d = _half(b, 0)
    for ib in range(8):
        qh = _u16(b, 34 + 2 * ib)
        dl = f32(d * f32(2 * ((qh >> 12) & 7) + 1))
        delta = -DELTA if qh & 0x8000 else DELTA
        for l in range(4):
            g = _grid_bytes(grids.IQ1S_GRID[b[2 + 4 * ib + l] | (((qh >> (3 * l)) & 7) << 8)], 8, signed=True)
            y += [f32(dl * f32(f32(g[j]) + delta)) for j in range(8)]
    return y


def iq1_m_scale_bits(b):
    sc = [_u16(b, 48 + 2 * s) for s in range(4)]
    return sc, (sc[0] >> 12) | ((sc[1] >> 8) & 0x00F0) | ((sc[2] >> 4) & 0x0F00) | (sc[3] & 0xF000)


def iq1_m(b):
    y = []
    sc, bits = iq1_m_scale_bits(b)
    d = f32(np.array([bits], "<u2").view("<f2")[0])
    for ib in range(8):
        s = sc[ib // 2] >> (6 * (ib % 2))
        dl = [f32(d * f32(2 * (s & 7) + 1)), f32(d * f32(2 * ((s >> 3) & 7) + 1))]
        qh0, qh1 = b[32 + 2 * ib], b[32 + 2 * ib + 1]
        qs = b[4 * ib:4 * ib + 4]
        idx = [qs[0] | ((qh0 << 8) & 0x700), qs[1] | ((qh0 << 4) & 0x700),
               qs[2] | ((qh1 << 8) & 0x700), qs[3] | ((qh1 << 4) & 0x700)]
        delta = [-DELTA if h else DELTA for h in (qh0 & 0x08, qh0 & 0x80, qh1 & 0x08, qh1 & 0x80)]
        for l in range(4):
            g = _grid_bytes(grids.IQ1S_GRID[idx[l]], 8, signed=True)
            y += [f32(dl[l // 2] * f32(f32(g[j]) + delta[l])) for j in range(8)]
    return y


def q8_1(b):
    d = _half(b, 0)
    q = np.frombuffer(bytes(b[4:36]), np.int8).astype(f32)
    return list(q * d)


def q8_k(b):
    d = f32(np.frombuffer(bytes(b[0:4]), "<f4")[0])
    q = np.frombuffer(bytes(b[4:260]), np.int8).astype(f32)
    return list(d * q)


BLOCK_DEQUANT = {9: q8_1, 15: q8_k, 16: iq2_xxs, 17: iq2_xs, 18: iq3_xxs, 19: iq1_s, 21: iq3_s, 22: iq2_s,
                 29: iq1_m}
PLAIN = {24: "<i1", 25: "<i2", 26: "<i4", 27: "<i8", 28: "<f8"}


def dequantize(type_id, raw):
    """The float32 values llama.cpp's dequantize_row_* gives for raw blocks."""
    if type_id in PLAIN:
        with np.errstate(over="ignore"):  # F64 beyond the float range becomes inf, as in C
            return np.frombuffer(raw, PLAIN[type_id]).astype(f32)
    _, _, nbytes = READ_ONLY[type_id]
    b = np.frombuffer(raw, np.uint8)
    out = []
    for i in range(len(b) // nbytes):
        out += BLOCK_DEQUANT[type_id](b[i * nbytes:(i + 1) * nbytes].tolist())
    return np.array(out, f32)


def _finite_half(rng, block):
    """A finite fp16 scale: mostly normal magnitudes, the odd subnormal one."""
    if block % 5 == 4:
        return np.float16(rng.integers(1, 1024) * 2.0**-24) * np.float16(rng.choice([-1, 1]))
    return np.float16(rng.uniform(-0.5, 0.5))


def random_blocks(type_id, nb, rng):
    """nb valid random blocks (plain types: nb values) as bytes."""
    if type_id in PLAIN:
        if type_id == 28:
            v = rng.standard_normal(nb) * 10.0 ** rng.integers(-50, 50, nb)
            v[:4] = [1e39, -1e300, 2.0**-140, 1.0 + 2.0**-30][:min(4, nb)]  # overflow, underflow, rounding
            return v.astype("<f8").tobytes()
        info = np.iinfo(PLAIN[type_id])
        v = rng.integers(info.min, info.max, nb, dtype=np.int64, endpoint=True)
        v[:2] = [info.min, info.max][:min(2, nb)]
        return v.astype(PLAIN[type_id]).tobytes()
    _, _, nbytes = READ_ONLY[type_id]
    out = b""
    for i in range(nb):
        b = rng.integers(0, 256, nbytes, dtype=np.uint8)
        if type_id == 15:  # Q8_K: float32 d first
            b[0:4] = np.frombuffer(np.array([rng.uniform(-0.01, 0.01)], "<f4").tobytes(), np.uint8)
        elif type_id == 29:  # IQ1_M: the fp16 scale is the top nibble of each scales uint16
            h = int(np.array([_finite_half(rng, i)], "<f2").view("<u2")[0])
            for s in range(4):
                hi = (h >> (4 * s)) & 0xF
                b[48 + 2 * s + 1] = (b[48 + 2 * s + 1] & 0x0F) | (hi << 4)
        else:  # fp16 d first
            b[0:2] = np.frombuffer(np.array([_finite_half(rng, i)], "<f2").tobytes(), np.uint8)
        out += b.tobytes()
    return out
