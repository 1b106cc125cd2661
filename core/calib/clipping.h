#pragma once
// How a segment's clip range is chosen (clip_range.h computes it). Part of
// QuantConfig, defined here so that calib/ does not depend on quant/.
namespace qs {

enum class ClipMethod {
  MinMax,     // the full range of the data
  Percentile, // percentile P of |x| (or P / 100-P of x when two-sided)
  Mse,        // clip ratio minimizing the quantization MSE
  Kl,         // TensorRT entropy calibration (2048-bin |x| histogram)
  Fixed,      // the user's [fixedMin, fixedMax]
};

struct Clipping {
  ClipMethod method = ClipMethod::MinMax;
  double percentile = 99.99;
  bool twoSided = false;
  double fixedMin = -1.0;
  double fixedMax = 1.0;
  bool operator==(const Clipping&) const = default;
};

} // namespace qs
