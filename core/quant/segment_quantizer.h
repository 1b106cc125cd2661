#pragma once
// quantize.cpp's view of the format kernel (core/formats/format_kernel.h):
// one scale segment or block at a time. Thin forwarding, kept while quantize
// is split into stages that hold the kernel themselves.
#include "core/formats/format_kernel.h"
#include "core/quant/scheme.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace qs {

class SegmentQuantizer {
public:
  // A kernel of its own for the scheme's format (k-means keeps per-segment
  // state), with this rounding and seed.
  SegmentQuantizer(const Scheme& scheme, bool stochastic, uint64_t seed);

  const FormatKernel& kernel() const { return *kernel_; }
  int32_t codeMin() const { return kernel_->codeMin(); }
  int codeCount() const { return kernel_->codeCount(); }
  SegmentParams fit(const float* x, int64_t n, ClipRange r, int64_t segment) {
    return kernel_->fit(x, n, r, segment);
  }
  void reserveSegments(int64_t segments) { kernel_->reserveSegments(segments); }
  const std::vector<float>& centroids(int64_t segment) const { return *kernel_->centroids(segment); }
  void apply(const SegmentParams& p, int64_t segment, const float* x, int64_t n, float* deq, int32_t* codes,
             uint64_t index0) const {
    kernel_->apply(p, segment, x, n, deq, codes, index0);
  }
  void applyCast(const float* x, int64_t n, float* deq, int32_t* codes, uint64_t index0) const {
    kernel_->applyCast(x, n, deq, codes, index0);
  }
  SegmentParams applyBlock(const float* x, int64_t n, float* deq, int32_t* codes) const {
    return kernel_->applyBlock(x, n, deq, codes);
  }
  float codeValue(const SegmentParams& p, int64_t segment, int32_t code) const {
    return kernel_->codeValue(p, segment, code);
  }
  std::vector<float> levels(const SegmentParams& p, int64_t segment) const {
    return kernel_->levels(p, segment);
  }
  double trialMse(const float* x, int64_t n, ClipRange r, std::vector<float>& scratch) const {
    return kernel_->trialMse(x, n, r, scratch);
  }

private:
  std::unique_ptr<FormatKernel> kernel_;
};

} // namespace qs
