#pragma once
// AWQ scale search (Lin et al. 2023, llm-awq auto_scale.py): per input channel
// s_j = mean_t|X[t, j]|^alpha, clamped at 1e-4 and normalised by
// sqrt(max(s) * min(s)); the weight is quantized as Q(W * s) / s (the 1/s is
// folded into the previous operator in deployment). alpha is searched on a
// grid (0, 0.05, ..., 1 by default) minimising the output MSE
// mean((X W^T - X (Q(W s) / s)^T)^2) on calibration tokens; the first
// minimum wins. Weight clipping search (auto_clip) is not part of this.
#include "core/quant/quant_config.h"
#include "core/tensor.h"

#include <atomic>
#include <cstdint>
#include <vector>

namespace qs {

struct AwqOptions {
  int gridSteps = 20;            // alpha = k / gridSteps, k = 0..gridSteps
  int64_t maxSearchTokens = 512; // calibration tokens used in the search (0 = all)
};

struct AwqResult {
  double alpha = 0;                        // the best grid point
  std::vector<float> scales;               // s for the best alpha [in]
  std::vector<float> scaledQuantized;      // Q(W * s) [out, in] (acts on X / s)
  std::vector<double> gridAlpha, gridLoss; // the search curve
  int64_t searchTokens = 0;
  double searchMs = 0;
};

// s_j for one alpha (exposed for tests).
std::vector<float> awqScales(const std::vector<float>& meanAbsX, double alpha);

// weight [out, in], calibration [N, in]; the first maxSearchTokens rows of
// `calibration` are used. Quantizes with qs::fakeQuantize(config).
AwqResult awqSearch(const Tensor& weight, const Tensor& calibration, const QuantConfig& config,
                    const AwqOptions& options = {}, const std::atomic<bool>* cancel = nullptr);

} // namespace qs
