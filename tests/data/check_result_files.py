"""Independent check of QuantScope result files: parses the safetensors file
by hand (json + struct + numpy) and the HDF5 file with h5py, checks both hold
the same arrays, and for integer and FP8 formats recomputes the dequantized
values from codes, scales and zero points in float32:
  int:  dequantized = float32(code - zero_point) * scale
  fp8:  dequantized = decode_e4m3fn(code) * scale
Exit status 0 when everything matches bit for bit."""
import json
import struct
import sys

import h5py
import numpy as np

ST_DTYPES = {"F32": "<f4", "I8": "i1", "U8": "u1", "I16": "<i2", "U16": "<u2", "I32": "<i4"}


def read_safetensors(path):
    blob = open(path, "rb").read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    meta = header.pop("__metadata__", {})
    arrays = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        arrays[name] = np.frombuffer(blob[8 + n + b:8 + n + end], ST_DTYPES[e["dtype"]]).reshape(e["shape"])
    return arrays, meta


def e4m3fn(codes):
    c = codes.astype(np.int64)
    s = np.where(c & 0x80, -1.0, 1.0)
    e, m = (c >> 3) & 0xF, c & 7
    v = s * np.where(e == 0, m / 8.0 * 2.0**-6, (1 + m / 8.0) * 2.0 ** (e - 7))
    return np.where((e == 15) & (m == 7), np.nan, v).astype(np.float32)


def broadcast(scales, shape, gran):
    kind, ax, gs = gran["kind"], gran["axis"], gran["group_size"]
    if scales.size == 1:
        return np.full(shape, scales.ravel()[0], np.float32)
    if kind == "channel":
        sh = [1] * len(shape)
        sh[ax] = shape[ax]
        return np.broadcast_to(scales.reshape(sh), shape)
    if kind == "token":
        return np.broadcast_to(scales.reshape([shape[0]] + [1] * (len(shape) - 1)), shape)
    if kind == "group":
        # Groups of gs along each output channel's row: every axis but ax, flattened.
        if len(shape) == 1:
            return np.repeat(scales.ravel(), gs)[: shape[0]]
        n = int(np.prod(shape))
        dim = shape[ax]
        grid = scales.reshape(-1, dim).T if ax == len(shape) - 1 else scales.reshape(dim, -1)
        rows = np.repeat(grid, gs, axis=1)[:, : n // dim]
        moved = [shape[ax]] + [d for i, d in enumerate(shape) if i != ax]
        return np.moveaxis(rows.reshape(moved), 0, ax)
    raise SystemExit("unexpected granularity %s" % kind)


st_path, h5_path = sys.argv[1], sys.argv[2]
arrays, meta = read_safetensors(st_path)
assert meta["quantscope.schema"] == "quantscope.quantized/1", meta
checked = 0
with h5py.File(h5_path, "r") as h5:
    assert h5.attrs["quantscope.schema"] == "quantscope.quantized/1"
    names = sorted({k.rsplit(".", 1)[0] for k in arrays})
    for name in names:
        g = h5[name]
        for part in ("codes", "scales", "zero_points", "dequantized", "offsets", "segment_levels"):
            key = name + "." + part
            if key in arrays:
                a, b = arrays[key], g[part][()]
                assert a.dtype == b.dtype and a.shape == b.shape, (key, a.dtype, b.dtype, a.shape, b.shape)
                assert np.array_equal(a.view(np.uint8), b.view(np.uint8)), key
        cfg = json.loads(meta[name + ".config"])
        assert json.loads(g.attrs["config"]) == cfg
        gran = json.loads(meta[name + ".granularity"])
        fmt = cfg["format"]
        deq = arrays[name + ".dequantized"]
        codes = arrays[name + ".codes"].astype(np.int64)
        scales = broadcast(arrays[name + ".scales"].astype(np.float32), deq.shape, gran)
        if fmt.startswith("int") or fmt.startswith("uint"):
            zp = arrays.get(name + ".zero_points")
            zp = np.zeros(1, np.int64) if zp is None else zp.astype(np.int64)
            zpb = broadcast(zp.astype(np.float32), deq.shape, gran).astype(np.int64)
            recomputed = (codes - zpb).astype(np.float32) * scales
        elif fmt == "fp8_e4m3fn":
            recomputed = e4m3fn(codes) * scales
        else:
            continue
        if not np.array_equal(recomputed.view(np.uint32), deq.view(np.uint32)):
            bad = np.flatnonzero(recomputed.view(np.uint32) != deq.view(np.uint32))
            raise SystemExit("%s (%s): %d values differ, first at %d: %r vs %r" % (
                name, fmt, len(bad), bad[0], recomputed.ravel()[bad[0]], deq.ravel()[bad[0]]))
        checked += 1
print("checked", checked, "recomputations of", len(names), "tensors")
sys.exit(0 if checked >= 2 else 1)
