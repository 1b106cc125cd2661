// Family "integer": uniform grids, symmetric (signed codes, scale from the
// absmax) or affine (unsigned codes and a zero point, PyTorch's MinMaxObserver).
#include "core/formats/int_kernel.h"

#include "core/calib/hqq.h"
#include "core/formats/format_families.h"
#include "core/formats/int_format.h"

#include <algorithm>
#include <cmath>

namespace qs {

void applyIntNearestScalar(const SegmentParams& p, int32_t qminI, int32_t qmaxI, const float* x, int64_t n,
                           float* deq, int32_t* codes) {
  const float zp = float(p.zeroPoint), qmin = float(qminI), qmax = float(qmaxI);
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    // As torch's fake_quantize: zero_point + nearbyint(x * (1/scale)), clamped.
    const float t = std::min(std::max(std::nearbyint(v * p.invScale) + zp, qmin), qmax);
    const bool f = simd::isFinite(v);
    const int32_t c = f ? int32_t(t) : p.zeroPoint;
    deq[i] = f ? float(c - p.zeroPoint) * p.scale : v;
    if (codes)
      codes[i] = c;
  }
}

// HQQ's real-valued zero point: codes clamp(round(x·s + z), 0, qmax) and
// values (code − z)·scale, as the hqq library quantizes and dequantizes.
void applyIntRealZero(const SegmentParams& p, int32_t qmaxI, const float* x, int64_t n, float* deq,
                      int32_t* codes) {
  const float qmax = float(qmaxI);
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    const bool f = simd::isFinite(v);
    const float q = f ? hqqCode(v, p.invScale, p.zero, qmax) : 0.0f;
    deq[i] = f ? (q - p.zero) * p.scale : v;
    if (codes)
      codes[i] = int32_t(q);
  }
}

#if QS_HAVE_AVX2
QS_AVX2 void applyIntNearest(const SegmentParams& p, int32_t qminI, int32_t qmaxI, const float* x, int64_t n,
                             float* deq, int32_t* codes) {
  const __m256 inv = _mm256_set1_ps(p.invScale), scale = _mm256_set1_ps(p.scale);
  const __m256 zp = _mm256_set1_ps(float(p.zeroPoint));
  const __m256 qmin = _mm256_set1_ps(float(qminI)), qmax = _mm256_set1_ps(float(qmaxI));
  const __m256i zpi = _mm256_set1_epi32(p.zeroPoint);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    __m256 t = _mm256_round_ps(_mm256_mul_ps(v, inv), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    t = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(t, zp), qmin), qmax); // NaN -> qmin
    const __m256 fin = simd::finiteMask(v);
    const __m256 q = _mm256_mul_ps(_mm256_sub_ps(t, zp), scale);
    _mm256_storeu_ps(deq + i, _mm256_blendv_ps(v, q, fin));
    if (codes) {
      const __m256i c = _mm256_cvtps_epi32(t);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(codes + i),
                          _mm256_blendv_epi8(zpi, c, _mm256_castps_si256(fin)));
    }
  }
  applyIntNearestScalar(p, qminI, qmaxI, x + i, n - i, deq + i, codes ? codes + i : nullptr);
}
#endif

namespace {

class IntKernel final : public FormatKernel {
public:
  IntKernel(int bits, const KernelOptions& options, const std::string& label)
      : bits_(bits), symmetric_(options.symmetric), stochastic_(options.stochastic), seed_(options.seed),
        label_(label + (options.symmetric ? " sym" : " asym")) {}

  std::string label() const override { return label_; }
  int codeBits() const override { return bits_; }
  int32_t codeMin() const override { return qmin(); }
  int codeCount() const override { return qmax() - qmin() + 1; }
  double overheadBitsPerSegment() const override { return 32.0 + (symmetric_ ? 0 : bits_); }
  ScaleExport scaleExport() const override { return {!symmetric_, false, false}; }

  std::vector<float> levels(const SegmentParams& p, int64_t, int maxCodeBits) const override {
    std::vector<float> v;
    if (bits_ <= maxCodeBits)
      for (int32_t q = qmin(); q <= qmax(); ++q)
        v.push_back(codeValue(p, 0, q));
    return sortedLevels(std::move(v));
  }

  bool fitsFromRange() const override { return true; }
  SegmentParams fitParams(const float*, int64_t, ClipRange r) const override {
    // INT1 symmetric has 2^0 - 1 = 0 positive levels: symmetricParams takes
    // scale = amax and codes {-1, 0} (the registry's definition).
    const float amax = std::max(std::fabs(r.lo), std::fabs(r.hi));
    const AffineParams a =
        symmetric_ ? symmetricParams(amax, bits_) : affineParams(r.lo, r.hi, qmin(), qmax());
    SegmentParams p;
    p.scale = a.scale;
    p.zeroPoint = a.zeroPoint;
    p.invScale = 1.0f / a.scale; // as torch: x * (1 / scale)
    // Symmetric grids saturate at +-max|range| (the TensorRT threshold); affine keeps [lo, hi].
    p.lo = symmetric_ ? -amax : r.lo;
    p.hi = symmetric_ ? amax : r.hi;
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
    return p.realZero ? (float(code) - p.zero) * p.scale : float(code - p.zeroPoint) * p.scale;
  }

protected:
  void applyNearest(const SegmentParams& p, int64_t, const float* x, int64_t n, float* deq) const override {
    applyNearestCodes(p, x, n, deq, nullptr);
  }

private:
  int32_t qmin() const { return symmetric_ ? -(int32_t{1} << (bits_ - 1)) : 0; }
  int32_t qmax() const {
    return symmetric_ ? (int32_t{1} << (bits_ - 1)) - 1 : int32_t((int64_t{1} << bits_) - 1);
  }

  void applyNearestCodes(const SegmentParams& p, const float* x, int64_t n, float* deq,
                         int32_t* codes) const {
    if (p.realZero)
      return applyIntRealZero(p, qmax(), x, n, deq, codes);
#if QS_HAVE_AVX2
    if (simd::useAvx2())
      return applyIntNearest(p, qmin(), qmax(), x, n, deq, codes);
#endif
    applyIntNearestScalar(p, qmin(), qmax(), x, n, deq, codes);
  }

  // floor(x/s + u), u uniform in [0,1): rounds up with probability frac(x/s).
  void applyStochastic(const SegmentParams& p, const float* x, int64_t n, float* deq, int32_t* codes,
                       uint64_t index0) const {
    const float zp = float(p.zeroPoint), lo = float(qmin()), hi = float(qmax());
    for (int64_t i = 0; i < n; ++i) {
      const float v = x[i];
      const float t = std::min(
          std::max(std::floor(v * p.invScale + uniformAt(seed_, index0 + uint64_t(i))) + zp, lo), hi);
      const bool f = simd::isFinite(v);
      const int32_t c = f ? int32_t(t) : p.zeroPoint;
      deq[i] = f ? float(c - p.zeroPoint) * p.scale : v;
      if (codes)
        codes[i] = c;
    }
  }

  int bits_;
  bool symmetric_, stochastic_;
  uint64_t seed_;
  std::string label_;
};

} // namespace

KernelFactory intFamily(int bits) {
  return [bits](const KernelOptions& options, const std::string& label) {
    return std::make_unique<IntKernel>(bits, options, label);
  };
}

} // namespace qs
