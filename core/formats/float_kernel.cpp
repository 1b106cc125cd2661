// Family "float": a plain cast (granularity none) or the format's grid times
// a scale amax / maxValue, as (x / s).to(fp8) * s.
#include "core/formats/float_kernel.h"

#include "core/formats/float_codec.h"
#include "core/formats/format_families.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

namespace qs {

namespace {

class FloatKernel final : public FormatKernel {
public:
  FloatKernel(const FloatFormat& format, const KernelOptions& options, const std::string& label, bool tiled)
      : format_(format), stochastic_(options.stochastic), seed_(options.seed), tiled_(tiled), label_(label) {
    if (format_.bits() <= 12) {
      decodeLut_.resize(size_t{1} << format_.bits());
      for (uint32_t c = 0; c < decodeLut_.size(); ++c)
        decodeLut_[c] = format_.decode(c);
    }
  }

  std::string label() const override { return label_; }
  int codeBits() const override { return format_.bits(); }
  int codeCount() const override { return format_.bits() <= 16 ? 1 << format_.bits() : 0; }
  // Wide formats are plain casts by default; narrow ones need a scale (a
  // tiled member: one per 128 x 128 tile).
  DefaultScaling defaultScaling() const override {
    if (tiled_)
      return DefaultScaling::Tiles;
    return format_.bits() >= 16 ? DefaultScaling::Cast : DefaultScaling::PerTensor;
  }
  double overheadBitsPerSegment() const override { return 32.0; }

  std::vector<float> levels(const SegmentParams& p, int64_t, int maxCodeBits) const override {
    std::vector<float> v;
    if (format_.bits() <= maxCodeBits)
      for (float a : format_.nonNegativeValues()) {
        v.push_back(a * p.scale);
        v.push_back(-a * p.scale);
      }
    return sortedLevels(std::move(v));
  }

  bool fitsFromRange() const override { return true; }
  SegmentParams fitParams(const float*, int64_t, ClipRange r) const override {
    const float amax = std::max(std::fabs(r.lo), std::fabs(r.hi));
    SegmentParams p;
    // A normal float at least: for wide formats (FP32/BF16 max ~3.4e38) the
    // ideal scale would be subnormal and x / scale could overflow.
    p.scale = amax > 0 ? std::max(float(double(amax) / format_.maxValue()), FLT_MIN) : 1.0f;
    if (!(p.scale > 0) || !std::isfinite(p.scale))
      p.scale = 1.0f;
    p.invScale = 1.0f / p.scale;
    p.lo = -amax; // symmetric grid: saturates at +-max|range|
    p.hi = amax;
    return p;
  }

  void apply(const SegmentParams& p, int64_t, const float* x, int64_t n, float* deq, int32_t* codes,
             uint64_t index0) const override {
    if (stochastic_)
      applyStochastic(p, x, n, deq, codes, index0);
    else
      applyNearestCodes(p, x, n, deq, codes);
  }

  float codeValue(const SegmentParams& p, int64_t, int32_t code) const override {
    return (decodeLut_.empty() ? format_.decode(uint32_t(code)) : decodeLut_[size_t(code)]) * p.scale;
  }

  bool castable() const override { return true; }
  float castMax() const override { return float(format_.maxValue()); }
  void applyCast(const float* x, int64_t n, float* deq, int32_t* codes, uint64_t index0) const override;

protected:
  void applyNearest(const SegmentParams& p, int64_t, const float* x, int64_t n, float* deq) const override {
    applyNearestCodes(p, x, n, deq, nullptr);
  }

private:
  void applyNearestCodes(const SegmentParams& p, const float* x, int64_t n, float* deq, int32_t* codes) const;
  void applyStochastic(const SegmentParams& p, const float* x, int64_t n, float* deq, int32_t* codes,
                       uint64_t index0) const;
  void castCodes(const float* deq, int64_t n, int32_t* codes) const;

