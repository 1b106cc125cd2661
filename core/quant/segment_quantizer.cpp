#include "core/quant/segment_quantizer.h"

#include "core/error.h"
#include "core/formats/float_codec.h"
#include "core/formats/int_format.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#ifdef __AVX2__
#include <immintrin.h>
#endif

namespace qs {

namespace {

inline bool finiteF(float v) {
  return std::fabs(v) <= FLT_MAX;
}

inline float clampF(float v, float lo, float hi) {
  return std::min(std::max(v, lo), hi);
}

// Index of the nearest of sorted `lv` (ties to the lower index).
inline int nearestIn(const float* lv, int count, float y) {
  const float* it = std::lower_bound(lv, lv + count, y);
  if (it == lv)
    return 0;
  if (it == lv + count)
    return count - 1;
  const int hi = int(it - lv);
  return (lv[hi] - y) < (y - lv[hi - 1]) ? hi : hi - 1;
}

// Stochastic pick between the two levels around y: up with probability
// (y - below) / (above - below), so E[q] = y inside the grid.
inline int stochasticIn(const float* lv, int count, float y, float u) {
  const float* it = std::lower_bound(lv, lv + count, y);
  if (it == lv)
    return 0;
  if (it == lv + count)
    return count - 1;
  const int hi = int(it - lv);
  if (lv[hi] == y)
    return hi;
  const float t = (y - lv[hi - 1]) / (lv[hi] - lv[hi - 1]);
  return u < t ? hi : hi - 1;
}

// Nearest of <= 16 sorted levels for 8 values at once: the code is the number
// of k with (l[k+1] - y) < (y - l[k]), which is exactly nearestIn's choice
// (ties to the lower level). Returns how many values it handled.
int64_t nearestLevelsSimd(const float* lv, int count, float lo, float hi, float inv, float scale,
                          const float* x, int64_t n, float* deq, int32_t* codes) {
#ifdef __AVX2__
  if (count > 16 || count < 2)
    return 0;
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi), vinv = _mm256_set1_ps(inv);
  const __m256 vscale = _mm256_set1_ps(scale);
  const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  const __m256 lim = _mm256_set1_ps(FLT_MAX);
  __m256 L[16];
  for (int k = 0; k < count; ++k)
    L[k] = _mm256_set1_ps(lv[k]);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    // min(max(v, lo), hi) with v first: NaN -> lo (it is passed through below).
    const __m256 y = _mm256_mul_ps(_mm256_min_ps(_mm256_max_ps(v, vlo), vhi), vinv);
    __m256i c = _mm256_setzero_si256();
    for (int k = 0; k + 1 < count; ++k) {
      const __m256 up = _mm256_cmp_ps(_mm256_sub_ps(L[k + 1], y), _mm256_sub_ps(y, L[k]), _CMP_LT_OQ);
      c = _mm256_sub_epi32(c, _mm256_castps_si256(up));
    }
    const __m256 fin = _mm256_cmp_ps(_mm256_and_ps(v, absMask), lim, _CMP_LE_OQ);
    const __m256 q = _mm256_mul_ps(_mm256_i32gather_ps(lv, c, 4), vscale);
    _mm256_storeu_ps(deq + i, _mm256_blendv_ps(v, q, fin));
    if (codes)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(codes + i),
                          _mm256_and_si256(c, _mm256_castps_si256(fin)));
  }
  return i;
#else
  (void)lv, (void)count, (void)lo, (void)hi, (void)inv, (void)scale, (void)x, (void)n, (void)deq, (void)codes;
  return 0;
#endif
}

uint16_t load16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

} // namespace

void applyIntNearestRef(const SegmentParams& p, int32_t qminI, int32_t qmaxI, const float* x, int64_t n,
                        float* deq, int32_t* codes) {
  const float zp = float(p.zeroPoint), qmin = float(qminI), qmax = float(qmaxI);
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    // As torch's fake_quantize: zero_point + nearbyint(x * (1/scale)), clamped.
    const float t = clampF(std::nearbyint(v * p.invScale) + zp, qmin, qmax);
    const bool f = finiteF(v);
    const int32_t c = f ? int32_t(t) : p.zeroPoint;
    deq[i] = f ? float(c - p.zeroPoint) * p.scale : v;
    if (codes)
      codes[i] = c;
  }
}

