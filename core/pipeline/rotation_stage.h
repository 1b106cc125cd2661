#pragma once
// The rotation stage of quantize() (QuantConfig::rotation, docs/ARCHITECTURE.md
// "The quantizer"): before the plan, the tensor is rotated along its reduction
// axis (core/quant/hadamard.h) and the stages quantize the rotated copy; after
// them the dequantized values are rotated back and the analysis is redone in
// the original basis, keeping the rotated input's statistics beside it.
#include "core/pipeline/quantize.h"
#include "core/quant/hadamard.h"

#include <atomic>

namespace qs {

struct RotatedInput {
  Tensor tensor; // the rotated copy the format quantizes
  HadamardRotation rotation;
  int outAxis = 0; // the rows: the tensor's output-channel axis
};

// Throws qs::Error for NaN or inf values: one would spread over its whole block.
RotatedInput rotateInput(const Tensor& tensor, const QuantConfig& config);
// R^T in place on values in the tensor's order.
void rotateBack(const RotatedInput& rotated, float* values);

// `r` was made from rotated.tensor and r.dequantized is already rotated back:
// the rotated input's statistics move to r.rotation, and metrics, histograms,
// error map, channel statistics and top-k are measured against `original`.
void analyseInOriginalBasis(const Tensor& original, const RotatedInput& rotated,
                            const AnalysisOptions& options, const std::atomic<bool>* cancel, QuantResult& r);

} // namespace qs
