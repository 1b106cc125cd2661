"""GGUF fixtures. Q8_0 and Q4_0 blocks are quantized here with llama.cpp's
reference algorithms (quantize_row_q8_0_ref / q4_0_ref) and the other block
types are random bytes; every expected value comes from an independent NumPy
port of llama.cpp's dequantize_row_* in float32 arithmetic. Where llama.cpp
computes x*d + m, a compiler may fuse it: "expected_alt" holds the fused result."""
import numpy as np
import torch

from fixture_common import Manifest, out_dir_from_argv
import gguf_writer as g

m = Manifest(out_dir_from_argv())
rng = np.random.default_rng(5)
f32 = np.float32


def f16(x):
    return np.asarray(x, np.float16)


def rand_half(n, lo, hi):
    return f16(rng.uniform(lo, hi, n))


def quant_q8_0(x):
    x = x.reshape(-1, 32).astype(f32)
    amax = np.abs(x).max(axis=1)
    d = (amax / f32(127)).astype(f32)
    idv = np.where(d != 0, f32(1) / np.where(d != 0, d, f32(1)), f32(0)).astype(f32)
    v = (x * idv[:, None]).astype(f32)
    t = np.trunc(v)
    q = (t + np.where(np.abs(v - t) >= f32(0.5), np.sign(v), f32(0))).astype(np.int8)  # C roundf
    dh = f16(d)
    raw = b"".join(dh[i].tobytes() + q[i].tobytes() for i in range(len(d)))
    deq = q.astype(f32) * dh.astype(f32)[:, None]
    return raw, deq.reshape(-1)


def quant_q4_0(x):
    x = x.reshape(-1, 32).astype(f32)
    idx = np.abs(x).argmax(axis=1)
    mx = x[np.arange(len(x)), idx]
    d = (mx / f32(-8)).astype(f32)
    idv = np.where(d != 0, f32(1) / np.where(d != 0, d, f32(1)), f32(0)).astype(f32)
    v = x * idv[:, None] + f32(8.5)
    q = np.minimum(15, np.trunc(v).astype(np.int8)).astype(np.uint8)
    packed = (q[:, :16] | (q[:, 16:] << 4)).astype(np.uint8)
    dh = f16(d)
    raw = b"".join(dh[i].tobytes() + packed[i].tobytes() for i in range(len(d)))
    deq = (q.astype(np.int8) - 8).astype(f32) * dh.astype(f32)[:, None]
    return raw, deq.reshape(-1)


def fma32(a, b, c):
    """a*b + c rounded once (float64 holds the product of two float32s exactly)."""
    return (a.astype(np.float64) * b.astype(np.float64) + c.astype(np.float64)).astype(f32)


def rand_q4_1(nb):
    d, mn = rand_half(nb, -0.05, 0.05), rand_half(nb, -1, 1)
    qs = rng.integers(0, 256, (nb, 16), dtype=np.uint8)
    raw = b"".join(d[i].tobytes() + mn[i].tobytes() + qs[i].tobytes() for i in range(nb))
    q = np.concatenate([qs & 0xF, qs >> 4], axis=1).astype(f32)
    D, M = d.astype(f32)[:, None], mn.astype(f32)[:, None]
    return raw, (q * D + M).reshape(-1), fma32(q, D, M).reshape(-1)


def q5_high(qh):
    bits = np.array([[(int(h) >> j) & 1 for j in range(32)] for h in qh], dtype=np.uint8)
    return bits[:, :16] << 4, bits[:, 16:] << 4


def rand_q5(nb, with_min):
    d = rand_half(nb, -0.05, 0.05)
    mn = rand_half(nb, -1, 1)
    qh = rng.integers(0, 2**32, nb, dtype=np.uint64).astype(np.uint32)
    qs = rng.integers(0, 256, (nb, 16), dtype=np.uint8)
    raw = b"".join(d[i].tobytes() + (mn[i].tobytes() if with_min else b"") + qh[i].astype("<u4").tobytes()
                   + qs[i].tobytes() for i in range(nb))
    h0, h1 = q5_high(qh)
    q = np.concatenate([(qs & 0xF) | h0, (qs >> 4) | h1], axis=1).astype(np.int32)
    D = d.astype(f32)[:, None]
    if not with_min:
        return raw, ((q - 16).astype(f32) * D).reshape(-1), None
    M = mn.astype(f32)[:, None]
    return raw, (q.astype(f32) * D + M).reshape(-1), fma32(q.astype(f32), D, M).reshape(-1)


def scale_min_k4(j, s):
    if j < 4:
        return s[j] & 63, s[j + 4] & 63
    return (s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4), (s[j + 4] >> 4) | ((s[j] >> 6) << 4)


def rand_q4_k(nb):
    raw, out, alt = b"", [], []
    for _ in range(nb):
        d, dmin = rand_half(1, -0.01, 0.01)[0], rand_half(1, -0.01, 0.01)[0]
        sc = rng.integers(0, 256, 12, dtype=np.uint8)
        qs = rng.integers(0, 256, 128, dtype=np.uint8)
        raw += d.tobytes() + dmin.tobytes() + sc.tobytes() + qs.tobytes()
        D, MIN = f32(d), f32(dmin)
        for j in range(4):
            q = qs[32 * j:32 * j + 32]
            for half, nib in ((0, q & 0xF), (1, q >> 4)):
                s, mm = scale_min_k4(2 * j + half, sc)
                d1, m1 = f32(D * f32(s)), f32(MIN * f32(mm))
                v = nib.astype(f32)
                out.append(v * d1 - m1)
                alt.append(fma32(v, np.full(32, d1, f32), np.full(32, -m1, f32)))
    return raw, np.concatenate(out), np.concatenate(alt)


