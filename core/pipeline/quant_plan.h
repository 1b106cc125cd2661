#pragma once
// Stage 1 of quantize() (docs/ARCHITECTURE.md, "The quantizer"): the format
// resolved once, the granularity that will really be used and the layout of
// its scale segments.
#include "core/formats/format_kernel.h"
#include "core/quant/layout.h"
#include "core/tensor.h"

#include <memory>
#include <string>

namespace qs {

struct QuantPlan {
  QuantConfig config; // as resolved for this tensor (overrides applied)
  // The kernel of the format for this config (rounding and seed included):
  // every stage asks it about the grid, and it fits and quantizes.
  std::shared_ptr<FormatKernel> kernel;
  SegmentLayout layout;
  std::string formatLabel; // "INT4 · group 128 along axis 1 · clip mse"
  int64_t numel = 0;
  int64_t segments = 0;  // one scale each; 0 for an empty tensor
  bool cast = false;     // granularity none: a plain cast to a float format
  bool block = false;    // the format fixes its blocks (MX, GGUF)
  bool parallel = false; // threads pay off only for large tensors
  // The tensor's importance weights reach the kernel (a GGUF type with a
  // weighted quantizer); the label then ends in "· imatrix".
  bool weighted = false;
  bool stochastic() const { return config.rounding == Rounding::Stochastic; }
};

// Throws qs::Error for an unknown format, an impossible granularity or a
// tensor whose values do not fill its shape.
QuantPlan planQuantization(const Tensor& tensor, const QuantConfig& config);

} // namespace qs