void applyIntNearest(const SegmentParams& p, int32_t qminI, int32_t qmaxI, const float* x, int64_t n,
                     float* deq, int32_t* codes) {
  int64_t i = 0;
#ifdef __AVX2__
  const __m256 inv = _mm256_set1_ps(p.invScale), scale = _mm256_set1_ps(p.scale);
  const __m256 zp = _mm256_set1_ps(float(p.zeroPoint));
  const __m256 qmin = _mm256_set1_ps(float(qminI)), qmax = _mm256_set1_ps(float(qmaxI));
  const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  const __m256 lim = _mm256_set1_ps(FLT_MAX);
  const __m256i zpi = _mm256_set1_epi32(p.zeroPoint);
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    __m256 t = _mm256_round_ps(_mm256_mul_ps(v, inv), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    t = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(t, zp), qmin), qmax); // NaN -> qmin
    const __m256 fin = _mm256_cmp_ps(_mm256_and_ps(v, absMask), lim, _CMP_LE_OQ);
    const __m256 q = _mm256_mul_ps(_mm256_sub_ps(t, zp), scale);
    _mm256_storeu_ps(deq + i, _mm256_blendv_ps(v, q, fin));
    if (codes) {
      const __m256i c = _mm256_cvtps_epi32(t);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(codes + i),
                          _mm256_blendv_epi8(zpi, c, _mm256_castps_si256(fin)));
    }
  }
#endif
  applyIntNearestRef(p, qminI, qmaxI, x + i, n - i, deq + i, codes ? codes + i : nullptr);
}

// Scaled float, nearest: y = clamp(x) / scale rounded onto the format's grid
// with roundArray's SIMD kernel in cache-sized blocks, then q = round(y) * scale
// (round(y) == decode(encode(y)) bit for bit). The codes are the rounded
// values' encodings. Non-finite x pass through with code 0.
void SegmentQuantizer::applyFloatNearest(const SegmentParams& p, const float* x, int64_t n, float* deq,
                                         int32_t* codes) const {
  constexpr int64_t kBlock = 1024;
  alignas(32) float y[kBlock];
  const float lo = p.lo, hi = p.hi, scale = p.scale;
  for (int64_t b = 0; b < n; b += kBlock) {
    const int64_t m = std::min(kBlock, n - b);
    const float* xb = x + b;
    float* db = deq + b;
    int64_t i = 0;
#ifdef __AVX2__
    const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi), vscale = _mm256_set1_ps(scale);
    const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    const __m256 lim = _mm256_set1_ps(FLT_MAX);
    for (; i + 8 <= m; i += 8) {
      const __m256 v = _mm256_loadu_ps(xb + i);
      const __m256 fin = _mm256_cmp_ps(_mm256_and_ps(v, absMask), lim, _CMP_LE_OQ);
      const __m256 c = _mm256_min_ps(_mm256_max_ps(v, vlo), vhi);
      _mm256_store_ps(y + i, _mm256_and_ps(_mm256_div_ps(c, vscale), fin));
    }
#endif
    for (; i < m; ++i)
      y[i] = finiteF(xb[i]) ? clampF(xb[i], lo, hi) / scale : 0.0f;
    roundArray(scheme_.floatFormat, y, y, m);
    i = 0;
#ifdef __AVX2__
    for (; i + 8 <= m; i += 8) {
      const __m256 v = _mm256_loadu_ps(xb + i);
      const __m256 fin = _mm256_cmp_ps(_mm256_and_ps(v, absMask), lim, _CMP_LE_OQ);
      _mm256_storeu_ps(db + i, _mm256_blendv_ps(v, _mm256_mul_ps(_mm256_load_ps(y + i), vscale), fin));
    }
#endif
    for (; i < m; ++i)
      db[i] = finiteF(xb[i]) ? y[i] * scale : xb[i];
    if (codes) // y = +0 for non-finite x, whose code is 0 as required
      encodeArray(scheme_.floatFormat, y, reinterpret_cast<uint32_t*>(codes + b), m);
  }
}

