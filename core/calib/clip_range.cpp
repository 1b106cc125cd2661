#include "core/calib/clip_range.h"

#include "core/calib/kl_threshold.h"
#include "core/calib/percentile.h"
#include "core/error.h"
#include "core/util/simd.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace qs {

float DataStats::absMax() const {
  return std::max(std::fabs(min), std::fabs(max));
}

namespace {

// Min, max and count of the finite values after the full groups of 8 (both twins).
void statsTail(const float* x, int64_t i, int64_t n, float& lo, float& hi, int64_t& finite) {
  for (; i < n; ++i) {
    const float v = x[i];
    if (simd::isFinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      ++finite;
    }
  }
}

DataStats makeStats(float lo, float hi, int64_t finite) {
  DataStats s;
  s.finite = finite;
  if (finite > 0) {
    s.min = lo;
    s.max = hi;
  }
  return s;
}

// The twins keep 8 min/max lanes with the same rules (simd::minLane/maxLane)
// and reduce them in the same order: equal results, signed zeros included.
#if QS_HAVE_AVX2
QS_AVX2 DataStats dataStatsAvx2(const float* x, int64_t n) {
  float lo = FLT_MAX, hi = -FLT_MAX;
  int64_t finite = 0, i = 0;
  __m256 vlo = _mm256_set1_ps(FLT_MAX), vhi = _mm256_set1_ps(-FLT_MAX);
  __m256i cnt = _mm256_setzero_si256();
  int64_t sinceFlush = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256 f = simd::finiteMask(v);
    vlo = _mm256_min_ps(vlo, _mm256_blendv_ps(vlo, v, f));
    vhi = _mm256_max_ps(vhi, _mm256_blendv_ps(vhi, v, f));
    cnt = _mm256_sub_epi32(cnt, _mm256_castps_si256(f));
    if (++sinceFlush == (int64_t{1} << 26)) { // 8 lanes of 32-bit counts must not overflow their sum
      finite += simd::hsum(cnt);
      cnt = _mm256_setzero_si256();
      sinceFlush = 0;
    }
  }
  if (n >= 8) {
    lo = simd::hmin(vlo);
    hi = simd::hmax(vhi);
    finite += simd::hsum(cnt);
  }
  statsTail(x, i, n, lo, hi, finite);
  return makeStats(lo, hi, finite);
}
#endif

DataStats dataStatsScalar(const float* x, int64_t n) {
  float lo = FLT_MAX, hi = -FLT_MAX;
  int64_t finite = 0, i = 0;
  float vlo[8], vhi[8];
  std::fill(vlo, vlo + 8, FLT_MAX);
  std::fill(vhi, vhi + 8, -FLT_MAX);
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) {
      const float v = x[i + k];
      const bool f = simd::isFinite(v);
      vlo[k] = simd::minLane(vlo[k], f ? v : vlo[k]);
      vhi[k] = simd::maxLane(vhi[k], f ? v : vhi[k]);
      finite += f;
    }
  if (n >= 8) {
    lo = simd::hmin(vlo);
    hi = simd::hmax(vhi);
  }
  statsTail(x, i, n, lo, hi, finite);
  return makeStats(lo, hi, finite);
}

} // namespace

DataStats dataStats(const float* x, int64_t n) {
#if QS_HAVE_AVX2
  if (simd::useAvx2())
    return dataStatsAvx2(x, n);
#endif
  return dataStatsScalar(x, n);
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
  case ClipMethod::Mse: // searched by the pipeline, which has the quantizer
  case ClipMethod::Hqq: // fitted by the pipeline over all segments (hqq.h)
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

namespace {

// Finite values outside [lo, hi] (counts: any order gives the same).
int64_t countOutsideScalar(const float* x, int64_t n, ClipRange r) {
  int64_t c = 0;
  for (int64_t i = 0; i < n; ++i)
    c += ((x[i] < r.lo) | (x[i] > r.hi)) & simd::isFinite(x[i]);
  return c;
}

#if QS_HAVE_AVX2
QS_AVX2 int64_t countOutsideAvx2(const float* x, int64_t n, ClipRange r) {
  int64_t c = 0;
  int64_t i = 0;
  const __m256 lo = _mm256_set1_ps(r.lo), hi = _mm256_set1_ps(r.hi);
  __m256i acc = _mm256_setzero_si256();
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256 out = _mm256_or_ps(_mm256_cmp_ps(v, lo, _CMP_LT_OQ), _mm256_cmp_ps(v, hi, _CMP_GT_OQ));
    acc =
        _mm256_sub_epi32(acc, _mm256_castps_si256(_mm256_and_ps(out, simd::finiteMask(v)))); // -(-1) per hit
    if ((i & ((int64_t{1} << 20) - 1)) == 0) { // flush before 32-bit lanes could overflow
      c += simd::hsum(acc);
      acc = _mm256_setzero_si256();
    }
  }
  return c + simd::hsum(acc) + countOutsideScalar(x + i, n - i, r);
}
#endif

} // namespace

int64_t countOutside(const float* x, int64_t n, ClipRange r) {
#if QS_HAVE_AVX2
  if (simd::useAvx2())
    return countOutsideAvx2(x, n, r);
#endif
  return countOutsideScalar(x, n, r);
}

} // namespace qs
