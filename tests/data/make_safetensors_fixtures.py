"""safetensors fixtures: every dtype, metadata, a zero-size tensor.
Expected float32 values come from NumPy/PyTorch conversions (bfloat16 via
torch) and, for FP8, from the bit-layout formulas of the OFP8 spec."""
import numpy as np
import torch

from fixture_common import Manifest, out_dir_from_argv
from safetensors_writer import write_safetensors

m = Manifest(out_dir_from_argv())
rng = np.random.default_rng(7)


def e4m3fn_decode(b):
    b = b.astype(np.int64)
    s = np.where(b & 0x80, -1.0, 1.0)
    e = (b >> 3) & 0xF
    mant = b & 0x7
    val = np.where(e == 0, mant / 8.0 * 2.0**-6, (1 + mant / 8.0) * 2.0 ** (e - 7))
    val = s * val
    return np.where((e == 15) & (mant == 7), np.nan, val).astype(np.float32)


def e5m2_decode(b):
    # E5M2 is the top byte of an IEEE binary16.
    return (b.astype(np.uint16) << 8).view(np.float16).astype(np.float32)


tensors, expected = [], []


def add(name, st_dtype, dtype_name, raw_array, exp, shape=None):
    shape = list(raw_array.shape) if shape is None else shape
    tensors.append((name, st_dtype, shape, raw_array.tobytes()))
    expected.append((name, np.asarray(exp, np.float32).reshape(shape), dtype_name))


w = rng.standard_normal((16, 8)).astype("<f4")
add("model.layers.0.weight", "F32", "float32", w, w)
h = rng.standard_normal((4, 6)).astype("<f2")
add("half", "F16", "float16", h, h.astype(np.float32))
bf = torch.tensor(rng.standard_normal((5, 7)), dtype=torch.float32).bfloat16()
add("bf16", "BF16", "bfloat16", bf.view(torch.int16).numpy().astype("<i2"), bf.float().numpy())
d = rng.standard_normal((3, 3)) * 1e5
add("double", "F64", "float64", d.astype("<f8"), d.astype(np.float32))
for st, name, np_t, lo, hi in [("I64", "int64", "<i8", -2**40, 2**40), ("I32", "int32", "<i4", -2**31, 2**31 - 1),
                               ("I16", "int16", "<i2", -32768, 32767), ("I8", "int8", "|i1", -128, 127),
                               ("U8", "uint8", "|u1", 0, 255), ("U16", "uint16", "<u2", 0, 65535)]:
    v = rng.integers(lo, hi, (6, 4)).astype(np_t)
    add("ints." + name, st, name, v, v.astype(np.float32))
bl = rng.integers(0, 2, (3, 5)).astype(np.bool_)
add("mask", "BOOL", "bool", bl, bl.astype(np.float32))
allbytes = np.arange(256, dtype=np.uint8).reshape(16, 16)
add("fp8.e4m3", "F8_E4M3", "float8_e4m3fn", allbytes, e4m3fn_decode(allbytes))
add("fp8.e5m2", "F8_E5M2", "float8_e5m2", allbytes, e5m2_decode(allbytes))
add("empty", "F32", "float32", np.zeros((0, 4), "<f4"), np.zeros((0, 4), np.float32))
add("scalar", "F32", "float32", np.array(2.25, "<f4"), np.array(2.25, np.float32), shape=[])

meta = {"format": "pt", "note": "written by make_safetensors_fixtures.py"}
write_safetensors(m.path("all_dtypes.safetensors"), tensors, meta)
m.add("all_dtypes.safetensors", expected, metadata=meta, fmt="safetensors")
m.write()
