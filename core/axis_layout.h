#pragma once
// Layout inference (docs/ARCHITECTURE.md, "Axes"): which axis of a weight holds
// its output channels, from the conventions of the tool that wrote it, with
// the reason shown to the user. Groups and blocks run along every other axis,
// flattened: the [out, in·kh·kw] view llama.cpp and GPTQ/AWQ quantize.
#include "core/tensor.h"

#include <string>

namespace qs {

enum class WeightOrder {
  OutFirst, // PyTorch, safetensors, GGUF, NumPy: [out, in], [out, in, kh, kw]
  OutLast,  // Keras/TensorFlow kernels: [in, out], [kh, kw, in, out]
  OutAxis1, // ONNX ConvTranspose: [in, out/groups, kh, kw]
};

// `origin` names the convention for the reason ("safetensors", "Keras kernel",
// "ONNX input B of MatMul 'fc1'"). A tensor of rank <= 1 has one axis: 0.
AxisLayout inferAxisLayout(const Shape& shape, WeightOrder order, const std::string& origin);

// The role letters of a shape under a layout, for labels: "[out, in]",
// "[kh, kw, in, out]", "[out, in, kh, kw]"; "" when no names fit.
std::string axisNames(const Shape& shape, int outAxis);

} // namespace qs
