"""ONNX fixtures with python3-onnx (onnx.helper): raw and typed initializers
of every supported data type, a Constant node, If/Loop subgraphs, FLOAT8
(data_type is a plain int32 field, so types newer than this onnx work), and
a model saved with external data."""
import os

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from fixture_common import Manifest, out_dir_from_argv

m = Manifest(out_dir_from_argv())
rng = np.random.default_rng(3)
f32 = np.float32
expected = []


def raw(name, arr, onnx_type=None, dtype=None):
    t = numpy_helper.from_array(arr, name)
    if onnx_type is not None:
        t.data_type = onnx_type
    return t


w = rng.standard_normal((4, 3)).astype(f32)
b16 = rng.standard_normal((5,)).astype(np.float16)
d64 = rng.standard_normal((2, 2))
u8 = rng.integers(0, 255, (3, 3)).astype(np.uint8)
i16 = rng.integers(-30000, 30000, (4,)).astype(np.int16)
i32 = rng.integers(-2**31, 2**31 - 1, (2, 3)).astype(np.int32)
i64 = rng.integers(-2**40, 2**40, (3,)).astype(np.int64)
bl = rng.integers(0, 2, (2, 2)).astype(bool)
inits = [raw("w", w), raw("b16", b16), raw("d64", d64), raw("u8", u8), raw("i16", i16), raw("i32", i32),
         raw("i64", i64), raw("mask", bl)]
expected += [("w", w, "float32"), ("b16", b16.astype(f32), "float16"), ("d64", d64.astype(f32), "float64"),
             ("u8", u8, "uint8"), ("i16", i16, "int16"), ("i32", i32.astype(f32), "int32"),
             ("i64", i64.astype(f32), "int64"), ("mask", bl, "bool")]

# Typed fields (raw=False): float_data, int32_data (int8, float16 bits, bfloat16 bits), int64_data,
# double_data, uint64_data.
tf = rng.standard_normal((2, 5)).astype(f32)
inits.append(helper.make_tensor("typed.float", TensorProto.FLOAT, [2, 5], tf.flatten().tolist()))
expected.append(("typed.float", tf, "float32"))
ti8 = rng.integers(-128, 127, (6,)).astype(np.int8)
inits.append(helper.make_tensor("typed.int8", TensorProto.INT8, [6], ti8.tolist()))
expected.append(("typed.int8", ti8, "int8"))
th = rng.standard_normal((3, 2)).astype(np.float16)
inits.append(helper.make_tensor("typed.half", TensorProto.FLOAT16, [3, 2], th.flatten()))
expected.append(("typed.half", th.astype(f32), "float16"))
bfbits = torch.tensor(rng.standard_normal(4), dtype=torch.float32).bfloat16().view(torch.int16)
tbf = TensorProto(name="typed.bf16", data_type=TensorProto.BFLOAT16, dims=[4])
tbf.int32_data.extend(int(x) & 0xFFFF for x in bfbits.numpy())
inits.append(tbf)
expected.append(("typed.bf16", bfbits.view(torch.bfloat16).float().numpy(), "bfloat16"))
ti64 = rng.integers(-2**50, 2**50, (3,)).astype(np.int64)
inits.append(helper.make_tensor("typed.int64", TensorProto.INT64, [3], ti64.tolist()))
expected.append(("typed.int64", ti64.astype(f32), "int64"))
td = rng.standard_normal((2,))
inits.append(helper.make_tensor("typed.double", TensorProto.DOUBLE, [2], td.tolist()))
expected.append(("typed.double", td.astype(f32), "float64"))
tu = np.array([1, 2**33, 7], dtype=np.uint64)
inits.append(helper.make_tensor("typed.uint64", TensorProto.UINT64, [3], tu.tolist()))
expected.append(("typed.uint64", tu.astype(f32), "uint64"))