  FloatFormat format_;
  bool stochastic_;
  uint64_t seed_;
  bool tiled_;
  std::string label_;
  std::vector<float> decodeLut_; // formats of <= 12 bits: code -> value
};

// y = clamp(x) / scale rounded onto the grid with roundArray's SIMD kernel in
// cache-sized blocks, then q = round(y) * scale (round(y) == decode(encode(y))
// bit for bit). The codes are the rounded values' encodings; non-finite x
// pass through with code 0 (their y is +0).
void FloatKernel::applyNearestCodes(const SegmentParams& p, const float* x, int64_t n, float* deq,
                                    int32_t* codes) const {
  constexpr int64_t kBlock = 1024;
  alignas(32) float y[kBlock];
  [[maybe_unused]] const bool avx2 = simd::useAvx2();
  for (int64_t b = 0; b < n; b += kBlock) {
    const int64_t m = std::min(kBlock, n - b);
#if QS_HAVE_AVX2
    if (avx2)
      divideClamped(p.lo, p.hi, p.scale, x + b, m, y);
    else
#endif
      divideClampedScalar(p.lo, p.hi, p.scale, x + b, m, y);
    roundArray(format_, y, y, m);
#if QS_HAVE_AVX2
    if (avx2)
      multiplyBack(p.scale, x + b, y, m, deq + b);
    else
#endif
      multiplyBackScalar(p.scale, x + b, y, m, deq + b);
    if (codes)
      encodeArray(format_, y, reinterpret_cast<uint32_t*>(codes + b), m);
  }
}

void FloatKernel::applyStochastic(const SegmentParams& p, const float* x, int64_t n, float* deq,
                                  int32_t* codes, uint64_t index0) const {
  const FloatCodec codec(format_);
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    if (!simd::isFinite(v)) {
      deq[i] = v;
      if (codes)
        codes[i] = 0;
      continue;
    }
    const float y = std::min(std::max(v, p.lo), p.hi) / p.scale; // x / scale, as (x / s).to(fp8) * s
    const float r = format_.roundStochastic(y, uniformAt(seed_, index0 + uint64_t(i)));
    deq[i] = r * p.scale;
    if (codes)
      codes[i] = int32_t(codec.encode(r));
  }
}

void FloatKernel::applyCast(const float* x, int64_t n, float* deq, int32_t* codes, uint64_t index0) const {
  if (stochastic_) {
    for (int64_t i = 0; i < n; ++i)
      deq[i] =
          simd::isFinite(x[i]) ? format_.roundStochastic(x[i], uniformAt(seed_, index0 + uint64_t(i))) : x[i];
  } else {
    roundArray(format_, x, deq, n);
  }
  if (codes)
    castCodes(deq, n, codes);
}

// The rounded values are exact in the format: their bit patterns are the codes.
void FloatKernel::castCodes(const float* deq, int64_t n, int32_t* codes) const {
  const FloatFormat& f = format_;
  if (f.exponentBits == 8 && f.mantissaBits <= 23 && f.specials == FloatSpecials::Ieee) {
    const int shift = 23 - f.mantissaBits; // fp32, tf32, bf16: the top bits of the float32 pattern
    for (int64_t i = 0; i < n; ++i) {
      uint32_t b;
      std::memcpy(&b, deq + i, 4);
      codes[i] = int32_t(b >> shift);
    }
    return;
  }
  if (f.exponentBits == 5 && f.mantissaBits == 10 && f.specials == FloatSpecials::Ieee) {
#if QS_HAVE_AVX2
    if (simd::useAvx2())
      return halfCodes(deq, n, codes);
#endif
    return halfCodesScalar(deq, n, codes);
  }
  for (int64_t i = 0; i < n; ++i)
    codes[i] = int32_t(f.encode(deq[i]));
}

} // namespace

KernelFactory floatFamily(const FloatFormat& format) {
  return [format](const KernelOptions& options, const std::string& label) {
    return std::make_unique<FloatKernel>(format, options, label, false);
  };
}

KernelFactory tiledFloatFamily(const FloatFormat& format) {
  return [format](const KernelOptions& options, const std::string& label) {
    return std::make_unique<FloatKernel>(format, options, label, true);
  };
}

} // namespace qs
