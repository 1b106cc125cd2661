#pragma once
// Activation quantization of tokens [N, in], per tensor:
//   static        : the range is calibrated once on calibration tokens
//                   (minmax, percentile, MSE, KL, or the PyTorch
//                   HistogramObserver L2 search) and applied unchanged to the
//                   evaluation tokens; values outside it clip (counted).
//   dynamic-tensor: min/max of the tokens being quantized, at run time.
//   dynamic-token : one scale per token (row), at run time.
// The quantizer itself is qs::fakeQuantize: a static range is passed as a
// fixed clip range with per-tensor granularity.
#include "core/tensor.h"

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace qs {

enum class ActMode { Static, DynamicTensor, DynamicToken };
enum class ActRange { MinMax, Percentile, Mse, Kl, HistogramL2 };

const char* toString(ActMode mode);   // "static", "dynamic-tensor", "dynamic-token"
const char* toString(ActRange range); // "minmax", "percentile", "mse", "kl", "histogram-l2"
// Inverses; throw qs::Error listing the accepted names.
ActMode actModeFromString(const std::string& s);
ActRange actRangeFromString(const std::string& s);

struct ActQuantConfig {
  // "float" (or "none", "fp32"): activations are not quantized; otherwise a
  // format name of the core ("int8", "fp8_e4m3fn", "int4", ...).
  std::string format = "float";
  bool symmetric = true;
  ActMode mode = ActMode::Static;
  ActRange range = ActRange::MinMax;
  double percentile = 99.99; // for ActRange::Percentile (of |x|)
  bool quantized() const;
};

// A static range fitted on calibration tokens.
struct ActCalibration {
  float lo = 0, hi = 0;
};

// Throws qs::Error for an unknown format or no finite calibration values.
ActCalibration calibrateActivations(const Tensor& calibration, const ActQuantConfig& config);

struct ActQuantized {
  std::vector<float> values; // fake-quantized tokens, same shape
  int64_t clipped = 0;       // finite values outside the static range (0 for dynamic)
  int64_t count = 0;         // finite values
  float lo = 0, hi = 0;      // the static range used (symmetric: [-amax, amax])
};

// `calibration` is used only in static mode. A config that does not quantize
// returns the values unchanged.
ActQuantized quantizeActivations(const Tensor& x, const ActQuantConfig& config,
                                 const ActCalibration& calibration,
                                 const std::atomic<bool>* cancel = nullptr);

} // namespace qs
