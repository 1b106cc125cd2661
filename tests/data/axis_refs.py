"""References for the output-channel axis (tests/core/axis_layout_test.cpp).

Writes into OUT_DIR:
  conv1x1.npy       a PyTorch 1x1 conv weight [480, 240, 1, 1]
  conv1x1_int4_g128.f32   INT4 symmetric, groups of 128 along each output
                    channel's flattened row [out, in*kh*kw] (the last group 112)
  keras.h5          a Keras-style HDF5 file (keras_version, layer_names) with
                    conv/kernel:0 [3, 3, 128, 128] and conv/bias:0 [128]
  keras_int8_channel.f32  INT8 symmetric per output channel (axis 3)
  keras_sqnr.txt    SQNR of that, in dB (float64)
  layouts.onnx      Conv W [8, 4, 3, 3], MatMul B [16, 32], Gemm B [10, 16]
                    with transB = 1, Gemm B [16, 12] with transB = 0,
                    ConvTranspose W [8, 6, 3, 3], a bias [8]
Rounding as torch.fake_quantize_per_channel_affine: rint(x * (1 / s)) in float32.
"""
import sys
import os

import h5py
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from int_reference import fake_quant_rows  # noqa: E402


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(10)
    conv = rng.standard_normal((480, 240, 1, 1)).astype(np.float32)
    np.save(os.path.join(out, "conv1x1.npy"), conv)
    rows = conv.reshape(480, 240)
    deq = np.empty_like(rows)
    for start in range(0, 240, 128):
        end = min(240, start + 128)
        deq[:, start:end] = fake_quant_rows(rows[:, start:end], 4)
    deq.tofile(os.path.join(out, "conv1x1_int4_g128.f32"))

    kernel = (rng.standard_normal((3, 3, 128, 128)) * rng.uniform(0.01, 1.0, 128)).astype(np.float32)
    with h5py.File(os.path.join(out, "keras.h5"), "w") as f:
        f.attrs["keras_version"] = "2.15.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["layer_names"] = [b"conv"]
        g = f.create_group("conv")
        g.attrs["weight_names"] = [b"conv/kernel:0", b"conv/bias:0"]
        g.create_dataset("conv/kernel:0", data=kernel)
        g.create_dataset("conv/bias:0", data=np.zeros(128, np.float32))
    channels = np.moveaxis(kernel, 3, 0).reshape(128, -1)
    deq = np.moveaxis(fake_quant_rows(channels, 8).reshape(128, 3, 3, 128), 0, 3)
    deq.tofile(os.path.join(out, "keras_int8_channel.f32"))
    x = kernel.astype(np.float64)
    e = x - deq.astype(np.float64)
    with open(os.path.join(out, "keras_sqnr.txt"), "w") as f:
        f.write(repr(10 * np.log10((x * x).sum() / (e * e).sum())))

    def init(name, shape):
        return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)

    nodes = [
        helper.make_node("Conv", ["x", "conv.w", "conv.b"], ["c"], name="conv"),
        helper.make_node("ConvTranspose", ["c", "up.w"], ["u"], name="up"),
        helper.make_node("Flatten", ["u"], ["f"]),
        helper.make_node("MatMul", ["f", "fc1.w"], ["m"], name="fc1"),
        helper.make_node("Gemm", ["m", "fc2.w"], ["g"], name="fc2", transB=1),
        helper.make_node("Gemm", ["g", "fc3.w"], ["y"], name="fc3", transB=0),
    ]
    graph = helper.make_graph(
        nodes, "layouts", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 12])],
        [init("conv.w", (8, 4, 3, 3)), init("conv.b", (8,)), init("up.w", (8, 6, 3, 3)),
         init("fc1.w", (16, 32)), init("fc2.w", (10, 16)), init("fc3.w", (16, 12))])
    onnx.save(helper.make_model(graph), os.path.join(out, "layouts.onnx"))


if __name__ == "__main__":
    main(sys.argv[1])