void SegmentQuantizer::applyIntStochastic(const SegmentParams& p, const float* x, int64_t n, float* deq,
                                          int32_t* codes, uint64_t index0) const {
  const float zp = float(p.zeroPoint), qmin = float(scheme_.qmin()), qmax = float(scheme_.qmax());
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    // floor(x/s + u), u uniform in [0,1): rounds up with probability frac(x/s).
    const float t =
        clampF(std::floor(v * p.invScale + uniformAt(seed_, index0 + uint64_t(i))) + zp, qmin, qmax);
    const bool f = finiteF(v);
    const int32_t c = f ? int32_t(t) : p.zeroPoint;
    deq[i] = f ? float(c - p.zeroPoint) * p.scale : v;
    if (codes)
      codes[i] = c;
  }
}

SegmentQuantizer::SegmentQuantizer(const Scheme& scheme, bool stochastic, uint64_t seed)
    : scheme_(scheme), stochastic_(stochastic), seed_(seed) {
  if (scheme_.kind == SchemeKind::Float && scheme_.bits <= 12) {
    decodeLut_.resize(size_t{1} << scheme_.bits);
    for (uint32_t c = 0; c < decodeLut_.size(); ++c)
      decodeLut_[c] = scheme_.floatFormat.decode(c);
  }
}

int32_t SegmentQuantizer::codeMin() const {
  switch (scheme_.kind) {
  case SchemeKind::Int:
    return scheme_.qmin();
  case SchemeKind::Ternary:
    return -1;
  case SchemeKind::Gguf:
    return scheme_.ggufType == GgufType::Q8_0 ? -128 : 0;
  default:
    return 0;
  }
}

int SegmentQuantizer::codeCount() const {
  switch (scheme_.kind) {
  case SchemeKind::Int:
    return scheme_.qmax() - scheme_.qmin() + 1;
  case SchemeKind::Binary:
    return 2;
  case SchemeKind::Ternary:
    return 3;
  case SchemeKind::Codebook:
    return int(scheme_.codebook.levels.size());
  case SchemeKind::KMeans:
    return 1 << scheme_.kmeansBits;
  case SchemeKind::Float:
  case SchemeKind::Mx:
    return scheme_.bits <= 16 ? 1 << scheme_.bits : 0;
  case SchemeKind::Gguf:
    switch (scheme_.ggufType) {
    case GgufType::Q8_0:
      return 256;
    case GgufType::Q4_0:
    case GgufType::Q4_1:
      return 16;
    case GgufType::Q5_0:
    case GgufType::Q5_1:
      return 32;
    default:
      return 0; // K quants: codes are not unpacked
    }
  }
  return 0;
}

void SegmentQuantizer::reserveSegments(int64_t segments) {
  if (scheme_.kind == SchemeKind::KMeans)
    centroids_.assign(size_t(segments), {});
}

std::vector<float> SegmentQuantizer::fitCentroids(const float* x, int64_t n, ClipRange r,
                                                  int64_t segment) const {
  std::vector<float> v;
  v.reserve(size_t(n));
  for (int64_t i = 0; i < n; ++i)
    if (finiteF(x[i]))
      v.push_back(clampF(x[i], r.lo, r.hi));
  const int k = 1 << scheme_.kmeansBits;
  if (v.empty())
    return std::vector<float>(size_t(k), 0.0f);
  return kmeans1d(v.data(), nullptr, int64_t(v.size()), k,
                  seed_ ^ (0x9E3779B97F4A7C15ull * uint64_t(segment + 1)));
}

