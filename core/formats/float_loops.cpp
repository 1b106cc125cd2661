// SIMD twins of the scaled-float kernel (float_kernel.h).
#include "core/formats/float_format.h"
#include "core/formats/float_kernel.h"

#include <algorithm>

namespace qs {

void divideClampedScalar(float lo, float hi, float scale, const float* x, int64_t n, float* y) {
  for (int64_t i = 0; i < n; ++i)
    y[i] = simd::isFinite(x[i]) ? std::min(std::max(x[i], lo), hi) / scale : 0.0f;
}

void multiplyBackScalar(float scale, const float* x, const float* y, int64_t n, float* deq) {
  for (int64_t i = 0; i < n; ++i)
    deq[i] = simd::isFinite(x[i]) ? y[i] * scale : x[i];
}

void halfCodesScalar(const float* values, int64_t n, int32_t* codes) {
  for (int64_t i = 0; i < n; ++i)
    codes[i] = floatToHalfBits(values[i]);
}

#if QS_HAVE_AVX2
QS_AVX2 void divideClamped(float lo, float hi, float scale, const float* x, int64_t n, float* y) {
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi), vscale = _mm256_set1_ps(scale);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256 c = _mm256_min_ps(_mm256_max_ps(v, vlo), vhi);
    _mm256_storeu_ps(y + i, _mm256_and_ps(_mm256_div_ps(c, vscale), simd::finiteMask(v)));
  }
  divideClampedScalar(lo, hi, scale, x + i, n - i, y + i);
}

QS_AVX2 void multiplyBack(float scale, const float* x, const float* y, int64_t n, float* deq) {
  const __m256 vscale = _mm256_set1_ps(scale);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256 q = _mm256_mul_ps(_mm256_loadu_ps(y + i), vscale);
    _mm256_storeu_ps(deq + i, _mm256_blendv_ps(v, q, simd::finiteMask(v)));
  }
  multiplyBackScalar(scale, x + i, y + i, n - i, deq + i);
}

// Exact: the values are already FP16 values.
QS_AVX2 void halfCodes(const float* values, int64_t n, int32_t* codes) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(values + i), _MM_FROUND_TO_NEAREST_INT);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(codes + i), _mm256_cvtepu16_epi32(h));
  }
  halfCodesScalar(values + i, n - i, codes + i);
}
#endif

} // namespace qs
