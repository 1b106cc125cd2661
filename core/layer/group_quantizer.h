#pragma once
// "Quantize these values with these parameters": the per-group primitive GPTQ
// needs (its scales are fitted as the columns are reached, so a whole-tensor
// quantize() does not fit). The format's kernel (core/formats/format_kernel.h)
// fits and rounds, so the grid is exactly the one RTN (qs::fakeQuantize) uses,
// always with nearest rounding. Values beyond the fitted range are clamped by
// the grid only (GPTQ feeds error into later columns, which may leave the
// range they were fitted on). Formats whose parameters need more than a
// range (binary, ternary, k-means, MX, GGUF) throw qs::Error.
#include "core/formats/format_kernel.h"
#include "core/quant/quant_config.h"

#include <cstdint>
#include <memory>

namespace qs {

class GroupQuantizer {
public:
  using Params = SegmentParams;

  explicit GroupQuantizer(const QuantConfig& config);

  const FormatKernel& kernel() const { return *kernel_; }
  // Parameters for values whose (finite) min and max are lo and hi.
  Params fit(float lo, float hi) const;
  // Parameters from n values read with a stride (a strided column or row).
  Params fitValues(const float* x, int64_t n, int64_t stride = 1) const;
  float quantize(float x, const Params& p) const;
  // Granularity none: the plain cast of a float format.
  float cast(float x) const;

private:
  std::unique_ptr<FormatKernel> kernel_;
};

} // namespace qs