SegmentParams SegmentQuantizer::fit(const float* x, int64_t n, ClipRange r, int64_t segment) {
  SegmentParams p;
  p.lo = r.lo;
  p.hi = r.hi;
  const float amax = std::max(std::fabs(r.lo), std::fabs(r.hi));
  switch (scheme_.kind) {
  case SchemeKind::Int: {
    const AffineParams a = scheme_.symmetric ? symmetricParams(amax, scheme_.bits)
                                             : affineParams(r.lo, r.hi, scheme_.qmin(), scheme_.qmax());
    p.scale = a.scale;
    p.zeroPoint = a.zeroPoint;
    p.invScale = 1.0f / a.scale; // as torch: x * (1 / scale)
    break;
  }
  case SchemeKind::Binary:
  case SchemeKind::Ternary: {
    double sum = 0;
    int64_t cnt = 0;
    for (int64_t i = 0; i < n; ++i)
      if (finiteF(x[i])) {
        sum += std::fabs(clampF(x[i], r.lo, r.hi));
        ++cnt;
      }
    const double mean = cnt ? sum / double(cnt) : 0.0;
    if (scheme_.kind == SchemeKind::Binary) {
      p.scale = float(mean);
    } else {
      // TWN (Li & Liu 2016): delta = 0.7 E|w|, alpha = mean of |w| above delta.
      p.threshold = float(0.7 * mean);
      double s = 0;
      int64_t c = 0;
      for (int64_t i = 0; i < n; ++i) {
        const float a = std::fabs(clampF(x[i], r.lo, r.hi));
        if (finiteF(x[i]) && a > p.threshold) {
          s += a;
          ++c;
        }
      }
      p.scale = c ? float(s / double(c)) : 0.0f;
    }
    p.invScale = p.scale > 0 ? 1.0f / p.scale : 0.0f;
    break;
  }
  case SchemeKind::Codebook:
    p.scale = amax;
    p.invScale = amax > 0 ? 1.0f / amax : 0.0f;
    break;
  case SchemeKind::KMeans: {
    std::vector<float> c = fitCentroids(x, n, r, segment);
    float cmax = 0;
    for (float f : c)
      cmax = std::max(cmax, std::fabs(f));
    p.scale = cmax;
    if (segment >= 0 && size_t(segment) < centroids_.size())
      centroids_[size_t(segment)] = std::move(c); // slots are pre-sized: safe in parallel
    break;
  }
  case SchemeKind::Float: {
    const double fmax = scheme_.floatFormat.maxValue();
    // A normal float at least: for wide formats (FP32/BF16 max ~3.4e38) the
    // ideal scale would be subnormal and x / scale could overflow.
    p.scale = amax > 0 ? std::max(float(double(amax) / fmax), FLT_MIN) : 1.0f;
    if (!(p.scale > 0) || !std::isfinite(p.scale))
      p.scale = 1.0f;
    p.invScale = 1.0f / p.scale;
    break;
  }
  case SchemeKind::Mx:
  case SchemeKind::Gguf:
    break; // per block, see applyBlock
  }
  // Grids symmetric around zero saturate at +-T, T = max |clip range| (the
  // TensorRT "threshold"): an asymmetric calibrated range (two-sided
  // percentiles, skewed data) would otherwise clamp representable values on
  // the shorter side. Affine integers and k-means keep [lo, hi].
  const bool symmetricGrid = (scheme_.kind == SchemeKind::Int && scheme_.symmetric) ||
                             scheme_.kind == SchemeKind::Codebook || scheme_.kind == SchemeKind::Float ||
                             scheme_.kind == SchemeKind::Binary || scheme_.kind == SchemeKind::Ternary;
  if (symmetricGrid) {
    p.lo = -amax;
    p.hi = amax;
  }
  return p;
}

void SegmentQuantizer::apply(const SegmentParams& p, int64_t segment, const float* x, int64_t n, float* deq,
                             int32_t* codes, uint64_t index0) const {
  applyWith(p, segment, x, n, deq, codes, index0, stochastic_, nullptr);
}

