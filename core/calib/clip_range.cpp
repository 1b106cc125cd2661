#include "core/calib/clip_range.h"

#include "core/calib/kl_threshold.h"
#include "core/calib/percentile.h"
#include "core/error.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#ifdef __AVX2__
#include <immintrin.h>
#endif

namespace qs {

float DataStats::absMax() const {
  return std::max(std::fabs(min), std::fabs(max));
}

#ifdef __AVX2__
namespace {
// Horizontal reductions in registers: dataStats runs once per scale group,
// and groups of 32 values spend as long reducing as scanning.
float hmin(__m256 v) {
  __m128 m = _mm_min_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_min_ps(m, _mm_movehl_ps(m, m));
  return _mm_cvtss_f32(_mm_min_ss(m, _mm_movehdup_ps(m)));
}
float hmax(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  return _mm_cvtss_f32(_mm_max_ss(m, _mm_movehdup_ps(m)));
}
int64_t hsum(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}
} // namespace
#endif

DataStats dataStats(const float* x, int64_t n) {
  float lo = FLT_MAX, hi = -FLT_MAX;
  int64_t finite = 0, i = 0;
#ifdef __AVX2__
  const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  const __m256 lim = _mm256_set1_ps(FLT_MAX);
  __m256 vlo = _mm256_set1_ps(FLT_MAX), vhi = _mm256_set1_ps(-FLT_MAX);
  __m256i cnt = _mm256_setzero_si256();
  int64_t sinceFlush = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256 f = _mm256_cmp_ps(_mm256_and_ps(v, absMask), lim, _CMP_LE_OQ);
    vlo = _mm256_min_ps(vlo, _mm256_blendv_ps(vlo, v, f));
    vhi = _mm256_max_ps(vhi, _mm256_blendv_ps(vhi, v, f));
    cnt = _mm256_sub_epi32(cnt, _mm256_castps_si256(f));
    if (++sinceFlush == (int64_t{1} << 26)) { // 8 lanes of 32-bit counts must not overflow their sum
      finite += hsum(cnt);
      cnt = _mm256_setzero_si256();
      sinceFlush = 0;
    }
  }
  if (n >= 8) {
    lo = hmin(vlo);
    hi = hmax(vhi);
    finite += hsum(cnt);
  }
#endif
  for (; i < n; ++i) {
    const float v = x[i];
    if (std::fabs(v) <= FLT_MAX) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      ++finite;
    }
  }
  DataStats s;
  s.finite = finite;
  if (finite > 0) {
    s.min = lo;
    s.max = hi;
  }
  return s;
}

DataStats dataStatsParallel(const float* x, int64_t n) {
  constexpr int64_t kChunk = 1 << 16;
  if (n < (int64_t{1} << 18))
    return dataStats(x, n);
  DataStats total;
  float lo = FLT_MAX, hi = -FLT_MAX;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel
  {
    float l = FLT_MAX, h = -FLT_MAX;
    int64_t f = 0;
#pragma omp for schedule(static) nowait
    for (int64_t c = 0; c < chunks; ++c) {
      const DataStats s = dataStats(x + c * kChunk, std::min(kChunk, n - c * kChunk));
      if (s.finite) {
        l = std::min(l, s.min);
        h = std::max(h, s.max);
        f += s.finite;
      }
    }
#pragma omp critical
    {
      lo = std::min(lo, l);
      hi = std::max(hi, h);
      total.finite += f;
    }
  }
  if (total.finite) {
    total.min = lo;
    total.max = hi;
  }
  return total;
}

namespace {

ClipRange symmetricCut(const DataStats& s, double t) {
  const float tf = static_cast<float>(t);
  return {std::max(s.min, -tf), std::min(s.max, tf)};
}

} // namespace

ClipRange clipRange(const Clipping& c, const float* x, int64_t n, const DataStats& s, int bits) {
  switch (c.method) {
  case ClipMethod::MinMax:
  case ClipMethod::Mse:
    return {s.min, s.max};
  case ClipMethod::Fixed:
    if (!std::isfinite(c.fixedMin) || !std::isfinite(c.fixedMax) || c.fixedMin > c.fixedMax)
      throw Error("fixed clip range needs finite min <= max (got [" + std::to_string(c.fixedMin) + ", " +
                  std::to_string(c.fixedMax) + "])");
    return {static_cast<float>(c.fixedMin), static_cast<float>(c.fixedMax)};
  case ClipMethod::Percentile: {
    if (!(c.percentile >= 0 && c.percentile <= 100))
      throw Error("percentile must be in [0, 100] (got " + std::to_string(c.percentile) + ")");
    if (s.finite == 0)
      return {0, 0};
    if (c.twoSided) {
      const double p = std::max(c.percentile, 100.0 - c.percentile);
      double lo = 0, hi = 0;
      percentilePair(x, n, 100.0 - p, p, lo, hi);
      return {static_cast<float>(lo), static_cast<float>(hi)};
    }
    return symmetricCut(s, percentile(x, n, c.percentile, true));
  }
  case ClipMethod::Kl: {
    const float amax = s.absMax();
    if (s.finite == 0 || amax == 0)
      return {s.min, s.max};
    return symmetricCut(s, klThreshold(absHistogram(x, n, amax), amax, bits));
  }
  }
  return {s.min, s.max};
}

int64_t countOutside(const float* x, int64_t n, ClipRange r) {
  int64_t c = 0;
  int64_t i = 0;
#ifdef __AVX2__
  const __m256 lo = _mm256_set1_ps(r.lo), hi = _mm256_set1_ps(r.hi), lim = _mm256_set1_ps(FLT_MAX);
  const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  __m256i acc = _mm256_setzero_si256();
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256 out = _mm256_or_ps(_mm256_cmp_ps(v, lo, _CMP_LT_OQ), _mm256_cmp_ps(v, hi, _CMP_GT_OQ));
    const __m256 fin = _mm256_cmp_ps(_mm256_and_ps(v, absMask), lim, _CMP_LE_OQ);
    acc = _mm256_sub_epi32(acc, _mm256_castps_si256(_mm256_and_ps(out, fin))); // -(-1) per hit
    if ((i & ((int64_t{1} << 20) - 1)) == 0) { // flush before 32-bit lanes could overflow
      alignas(32) int32_t l[8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(l), acc);
      for (int k = 0; k < 8; ++k)
        c += l[k];
      acc = _mm256_setzero_si256();
    }
  }
  alignas(32) int32_t l[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(l), acc);
  for (int k = 0; k < 8; ++k)
    c += l[k];
#endif
  for (; i < n; ++i)
    c += ((x[i] < r.lo) | (x[i] > r.hi)) & (std::fabs(x[i]) <= FLT_MAX); // finite values only
  return c;
}

} // namespace qs
