#pragma once
// "Quantize these values with these parameters": the per-group primitive GPTQ
// needs (its scales are fitted as the columns are reached, so a whole-tensor
// quantize() does not fit). Built on core/formats and the engine's Scheme so
// that the grid is exactly the one RTN (qs::fakeQuantize) uses:
//   Int sym   : scale = symmetricParams(amax, bits), q = clamp(rne(x * (1/s)), qmin, qmax) * s
//   Int asym  : affineParams(min, max, 0, 2^k-1), q = (clamp(rne(x * (1/s)) + zp, 0, 2^k-1) - zp) * s
//   Float     : scale = amax / maxValue (1 when amax == 0), q = round_fmt(x / s) * s
//   Codebook  : scale = amax, q = levels[nearest(x * (1/s))] * s
// (x * (1/s) as torch's fake_quantize and the engine's SegmentQuantizer do.)
// Values beyond the fitted range are clamped by the grid only (GPTQ feeds
// error into later columns, which may leave the range they were fitted on).
// Other schemes (binary, ternary, k-means, MX, GGUF) throw qs::Error.
#include "core/quant/quant_config.h"
#include "core/quant/scheme.h"

#include <cstdint>

namespace qs {

class GroupQuantizer {
public:
  struct Params {
    float scale = 1.0f;
    float invScale = 1.0f;
    float zeroPoint = 0.0f; // integer-valued, asymmetric int only
  };

  explicit GroupQuantizer(const QuantConfig& config);

  const Scheme& scheme() const { return scheme_; }
  // Parameters for values whose (finite) min and max are lo and hi.
  Params fit(float lo, float hi) const;
  // Parameters from n values read with a stride (a strided column or row).
  Params fitValues(const float* x, int64_t n, int64_t stride = 1) const;
  float quantize(float x, const Params& p) const;

private:
  Scheme scheme_;
  float qmin_ = 0, qmax_ = 0;
};

} // namespace qs
