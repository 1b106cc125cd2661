"""Importance matrices in both forms llama.cpp's llama-imatrix writes
(tools/imatrix/imatrix.cpp), from simulated calibration sums, and what
llama-quantize (tools/quantize/quantize.cpp) loads from them; the broken
variants; and a NumPy reference of llama-imatrix --show-statistics
(compute_statistics, compute_cossim).

legacy .dat: int32 n_entries; per entry int32 len, name, int32 ncall,
  int32 nval, nval float32 = (Σx² / count) · ncall, where
  ncall = ceil(max(count) / chunk_size) and an expert with count 0 stores 1;
  then int32 last chunk, int32 len, dataset name.
  llama-quantize: w = value / ncall (value as is when ncall is 0).
GGUF: `<name>.in_sum2` F32 ne [n, n_mat] = Σx², `<name>.counts` F32
  ne [1, n_mat] (ggml drops trailing 1-dims: a dense entry is [n] and [1]),
  keys general.type, imatrix.datasets, imatrix.chunk_count, imatrix.chunk_size.
  llama-quantize: w = in_sum2 / count per matrix, 1 where count is 0.
expected.json holds the weights (float32 values as exact doubles) and stats."""
import json
import math
import os
import re
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gguf_writer import ARRAY, STRING, U32, write_gguf  # noqa: E402

rng = np.random.default_rng(5)
F32 = np.float32
CHUNK = 512

# name → (columns, tokens per matrix). A list of counts is a 3-D expert entry.
ENTRIES = {
    "blk.0.attn_q.weight": (16, [1024]),
    "blk.1.attn_q.weight": (16, [1024]),
    "blk.2.attn_q.weight": (16, [1024]),
    "blk.0.ffn_down.weight": (24, [1024]),
    "blk.1.ffn_down.weight": (20, [1024]),  # not the size of block 0's: no cosine
    "blk.0.ffn_up_exps.weight": (8, [700, 300, 24, 0]),
    "blk.1.ffn_up_exps.weight": (8, [100, 0, 400, 524]),
    "output.weight": (16, [1024]),
}


def simulate():
    """Σx² per column and matrix (float32, as ggml accumulates), counts per matrix."""
    sums = {}
    for name, (n, counts) in ENTRIES.items():
        rows = []
        for c in counts:
            scale = rng.uniform(0.2, 3.0, n).astype(F32)
            if c == 0:
                rows.append(np.zeros(n, F32))
                continue
            x = (rng.standard_normal((c, n)) * scale).astype(F32)
            rows.append((x * x).sum(axis=0, dtype=F32))
        s = np.stack(rows).astype(F32)
        if name == "blk.2.attn_q.weight":
            s[0, :3] = 0  # dead columns: "% active" below 100
        sums[name] = (s, np.array(counts, dtype=np.int64))
    return sums


# ---- legacy .dat ----

def legacy_entry(name, s, counts):
    """Bytes of one entry as save_imatrix_legacy writes it, and llama-quantize's weights."""
    nmat, n = s.shape
    ncall = (int(counts.max()) + CHUNK - 1) // CHUNK
    tmp = np.empty(nmat * n, F32)
    for m in range(nmat):
        for j in range(n):
            count, value = F32(counts[m]), s[m, j]
            if count == 0:
                value, count = F32(1), F32(1)
            tmp[m * n + j] = F32(F32(value / count) * F32(ncall))
    b = name.encode()
    raw = struct.pack("<i", len(b)) + b + struct.pack("<ii", ncall, nmat * n) + tmp.astype("<f4").tobytes()
    weights = tmp / F32(ncall) if ncall > 0 else tmp
    return raw, tmp, ncall, weights.astype(F32)


def trailer(chunks, dataset):
    d = dataset.encode()
    return struct.pack("<ii", chunks, len(d)) + d


# ---- reference statistics (llama.cpp compute_statistics / compute_cossim) ----

def stats(a):
    a = np.asarray(a, F32)
    n = len(a)
    if n == 0:
        return {"elements": 0}
    v = a.astype(np.float64)
    total = v.sum()
    mean = total / n
    std = math.sqrt(max(0.0, (v * v).sum() / n - mean * mean))
    entropy = 0.0
    if total > 0:
        p = v / total
        p = p[p > 0]
        entropy = float(-(p * np.log2(p)).sum())
    zd = float(((v - mean) / std > 1).sum()) / n if std > 0 else 0.0
    return {"elements": n, "sum": total, "min": float(v.min()), "max": float(v.max()), "mean": mean, "std": std,
            "active": 1 - float((np.abs(a) <= F32(1e-5)).sum()) / n, "entropy": entropy,
            "entropy_norm": entropy / math.log2(n) if n > 1 else 0.0, "zd": zd}


