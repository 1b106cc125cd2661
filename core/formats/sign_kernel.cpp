// Family "binary/ternary": sign(w) x mean|w| per segment (BinaryConnect /
// XNOR-Net), or TWN (Li & Liu 2016): |w| <= 0.7 mean|w| -> 0, the rest
// +-(mean |w| of the kept ones).
#include "core/formats/format_families.h"
#include "core/util/simd.h"

#include <algorithm>
#include <cmath>

namespace qs {

namespace {

float clampTo(float v, float lo, float hi) {
  return std::min(std::max(v, lo), hi);
}

// Mean of |clamp(x)| over the finite x with |clamp(x)| > floor (all for floor < 0).
double meanAbove(const float* x, int64_t n, ClipRange r, float floor) {
  double sum = 0;
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float a = std::fabs(clampTo(x[i], r.lo, r.hi));
    if (simd::isFinite(x[i]) && a > floor) {
      sum += a;
      ++count;
    }
  }
  return count ? sum / double(count) : 0.0;
}

class SignKernel final : public FormatKernel {
public:
  SignKernel(SignLevels levels, const KernelOptions& options, const std::string& label)
      : ternary_(levels == SignLevels::Ternary), stochastic_(options.stochastic), seed_(options.seed),
        label_(label + (ternary_ ? " (TWN)" : " (sign x mean|w|)")) {}

  std::string label() const override { return label_; }
  int codeBits() const override { return ternary_ ? 2 : 1; }
  int32_t codeMin() const override { return ternary_ ? -1 : 0; }
  int codeCount() const override { return ternary_ ? 3 : 2; }
  double overheadBitsPerSegment() const override { return 32.0; }

  std::vector<float> levels(const SegmentParams& p, int64_t, int) const override {
    return sortedLevels(ternary_ ? std::vector<float>{-p.scale, 0.0f, p.scale}
                                 : std::vector<float>{-p.scale, p.scale});
  }

  SegmentParams fitParams(const float* x, int64_t n, ClipRange r) const override {
    SegmentParams p;
    const double mean = meanAbove(x, n, r, -1.0f);
    if (ternary_) {
      p.threshold = float(0.7 * mean);
      p.scale = float(meanAbove(x, n, r, p.threshold));
    } else {
      p.scale = float(mean);
    }
    p.invScale = p.scale > 0 ? 1.0f / p.scale : 0.0f;
    const float amax = std::max(std::fabs(r.lo), std::fabs(r.hi));
    p.lo = -amax; // symmetric grid: saturates at +-max|range|
    p.hi = amax;
    return p;
  }

  void apply(const SegmentParams& p, int64_t, const float* x, int64_t n, float* deq, int32_t* codes,
             uint64_t index0) const override {
    if (ternary_)
      applyTernary(p, stochastic_, x, n, deq, codes, index0);
    else
      applyBinary(p, stochastic_, x, n, deq, codes, index0);
  }

  float codeValue(const SegmentParams& p, int64_t, int32_t code) const override {
    return ternary_ ? float(code) * p.scale : (code ? p.scale : -p.scale);
  }

protected:
  void applyNearest(const SegmentParams& p, int64_t, const float* x, int64_t n, float* deq) const override {
    if (ternary_)
      applyTernary(p, false, x, n, deq, nullptr, 0);
    else
      applyBinary(p, false, x, n, deq, nullptr, 0);
  }

private:
  void applyBinary(const SegmentParams& p, bool stochastic, const float* x, int64_t n, float* deq,
                   int32_t* codes, uint64_t index0) const {
    for (int64_t i = 0; i < n; ++i) {
      const float v = x[i];
      int32_t c;
      if (stochastic && p.scale > 0) {
        const float prob = 0.5f * (clampTo(v * p.invScale, -1.0f, 1.0f) + 1.0f);
        c = uniformAt(seed_, index0 + uint64_t(i)) < prob ? 1 : 0;
      } else {
        c = v >= 0 ? 1 : 0;
      }
      const bool f = simd::isFinite(v);
      deq[i] = f ? (c ? p.scale : -p.scale) : v;
      if (codes)
        codes[i] = f ? c : 0;
    }
  }

  void applyTernary(const SegmentParams& p, bool stochastic, const float* x, int64_t n, float* deq,
                    int32_t* codes, uint64_t index0) const {
    for (int64_t i = 0; i < n; ++i) {
      const float v = clampTo(x[i], p.lo, p.hi);
      int32_t c;
      if (stochastic && p.scale > 0) {
        const float a = std::fabs(v) * p.invScale;
        c = (a >= 1.0f || uniformAt(seed_, index0 + uint64_t(i)) < a) ? (v < 0 ? -1 : 1) : 0;
      } else {
        c = v > p.threshold ? 1 : (v < -p.threshold ? -1 : 0);
      }
      const bool f = simd::isFinite(x[i]);
      deq[i] = f ? float(c) * p.scale : x[i];
      if (codes)
        codes[i] = f ? c : 0;
    }
  }

  bool ternary_, stochastic_;
  uint64_t seed_;
  std::string label_;
};

} // namespace

KernelFactory signFamily(SignLevels levels) {
  return [levels](const KernelOptions& options, const std::string& label) {
    return std::make_unique<SignKernel>(levels, options, label);
  };
}

} // namespace qs
