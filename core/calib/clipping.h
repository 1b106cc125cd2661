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
  Hqq,        // HQQ's fit of scale and zero point of affine integers (hqq.h)
};

struct Clipping {
  ClipMethod method = ClipMethod::MinMax;
  double percentile = 99.99;
  bool twoSided = false;
  double fixedMin = -1.0;
  double fixedMax = 1.0;
  int hqqIterations = 20;        // HQQ: solver steps at most (it stops early)
  double hqqP = 0.7;             // HQQ: the l_p norm of the error, 0 < p <= 1
  bool hqqOptimizeScale = false; // HQQ: search the scale too (the library's v2 solver)
  bool operator==(const Clipping&) const = default;
};

} // namespace qs