void SegmentQuantizer::applyWith(const SegmentParams& p, int64_t segment, const float* x, int64_t n,
                                 float* deq, int32_t* codes, uint64_t index0, bool stochastic,
                                 const std::vector<float>* kmLevels) const {
  const uint64_t seed = seed_;
  switch (scheme_.kind) {
  case SchemeKind::Int:
    if (stochastic)
      applyIntStochastic(p, x, n, deq, codes, index0);
    else
      applyIntNearest(p, scheme_.qmin(), scheme_.qmax(), x, n, deq, codes);
    return;
  case SchemeKind::Binary:
    for (int64_t i = 0; i < n; ++i) {
      const float v = x[i];
      int32_t c;
      if (stochastic && p.scale > 0) {
        const float prob = 0.5f * (clampF(v * p.invScale, -1.0f, 1.0f) + 1.0f);
        c = uniformAt(seed, index0 + uint64_t(i)) < prob ? 1 : 0;
      } else {
        c = v >= 0 ? 1 : 0;
      }
      const bool f = finiteF(v);
      deq[i] = f ? (c ? p.scale : -p.scale) : v;
      if (codes)
        codes[i] = f ? c : 0;
    }
    return;
  case SchemeKind::Ternary:
    for (int64_t i = 0; i < n; ++i) {
      const float v = clampF(x[i], p.lo, p.hi);
      int32_t c;
      if (stochastic && p.scale > 0) {
        const float a = std::fabs(v) * p.invScale;
        c = (a >= 1.0f || uniformAt(seed, index0 + uint64_t(i)) < a) ? (v < 0 ? -1 : 1) : 0;
      } else {
        c = v > p.threshold ? 1 : (v < -p.threshold ? -1 : 0);
      }
      const bool f = finiteF(x[i]);
      deq[i] = f ? float(c) * p.scale : x[i];
      if (codes)
        codes[i] = f ? c : 0;
    }
    return;
  case SchemeKind::Codebook:
  case SchemeKind::KMeans: {
    const bool km = scheme_.kind == SchemeKind::KMeans;
    const std::vector<float>& lv =
        km ? (kmLevels ? *kmLevels : centroids_[size_t(segment)]) : scheme_.codebook.levels;
    const int count = int(lv.size());
    const float inv = km ? 1.0f : p.invScale, scale = km ? 1.0f : p.scale;
    int64_t i = 0;
    if (!stochastic)
      i = nearestLevelsSimd(lv.data(), count, p.lo, p.hi, inv, scale, x, n, deq, codes);
    for (; i < n; ++i) {
      const float v = x[i];
      const float y = clampF(v, p.lo, p.hi) * inv;
      const int c = stochastic ? stochasticIn(lv.data(), count, y, uniformAt(seed, index0 + uint64_t(i)))
                               : nearestIn(lv.data(), count, y);
      const bool f = finiteF(v);
      deq[i] = f ? lv[size_t(c)] * scale : v;
      if (codes)
        codes[i] = f ? c : 0;
    }
    return;
  }
  case SchemeKind::Float: {
    const FloatFormat& fmt = scheme_.floatFormat;
    if (!stochastic) {
      applyFloatNearest(p, x, n, deq, codes);
      return;
    }
    const FloatCodec codec(fmt);
    for (int64_t i = 0; i < n; ++i) {
      const float v = x[i];
      if (!finiteF(v)) {
        deq[i] = v;
        if (codes)
          codes[i] = 0;
        continue;
      }
      const float y = clampF(v, p.lo, p.hi) / p.scale; // x / scale, as (x / s).to(fp8) * s
      const float r = fmt.roundStochastic(y, uniformAt(seed, index0 + uint64_t(i)));
      deq[i] = r * p.scale;
      if (codes)
        codes[i] = int32_t(codec.encode(r));
    }
    return;
  }
  case SchemeKind::Mx:
  case SchemeKind::Gguf:
    throw Error("internal: block formats are quantized per block");
  }
}

void SegmentQuantizer::applyCast(const float* x, int64_t n, float* deq, int32_t* codes,
                                 uint64_t index0) const {
  const FloatFormat& fmt = scheme_.floatFormat;
  if (stochastic_) {
    for (int64_t i = 0; i < n; ++i)
      deq[i] = finiteF(x[i]) ? fmt.roundStochastic(x[i], uniformAt(seed_, index0 + uint64_t(i))) : x[i];
  } else {
    roundArray(fmt, x, deq, n);
  }
  if (!codes)
    return;
  // The rounded values are exact in the format: their bit patterns are the codes.
  if (fmt.exponentBits == 8 && fmt.mantissaBits <= 23 && fmt.specials == FloatSpecials::Ieee) {
    const int shift = 23 - fmt.mantissaBits; // fp32, tf32, bf16: the top bits of the float32 pattern
    for (int64_t i = 0; i < n; ++i) {
      uint32_t b;
      std::memcpy(&b, deq + i, 4);
      codes[i] = int32_t(b >> shift);
    }
    return;
  }
  if (fmt.exponentBits == 5 && fmt.mantissaBits == 10 && fmt.specials == FloatSpecials::Ieee) {
    int64_t i = 0;
#ifdef __F16C__
    for (; i + 8 <= n; i += 8) { // exact: the values are already FP16 values
      const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(deq + i), _MM_FROUND_TO_NEAREST_INT);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(codes + i), _mm256_cvtepu16_epi32(h));
    }
