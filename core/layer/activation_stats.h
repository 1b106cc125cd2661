#pragma once
// Per-input-channel and per-token statistics of activations [tokens, in]:
// what makes activation quantization hard (a few channels with huge range).
#include "core/tensor.h"

#include <cstdint>
#include <vector>

namespace qs {

enum class OutlierRule {
  MedianRatio, // channel absmax > threshold x median channel absmax (default 6)
  Absolute,    // LLM.int8: a channel with any |x| > threshold (default 6.0)
};

struct ActivationStats {
  std::vector<float> channelAbsMax;      // max_t |x[t, j]|
  std::vector<float> channelMeanAbs;     // mean_t |x[t, j]| (what AWQ scales from)
  std::vector<int64_t> outlierChannels;  // ascending
  std::vector<float> tokenMin, tokenMax; // per token (row) range
  OutlierRule rule = OutlierRule::MedianRatio;
  double threshold = 6.0;
};

// x: [tokens, in]. Non-finite values are ignored. Parallel over channels.
ActivationStats activationStats(const Tensor& x, OutlierRule rule = OutlierRule::MedianRatio,
                                double threshold = 6.0);

// Outlier channels of an absmax profile under a rule (used again after smoothing).
std::vector<int64_t> outlierChannels(const std::vector<float>& channelAbsMax, OutlierRule rule,
                                     double threshold);

// Column-wise max |x| of a row-major [rows, cols] matrix (weight: max over
// output rows for each input channel, as SmoothQuant needs).
std::vector<float> columnAbsMax(const float* x, int64_t rows, int64_t cols);

} // namespace qs
