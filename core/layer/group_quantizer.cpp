#include "core/layer/group_quantizer.h"

#include "core/error.h"
#include "core/formats/int_format.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qs {

GroupQuantizer::GroupQuantizer(const QuantConfig& config) : scheme_(resolveScheme(config)) {
  switch (scheme_.kind) {
  case SchemeKind::Int:
  case SchemeKind::Float:
  case SchemeKind::Codebook:
    break;
  default:
    throw Error("format '" + config.format +
                "' has no per-group scale grid usable by GPTQ (use an int, float or codebook format)");
  }
  qmin_ = float(scheme_.qmin());
  qmax_ = float(scheme_.qmax());
}

GroupQuantizer::Params GroupQuantizer::fit(float lo, float hi) const {
  Params p;
  const float amax = std::max(std::fabs(lo), std::fabs(hi));
  switch (scheme_.kind) {
  case SchemeKind::Int:
    if (scheme_.symmetric) {
      p.scale = symmetricParams(amax, scheme_.bits).scale;
    } else {
      const AffineParams a = affineParams(lo, hi, scheme_.qmin(), scheme_.qmax());
      p.scale = a.scale;
      p.zeroPoint = float(a.zeroPoint);
    }
    break;
  case SchemeKind::Float:
    p.scale = amax > 0 ? float(double(amax) / scheme_.floatFormat.maxValue()) : 1.0f;
    if (!(p.scale > 0) || !std::isfinite(p.scale))
      p.scale = 1.0f;
    break;
  case SchemeKind::Codebook:
    p.scale = amax;
    p.invScale = amax > 0 ? 1.0f / amax : 0.0f;
    return p;
  default:
    break;
  }
  p.invScale = 1.0f / p.scale;
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
  switch (scheme_.kind) {
  case SchemeKind::Int: {
    const float q = std::clamp(roundHalfEven(x * p.invScale) + p.zeroPoint, qmin_, qmax_);
    return (q - p.zeroPoint) * p.scale;
  }
  case SchemeKind::Float:
    return scheme_.floatFormat.round(x / p.scale) * p.scale;
  case SchemeKind::Codebook:
    return scheme_.codebook.levels[size_t(scheme_.codebook.nearest(x * p.invScale))] * p.scale;
  default:
    return x;
  }
}

} // namespace qs