#endif
    for (; i < n; ++i)
      codes[i] = floatToHalfBits(deq[i]);
    return;
  }
  for (int64_t i = 0; i < n; ++i)
    codes[i] = int32_t(fmt.encode(deq[i]));
}

SegmentParams SegmentQuantizer::applyBlock(const float* x, int64_t n, float* deq, int32_t* codes) const {
  SegmentParams p;
  const int B = scheme_.fixedBlock;
  // The common case, a whole block of finite values, goes straight from x to
  // deq. Otherwise non-finite values are left out of the block's scale
  // (replaced by a finite neighbour) and passed through afterwards; a short
  // last block is padded with its first value, which changes neither its max
  // nor its min.
  bool allFinite = n == B;
  int64_t k = 0;
#ifdef __AVX2__
  const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  const __m256 lim = _mm256_set1_ps(FLT_MAX);
  __m256 bad = _mm256_setzero_ps(); // |x| > FLT_MAX or NaN (unordered)
  for (; allFinite && k + 8 <= n; k += 8)
    bad = _mm256_or_ps(bad, _mm256_cmp_ps(_mm256_and_ps(_mm256_loadu_ps(x + k), absMask), lim, _CMP_NLE_UQ));
  allFinite = allFinite && _mm256_testz_ps(bad, bad);
#endif
  for (; k < n && allFinite; ++k)
    allFinite = finiteF(x[k]);
  float in[256], out[256];
  const float* src = x;
  float* dst = deq;
  if (!allFinite) {
    float fill = 0;
    for (int64_t i = 0; i < n; ++i)
      if (finiteF(x[i])) {
        fill = x[i];
        break;
      }
    for (int i = 0; i < B; ++i)
      in[i] = (i < n && finiteF(x[i])) ? x[i] : fill;
    src = in;
    dst = out;
  }
  int32_t c32[256];
  bool unpacked = true; // K-quant codes are not unpacked
  if (scheme_.kind == SchemeKind::Mx) {
    uint8_t c8[kMxBlock];
    const MxBlockOut o = mxQuantizeBlock(scheme_.mxElement, src, int(n), c8, dst);
    p.scale = e8m0ToFloat(o.scaleE8M0);
    for (int64_t i = 0; i < n; ++i)
      c32[i] = c8[i];
  } else {
    uint8_t bytes[512];
    ggufQuantizeRow(scheme_.ggufType, src, bytes, B);
    ggufDequantizeRow(scheme_.ggufType, bytes, dst, B);
    p.scale = halfBitsToFloat(load16(bytes));
    const GgufType t = scheme_.ggufType;
    if (t == GgufType::Q4_1 || t == GgufType::Q5_1)
      p.offset = halfBitsToFloat(load16(bytes + 2));
    if (t == GgufType::Q8_0) {
      for (int j = 0; j < 32; ++j)
        c32[j] = int8_t(bytes[2 + j]);
    } else if (t == GgufType::Q4_0 || t == GgufType::Q4_1) {
      const uint8_t* qs = bytes + (t == GgufType::Q4_0 ? 2 : 4);
      for (int j = 0; j < 16; ++j) {
        c32[j] = qs[j] & 0x0F;
        c32[j + 16] = qs[j] >> 4;
      }
    } else if (t == GgufType::Q5_0 || t == GgufType::Q5_1) {
      const uint8_t* qhp = bytes + (t == GgufType::Q5_0 ? 2 : 4);
      uint32_t qh;
      std::memcpy(&qh, qhp, 4);
      const uint8_t* qs = qhp + 4;
      for (int j = 0; j < 16; ++j) {
        c32[j] = (qs[j] & 0x0F) | int32_t(((qh >> j) & 1u) << 4);
        c32[j + 16] = (qs[j] >> 4) | int32_t(((qh >> (j + 16)) & 1u) << 4);
      }
    } else {
      unpacked = false;
    }
  }
  if (allFinite) {
    if (codes && unpacked)
      std::memcpy(codes, c32, size_t(n) * sizeof(int32_t));
    else if (codes)
      std::fill(codes, codes + n, 0);
    return p;
  }
  for (int64_t i = 0; i < n; ++i) {
    const bool f = finiteF(x[i]);
    deq[i] = f ? out[i] : x[i];
    if (codes)
      codes[i] = f && unpacked ? c32[i] : 0;
  }
  return p;
}