def cosine(x, y):
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    nx, ny = (x * x).sum(), (y * y).sum()
    if nx == 0 or ny == 0:
        return 1.0 if nx == 0 and ny == 0 else 0.0
    return float(np.clip((x * y).sum() / math.sqrt(nx) / math.sqrt(ny), -1, 1))


def previous_name(name):
    m = re.search(r"blk\.(\d+)\.", name)
    if not m or int(m.group(1)) == 0:
        return None
    return name[:m.start(1)] + str(int(m.group(1)) - 1) + name[m.end(1):]


def all_stats(values, raw):
    """values: name → a (the stats values), raw: name → the sums compared by cosine."""
    out = {}
    for name in values:
        st = stats(values[name])
        prev = previous_name(name)
        if prev in raw and len(raw[prev]) == len(raw[name]):
            st["previous"], st["cosine"] = prev, cosine(raw[name], raw[prev])
        out[name] = st
    return out


def floats(a):
    return [float(x) for x in np.asarray(a, F32).ravel()]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    sums = simulate()
    names = sorted(ENTRIES)  # both writers store entries sorted by name
    expected = {}

    # Legacy.
    body, entries, values, raw = b"", [], {}, {}
    for name in names:
        s, counts = sums[name]
        e, tmp, ncall, w = legacy_entry(name, s, counts)
        body += e
        entries.append({"name": name, "columns": int(w.size), "experts": 1, "calls": ncall, "counts": [ncall],
                        "weights": floats(w)})
        values[name], raw[name] = w, tmp
    head = struct.pack("<i", len(names))
    legacy = head + body + trailer(7, "calibration/wiki.train.raw")
    with open(os.path.join(out, "imatrix.dat"), "wb") as f:
        f.write(legacy)
    expected["dat"] = {"entries": entries, "datasets": ["calibration/wiki.train.raw"], "chunks": 7,
                       "stats": all_stats(values, raw)}
    with open(os.path.join(out, "no_trailer.dat"), "wb") as f:
        f.write(head + body)

    # ncall 0: llama-quantize takes the values as stored.
    zero_vals = np.array([0.5, 2.0, 0.0, 3.25], F32)
    zero = struct.pack("<ii", 1, 5) + b"w.abc" + struct.pack("<ii", 0, 4) + zero_vals.astype("<f4").tobytes()
    with open(os.path.join(out, "ncall_zero.dat"), "wb") as f:
        f.write(zero)
    expected["ncall_zero"] = {"weights": floats(zero_vals)}

    # GGUF.
    tensors, entries, values, raw = [], [], {}, {}
    for name in names:
        s, counts = sums[name]
        nmat, n = s.shape
        ne_sums = [n] if nmat == 1 else [n, nmat]
        ne_counts = [1] if nmat == 1 else [1, nmat]
        tensors.append((name + ".counts", ne_counts, 0, counts.astype("<f4").tobytes()))
        tensors.append((name + ".in_sum2", ne_sums, 0, s.astype("<f4").tobytes()))
        if name == "blk.0.attn_q.weight":  # newer writers add the plain sums: ignored
            tensors.append((name + ".in_sum", ne_sums, 0, np.ones_like(s).astype("<f4").tobytes()))
        w = np.empty_like(s)
        for m in range(nmat):
            c = F32(counts[m])
            w[m] = s[m] / c if c > 0 else F32(1)
        entries.append({"name": name, "columns": n, "experts": nmat, "calls": int(counts.max()),
                        "counts": [int(c) for c in counts], "weights": floats(w)})
        values[name] = np.concatenate([w[m] for m in range(nmat) if counts[m] > 0]) if counts.max() > 0 else []
        raw[name] = s.ravel()
    tensors.sort(key=lambda t: t[0])
    kvs = [("general.type", STRING, "imatrix"),
           ("imatrix.datasets", ARRAY, (STRING, ["wiki.train.raw", "code, mixed.txt"])),
           ("imatrix.chunk_count", U32, 7), ("imatrix.chunk_size", U32, CHUNK)]
    write_gguf(os.path.join(out, "imatrix.gguf"), kvs, tensors)
    expected["gguf"] = {"entries": entries, "datasets": ["wiki.train.raw", "code, mixed.txt"], "chunks": 7,
                        "chunk_size": CHUNK, "stats": all_stats(values, raw)}

    # Broken GGUF files.
    def gguf(file, kv, ts):
        write_gguf(os.path.join(out, file), kv, ts)

    one = np.arange(1, 5, dtype="<f4").tobytes()
    cnt = np.array([4], "<f4").tobytes()
    gguf("bad_no_counts.gguf", kvs, [("a.weight.in_sum2", [4], 0, one)])
    gguf("bad_no_sums.gguf", kvs, [("a.weight.counts", [1], 0, cnt)])
    gguf("bad_counts_size.gguf", kvs, [("a.weight.counts", [1, 3], 0, np.ones(3, "<f4").tobytes()),
                                       ("a.weight.in_sum2", [2, 2], 0, one)])
    gguf("bad_f16.gguf", kvs, [("a.weight.counts", [1], 0, cnt),
                               ("a.weight.in_sum2", [4], 1, np.ones(4, "<f2").tobytes())])
    gguf("bad_3d.gguf", kvs, [("a.weight.counts", [1, 2], 0, np.ones(2, "<f4").tobytes()),
                              ("a.weight.in_sum2", [2, 1, 2], 0, one)])
    gguf("bad_negative_count.gguf", kvs, [("a.weight.counts", [1], 0, np.array([-2], "<f4").tobytes()),
                                          ("a.weight.in_sum2", [4], 0, one)])
    gguf("bad_fraction_count.gguf", kvs, [("a.weight.counts", [1], 0, np.array([1e-40], "<f4").tobytes()),
                                          ("a.weight.in_sum2", [4], 0, one)])
    gguf("bad_nan_sum.gguf", kvs, [("a.weight.counts", [1], 0, cnt),
                                   ("a.weight.in_sum2", [4], 0, np.array([1, np.nan, 2, 3], "<f4").tobytes())])
    gguf("bad_no_metadata.gguf", kvs[:1] + kvs[2:], [("a.weight.counts", [1], 0, cnt),
                                                     ("a.weight.in_sum2", [4], 0, one)])
    gguf("bad_chunk_type.gguf", kvs[:2] + [("imatrix.chunk_count", STRING, "seven"), kvs[3]],
         [("a.weight.counts", [1], 0, cnt), ("a.weight.in_sum2", [4], 0, one)])
    gguf("bad_model.gguf", kvs, [("token_embd.weight", [4], 0, one)])
    gguf("bad_empty.gguf", kvs, [])

    # Zero count: weights 1 (the values are written anyway).
    gguf("zero_count.gguf", kvs, [("a.weight.counts", [1], 0, np.array([0], "<f4").tobytes()),
                                  ("a.weight.in_sum2", [4], 0, np.zeros(4, "<f4").tobytes())])

    # Broken legacy files.
    def dat(file, data):
        with open(os.path.join(out, file), "wb") as f:
            f.write(data)

    def entry(name=b"a.weight", ncall=2, vals=(1.0, 2.0), nval=None, length=None):
        n = len(vals) if nval is None else nval
        ln = len(name) if length is None else length
        return struct.pack("<i", ln) + name + struct.pack("<ii", ncall, n) + np.array(vals, "<f4").tobytes()

    dat("bad_zero_entries.dat", struct.pack("<i", 0) + entry())
    dat("bad_negative_entries.dat", struct.pack("<i", -3) + entry())
    dat("bad_huge_entries.dat", struct.pack("<i", 0x7FFFFFFF) + entry())
    dat("bad_negative_name.dat", struct.pack("<i", 1) + entry(length=-5))
    dat("bad_huge_name.dat", struct.pack("<i", 1) + entry(length=1 << 30))
    dat("bad_nul_name.dat", struct.pack("<i", 1) + entry(name=b"a\0b"))
    dat("bad_negative_ncall.dat", struct.pack("<i", 1) + entry(ncall=-1))
    dat("bad_zero_nval.dat", struct.pack("<i", 1) + entry(nval=0, vals=()) + b"\0" * 16)
    dat("bad_huge_nval.dat", struct.pack("<i", 1) + entry(nval=1 << 28))
    dat("bad_nan_value.dat", struct.pack("<i", 1) + entry(vals=(1.0, float("nan"))))
    dat("bad_negative_value.dat", struct.pack("<i", 1) + entry(vals=(1.0, -2.0)))
    dat("bad_duplicate.dat", struct.pack("<i", 2) + entry() + entry())
    dat("bad_truncated_values.dat", legacy[:len(head) + len(body) - 10])
    last = 4 + len(b"output.weight") + 8 + 16 * 4  # the last entry, output.weight
    dat("bad_truncated_header.dat", legacy[:len(head) + len(body) - last + 4 + len(b"output.weight") + 2])
    dat("bad_truncated_trailer.dat", head + body + struct.pack("<i", 7))
    dat("bad_trailer_length.dat", head + body + struct.pack("<ii", 7, 1000) + b"abc")
    dat("bad_trailing_bytes.dat", legacy + b"xyz")
    dat("bad_empty.dat", b"")

    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    main()