# FLOAT8E4M3FN (17) and FLOAT8E5M2 (19): every byte, raw; expected from the bit layouts.
allb = np.arange(256, dtype=np.uint8)
e4 = TensorProto(name="fp8.e4m3", data_type=17, dims=[16, 16], raw_data=allb.tobytes())
e5 = TensorProto(name="fp8.e5m2", data_type=19, dims=[256])
e5.int32_data.extend(int(x) for x in allb)  # typed form: one byte per int32
inits += [e4, e5]
s = np.where(allb & 0x80, -1.0, 1.0)
e, mant = (allb >> 3) & 0xF, allb & 7
v = s * np.where(e == 0, mant / 8.0 * 2.0**-6, (1 + mant / 8.0) * 2.0 ** (e.astype(int) - 7))
v = np.where((e == 15) & (mant == 7), np.nan, v)
expected.append(("fp8.e4m3", v.astype(f32).reshape(16, 16), "float8_e4m3fn"))
expected.append(("fp8.e5m2", (allb.astype(np.uint16) << 8).view(np.float16).astype(f32), "float8_e5m2"))

# A Constant node (its tensor has no name: it is named after the node's output).
cval = rng.standard_normal((2, 2)).astype(f32)
const = helper.make_node("Constant", [], ["const_out"], name="Constant_0",
                         value=numpy_helper.from_array(cval, ""))
expected.append(("const_out", cval, "float32"))

# If with weights in both branches; a Loop whose body holds a Constant.
tw = rng.standard_normal((3,)).astype(f32)
ew = rng.standard_normal((3,)).astype(f32)
then_g = helper.make_graph([helper.make_node("Identity", ["w"], ["y_then"])], "then",
                           [], [helper.make_tensor_value_info("y_then", TensorProto.FLOAT, [3])],
                           initializer=[numpy_helper.from_array(tw, "w")])
else_g = helper.make_graph([helper.make_node("Identity", ["w"], ["y_else"])], "else",
                           [], [helper.make_tensor_value_info("y_else", TensorProto.FLOAT, [3])],
                           initializer=[numpy_helper.from_array(ew, "w")])
if_node = helper.make_node("If", ["cond"], ["y"], name="If_0", then_branch=then_g, else_branch=else_g)
expected += [("If_0/then_branch/w", tw, "float32"), ("If_0/else_branch/w", ew, "float32")]
lc = rng.standard_normal((2,)).astype(f32)
body = helper.make_graph([helper.make_node("Constant", [], ["c"], value=numpy_helper.from_array(lc, "")),
                          helper.make_node("Identity", ["cond_in"], ["cond_out"])], "body",
                         [helper.make_tensor_value_info("i", TensorProto.INT64, []),
                          helper.make_tensor_value_info("cond_in", TensorProto.BOOL, [])],
                         [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, [])])
loop = helper.make_node("Loop", ["", "cond"], [], body=body)  # unnamed: "Loop_<index>"
expected.append(("Loop_2/body/c", lc, "float32"))

graph = helper.make_graph([const, if_node, loop], "g",
                          [helper.make_tensor_value_info("cond", TensorProto.BOOL, [])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3])], initializer=inits)
model = helper.make_model(graph, producer_name="quantscope-fixture", opset_imports=[helper.make_opsetid("", 13)])
helper.set_model_props(model, {"author": "fixture"})
onnx.save_model(model, m.path("model.onnx"))
m.add("model.onnx", expected, fmt="onnx",
      metadata={"producer_name": "quantscope-fixture", "metadata.author": "fixture", "opset_import": "ai.onnx 13"})

# External data: every tensor in one file next to the model.
ext = [("big", rng.standard_normal((64, 32)).astype(f32)), ("small", rng.standard_normal((8,)).astype(np.float16))]
g2 = helper.make_graph([], "ext", [], [], initializer=[numpy_helper.from_array(a, n) for n, a in ext])
model2 = helper.make_model(g2, producer_name="quantscope-fixture")
onnx.save_model(model2, m.path("ext/model_ext.onnx"), save_as_external_data=True, all_tensors_to_one_file=True,
                location="weights.bin", size_threshold=0)
m.add("ext/model_ext.onnx", [(n, a.astype(f32), str(a.dtype)) for n, a in ext], fmt="onnx")
m.write()
