#pragma once
// Picking a layer's operands from open tensor files: W and X may come from
// the same file or two files. A file that stores layers as groups holding
// `weight` and `input` (HDF5 "fc1/weight" + "fc1/input", safetensors
// "fc1.weight" + "fc1.input") offers them as pairs.
#include "core/io/tensor_source.h"
#include "core/layer/layer_input.h"

#include <atomic>
#include <string>
#include <vector>

namespace qs {

struct LayerPair {
  std::string prefix; // "fc1/" or "fc1." or "" (root)
  std::string weight; // full entry names
  std::string input;
};

// Every entry named <prefix>weight with a sibling <prefix>input (or
// <prefix>inputs / <prefix>x / <prefix>activations), in listing order.
std::vector<LayerPair> findLayerPairs(const TensorSource& source);

struct LayerOperands {
  Tensor weight;         // [out, in]
  FlatActivations input; // [tokens, in] and how it was flattened
};

// Reads and shapes both operands (linearWeight, flattenActivations).
LayerOperands loadLayerOperands(const TensorSource& weightSource, const std::string& weightName,
                                const TensorSource& inputSource, const std::string& inputName,
                                ActivationLayout layout = ActivationLayout::Auto,
                                const std::atomic<bool>* cancel = nullptr);

} // namespace qs
