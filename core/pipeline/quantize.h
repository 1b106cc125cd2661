#pragma once
// The one entry point everything (CLI, GUI, tests, layer methods) uses:
// quantize a tensor under a config and analyse the result.
#include "core/metrics/error_map.h" // poolErrorMap, re-exported for callers of quantize()
#include "core/quant/quant_result.h"

#include <atomic>
#include <memory>

namespace qs {

struct AnalysisOptions {
  int histogramBins = 256;
  int mapWidth = 256, mapHeight = 256;
  int topK = 20;
  bool keepCodes = true; // false skips storing codes (saves memory for sweeps)
  // The input-only analysis of this very tensor (TensorSummary::fromResult of
  // an earlier result); used when its shape, bins and top-k match.
  std::shared_ptr<const TensorSummary> summary;
};

// Throws qs::Error for an unknown format or an impossible config (axis out of
// range, group size < 1), qs::Cancelled when *cancel becomes true.
std::shared_ptr<const QuantResult> quantize(const Tensor& tensor, const QuantConfig& config,
                                            const AnalysisOptions& options = {},
                                            const std::atomic<bool>* cancel = nullptr);

// Dequantized values only, no analysis: for layer methods and sweeps.
std::vector<float> fakeQuantize(const Tensor& tensor, const QuantConfig& config,
                                const std::atomic<bool>* cancel = nullptr);

// The same into a caller's buffer of tensor.numel() floats (no allocation:
// layer methods and benchmarks reuse one buffer). `out` must not alias the input.
void fakeQuantizeInto(const Tensor& tensor, const QuantConfig& config, float* out,
                      const std::atomic<bool>* cancel = nullptr);

} // namespace qs