def rand_q6_k(nb):
    raw, out = b"", []
    for _ in range(nb):
        ql = rng.integers(0, 256, 128, dtype=np.uint8)
        qh = rng.integers(0, 256, 64, dtype=np.uint8)
        sc = rng.integers(-128, 128, 16).astype(np.int8)
        d = rand_half(1, -0.01, 0.01)[0]
        raw += ql.tobytes() + qh.tobytes() + sc.tobytes() + d.tobytes()
        y = np.zeros(256, f32)
        D = f32(d)
        for n in range(2):
            L, H, S = ql[64 * n:], qh[32 * n:], sc[8 * n:]
            for l in range(32):
                i = l // 16
                q1 = int((L[l] & 0xF) | (((H[l] >> 0) & 3) << 4)) - 32
                q2 = int((L[l + 32] & 0xF) | (((H[l] >> 2) & 3) << 4)) - 32
                q3 = int((L[l] >> 4) | (((H[l] >> 4) & 3) << 4)) - 32
                q4 = int((L[l + 32] >> 4) | (((H[l] >> 6) & 3) << 4)) - 32
                for off, s, q in ((0, S[i], q1), (32, S[i + 2], q2), (64, S[i + 4], q3), (96, S[i + 6], q4)):
                    y[128 * n + l + off] = f32(f32(D * f32(s)) * f32(q))
        out.append(y)
    return raw, np.concatenate(out)


tensors, expected = [], []


def add(name, ne, ttype, dtype, raw, deq, alt=None):
    tensors.append((name, ne, ttype, raw))
    shape = list(reversed(ne))
    expected.append((name, np.asarray(deq, f32).reshape(shape), dtype, alt))


w = rng.standard_normal((4, 64)).astype(f32)
add("blk.0.attn_q.weight", [64, 4], 8, "Q8_0", *quant_q8_0(w))
w = rng.standard_normal((3, 2, 64)).astype(f32)
add("blk.0.ffn_up.weight", [64, 2, 3], 2, "Q4_0", *quant_q4_0(w))
add("q4_1", [64, 3], 3, "Q4_1", *rand_q4_1(6))
add("q5_0", [32, 5], 6, "Q5_0", *rand_q5(5, False))
add("q5_1", [96, 2], 7, "Q5_1", *rand_q5(6, True))
add("q4_k", [512, 2], 12, "Q4_K", *rand_q4_k(4))
add("q6_k", [256, 3], 14, "Q6_K", *rand_q6_k(3))
x = rng.standard_normal((5, 7)).astype(f32)
add("output_norm.weight", [7, 5], 0, "F32", x.tobytes(), x)
h = rng.standard_normal((6,)).astype(np.float16)
add("token_embd.f16", [6], 1, "F16", h.tobytes(), h.astype(f32))
bf = torch.tensor(rng.standard_normal((2, 8)), dtype=torch.float32).bfloat16()
add("bf16", [8, 2], 30, "BF16", bf.view(torch.int16).numpy().tobytes(), bf.float().numpy())

kvs = [
    ("general.architecture", g.STRING, "llama"),
    ("general.alignment", g.U32, 64),
    ("llama.context_length", g.U32, 4096),
    ("llama.rope.freq_base", g.F32, 10000.0),
    ("test.i8", g.I8, -5), ("test.u16", g.U16, 65535), ("test.i64", g.I64, -(2**40)),
    ("test.f64", g.F64, 0.125), ("test.bool", g.BOOL, True),
    ("tokenizer.ggml.tokens", g.ARRAY, (g.STRING, ["<unk>", "<s>", "</s>"] + ["t%d" % i for i in range(20)])),
    ("test.nested", g.ARRAY, (g.ARRAY, [(g.I32, [1, 2]), (g.I32, [3])])),
]
g.write_gguf(m.path("model.gguf"), kvs, tensors, alignment=64)
meta = {"general.architecture": "llama", "general.alignment": "64", "llama.context_length": "4096",
        "llama.rope.freq_base": "10000", "test.i8": "-5", "test.u16": "65535", "test.i64": str(-(2**40)),
        "test.f64": "0.125", "test.bool": "true", "gguf.version": "3",
        "tokenizer.ggml.tokens": "[23 x string] <unk>, <s>, </s>, t0, t1, t2, t3, t4, ...",
        "test.nested": "[2 x array] [2 x int32] 1, 2, [1 x int32] 3"}
m.add("model.gguf", [(n, e, d) for n, e, d, _ in expected], metadata=meta, fmt="gguf")
for (n, e, d, alt), t in zip(expected, m.files[-1]["tensors"]):
    if alt is not None:
        ref = "alt_" + t["expected"]
        np.asarray(alt, f32).astype("<f4").tofile(m.path(ref))
        t["expected_alt"] = ref

# A v2 file with the default alignment.
g.write_gguf(m.path("v2.gguf"), [("general.name", g.STRING, "tiny")], [tensors[7]], version=2)
m.add("v2.gguf", [expected[7][:3]], metadata={"general.name": "tiny", "gguf.version": "2"}, fmt="gguf")
m.write()
