#include "core/formats/level_search.h"

#include "core/formats/format_kernel.h"

#include <algorithm>

namespace qs {

namespace {

// Index of the first level >= y (count when y is above every level).
int firstNotBelow(const float* lv, int count, float y) {
  return int(std::lower_bound(lv, lv + count, y) - lv);
}

int stochasticLevel(const float* lv, int count, float y, float u) {
  const int hi = firstNotBelow(lv, count, y);
  if (hi == 0 || hi == count)
    return hi == 0 ? 0 : count - 1;
  if (lv[hi] == y)
    return hi;
  const float t = (y - lv[hi - 1]) / (lv[hi] - lv[hi - 1]);
  return u < t ? hi : hi - 1;
}

} // namespace

int nearestLevel(const float* lv, int count, float y) {
  const int hi = firstNotBelow(lv, count, y);
  if (hi == 0 || hi == count)
    return hi == 0 ? 0 : count - 1;
  return (lv[hi] - y) < (y - lv[hi - 1]) ? hi : hi - 1;
}

void applyNearestLevelsScalar(const LevelGrid& g, const float* x, int64_t n, float* deq, int32_t* codes) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    const int c = nearestLevel(g.levels, g.count, std::min(std::max(v, g.lo), g.hi) * g.inv);
    const bool f = simd::isFinite(v);
    deq[i] = f ? g.levels[c] * g.scale : v;
    if (codes)
      codes[i] = f ? c : 0;
  }
}

#if QS_HAVE_AVX2
// 8 values at once: the code is the number of k with (l[k+1] - y) < (y - l[k]),
// which is exactly nearestLevel's choice for sorted levels.
QS_AVX2 void applyNearestLevels(const LevelGrid& g, const float* x, int64_t n, float* deq, int32_t* codes) {
  int64_t i = 0;
  if (g.count >= 2 && g.count <= 16) {
    const __m256 vlo = _mm256_set1_ps(g.lo), vhi = _mm256_set1_ps(g.hi), vinv = _mm256_set1_ps(g.inv);
    const __m256 vscale = _mm256_set1_ps(g.scale);
    __m256 level[16];
    for (int k = 0; k < g.count; ++k)
      level[k] = _mm256_set1_ps(g.levels[k]);
    for (; i + 8 <= n; i += 8) {
      const __m256 v = _mm256_loadu_ps(x + i);
      // min(max(v, lo), hi) with v first: NaN -> lo (it is passed through below).
      const __m256 y = _mm256_mul_ps(_mm256_min_ps(_mm256_max_ps(v, vlo), vhi), vinv);
      __m256i c = _mm256_setzero_si256();
      for (int k = 0; k + 1 < g.count; ++k) {
        const __m256 up =
            _mm256_cmp_ps(_mm256_sub_ps(level[k + 1], y), _mm256_sub_ps(y, level[k]), _CMP_LT_OQ);
        c = _mm256_sub_epi32(c, _mm256_castps_si256(up));
      }
      const __m256 fin = simd::finiteMask(v);
      const __m256 q = _mm256_mul_ps(_mm256_i32gather_ps(g.levels, c, 4), vscale);
      _mm256_storeu_ps(deq + i, _mm256_blendv_ps(v, q, fin));
      if (codes)
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(codes + i),
                            _mm256_and_si256(c, _mm256_castps_si256(fin)));
    }
  }
  applyNearestLevelsScalar(g, x + i, n - i, deq + i, codes ? codes + i : nullptr);
}
#endif

void applyNearestLevelsBest(const LevelGrid& g, const float* x, int64_t n, float* deq, int32_t* codes) {
#if QS_HAVE_AVX2
  if (simd::useAvx2())
    return applyNearestLevels(g, x, n, deq, codes);
#endif
  applyNearestLevelsScalar(g, x, n, deq, codes);
}

void applyStochasticLevels(const LevelGrid& g, uint64_t seed, uint64_t index0, const float* x, int64_t n,
                           float* deq, int32_t* codes) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    const float y = std::min(std::max(v, g.lo), g.hi) * g.inv;
    const int c = stochasticLevel(g.levels, g.count, y, uniformAt(seed, index0 + uint64_t(i)));
    const bool f = simd::isFinite(v);
    deq[i] = f ? g.levels[c] * g.scale : v;
    if (codes)
      codes[i] = f ? c : 0;
  }
}

} // namespace qs