float SegmentQuantizer::codeValue(const SegmentParams& p, int64_t segment, int32_t code) const {
  switch (scheme_.kind) {
  case SchemeKind::Int:
    return float(code - p.zeroPoint) * p.scale;
  case SchemeKind::Binary:
    return code ? p.scale : -p.scale;
  case SchemeKind::Ternary:
    return float(code) * p.scale;
  case SchemeKind::Codebook:
    return scheme_.codebook.levels[size_t(code)] * p.scale;
  case SchemeKind::KMeans:
    return centroids_[size_t(segment)][size_t(code)];
  case SchemeKind::Float:
    return (decodeLut_.empty() ? scheme_.floatFormat.decode(uint32_t(code)) : decodeLut_[size_t(code)]) *
           p.scale;
  default:
    return 0.0f;
  }
}

std::vector<float> SegmentQuantizer::levels(const SegmentParams& p, int64_t segment) const {
  std::vector<float> v;
  auto floatValues = [&](const FloatFormat& f, float scale) {
    if (f.bits() > 12)
      return;
    for (float a : f.nonNegativeValues()) {
      v.push_back(a * scale);
      v.push_back(-a * scale);
    }
  };
  switch (scheme_.kind) {
  case SchemeKind::Int:
    if (codeCount() <= 4096)
      for (int32_t q = scheme_.qmin(); q <= scheme_.qmax(); ++q)
        v.push_back(float(q - p.zeroPoint) * p.scale);
    break;
  case SchemeKind::Binary:
    v = {-p.scale, p.scale};
    break;
  case SchemeKind::Ternary:
    v = {-p.scale, 0.0f, p.scale};
    break;
  case SchemeKind::Codebook:
    for (float l : scheme_.codebook.levels)
      v.push_back(l * p.scale);
    break;
  case SchemeKind::KMeans:
    if (size_t(segment) < centroids_.size())
      v = centroids_[size_t(segment)];
    break;
  case SchemeKind::Float:
    floatValues(scheme_.floatFormat, p.scale);
    break;
  case SchemeKind::Mx:
    for (int c = 0; c < (1 << scheme_.bits); ++c) {
      const float e = mxDecodeElement(scheme_.mxElement, uint8_t(c));
      if (std::isfinite(e))
        v.push_back(e * p.scale);
    }
    break;
  case SchemeKind::Gguf: {
    const GgufType t = scheme_.ggufType;
    const int count = codeCount();
    const int bias = t == GgufType::Q4_0 ? 8 : t == GgufType::Q5_0 ? 16 : 0;
    for (int c = 0; c < count; ++c)
      v.push_back(float(c + codeMin() - bias) * p.scale + p.offset);
    break;
  }
  }
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

double SegmentQuantizer::trialMse(const float* x, int64_t n, ClipRange r, std::vector<float>& scratch) const {
  // Thread-safe (called in parallel over segments): nothing is stored.
  scratch.resize(size_t(n));
  if (scheme_.kind == SchemeKind::KMeans) {
    const std::vector<float> c = fitCentroids(x, n, r, 0);
    SegmentParams p;
    p.lo = r.lo;
    p.hi = r.hi;
    applyWith(p, 0, x, n, scratch.data(), nullptr, 0, false, &c);
  } else {
    const SegmentParams p = const_cast<SegmentQuantizer*>(this)->fit(x, n, r, -1); // stores nothing for -1
    applyWith(p, -1, x, n, scratch.data(), nullptr, 0, false, nullptr);
  }
  double s = 0;
  for (int64_t b = 0; b < n; b += 1024) { // float partial sums, double across blocks
    float part = 0;
    const int64_t e = std::min(n, b + 1024);
    for (int64_t i = b; i < e; ++i) {
      const float d = x[i] - scratch[size_t(i)];
      part += finiteF(x[i]) ? d * d : 0.0f;
    }
    s += part;
  }
  return s;
}

} // namespace qs
