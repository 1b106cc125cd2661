#include "core/layer/group_quantizer.h"

#include "core/error.h"
#include "core/quant/format_config.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qs {

namespace {

QuantConfig nearestRounding(QuantConfig config) {
  config.rounding = Rounding::Nearest;
  return config;
}

} // namespace

GroupQuantizer::GroupQuantizer(const QuantConfig& config) : kernel_(makeKernel(nearestRounding(config))) {
  if (!kernel_->fitsFromRange())
    throw Error("format '" + config.format +
                "' has no per-group scale grid usable by GPTQ (use an int, float or codebook format)");
}

GroupQuantizer::Params GroupQuantizer::fit(float lo, float hi) const {
  Params p = kernel_->fitParams(nullptr, 0, ClipRange{lo, hi});
  p.lo = -std::numeric_limits<float>::infinity(); // clamped by the grid only
  p.hi = std::numeric_limits<float>::infinity();
  return p;
}

GroupQuantizer::Params GroupQuantizer::fitValues(const float* x, int64_t n, int64_t stride) const {
  float lo = std::numeric_limits<float>::infinity(), hi = -lo;
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i * stride];
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  if (!(lo <= hi))
    lo = hi = 0.0f;
  return fit(lo, hi);
}

float GroupQuantizer::quantize(float x, const Params& p) const {
  float q;
  kernel_->apply(p, -1, &x, 1, &q, nullptr, 0);
  return q;
}

float GroupQuantizer::cast(float x) const {
  float q;
  kernel_->applyCast(&x, 1, &q, nullptr, 0);
  return q;
}

} // namespace qs
