#pragma once
// SIMD that runs anywhere (docs/ARCHITECTURE.md, "SIMD"). The core is compiled
// for baseline x86-64 (or any other CPU); each AVX2 loop is a function marked
// QS_AVX2 beside a scalar twin of the same name + "Scalar", and the caller
// picks one with simd::useAvx2(), asked of the CPU once. Tests run both twins
// on the same input and compare. A build with -DQS_SIMD=OFF (QS_NO_SIMD), or on
// a non-x86 CPU, compiles only the scalar twins.
//
// Inside a QS_AVX2 function, lambdas do not inherit the target: call the
// QS_AVX2 helpers below (or other QS_AVX2 functions) instead of intrinsics
// in lambdas.
#include <cfloat>
#include <cmath>
#include <cstdint>

#if !defined(QS_NO_SIMD) && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define QS_HAVE_AVX2 1
#include <immintrin.h>
#define QS_AVX2 __attribute__((target("avx2,fma,f16c")))
#else
#define QS_HAVE_AVX2 0
#define QS_AVX2
#endif

namespace qs::simd {

// True when AVX2, FMA and F16C are present (and the build has them) and no
// one forced the scalar paths. Cheap: one relaxed atomic load.
bool useAvx2();
// For tests and benchmarks: forces the scalar twins everywhere (true) or goes
// back to what the CPU supports (false). Also set by QS_SIMD=scalar in the
// environment at start-up.
void forceScalar(bool on);
// "avx2" or "scalar": what useAvx2() chooses now (for logs and benchmarks).
const char* activeLevel();

// Finite test shared by every loop: NaN and +-inf fail.
inline bool isFinite(float v) {
  return std::fabs(v) <= FLT_MAX;
}

#if QS_HAVE_AVX2
QS_AVX2 inline __m256 absMask() {
  return _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
}
QS_AVX2 inline __m256 abs(__m256 v) {
  return _mm256_and_ps(v, absMask());
}
// All-ones lanes where v is finite (|v| <= FLT_MAX; NaN compares false).
QS_AVX2 inline __m256 finiteMask(__m256 v) {
  return _mm256_cmp_ps(abs(v), _mm256_set1_ps(FLT_MAX), _CMP_LE_OQ);
}
QS_AVX2 inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}
QS_AVX2 inline float hmax(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}
QS_AVX2 inline float hmin(__m256 v) {
  __m128 s = _mm_min_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_min_ps(s, _mm_movehl_ps(s, s));
  s = _mm_min_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}
#endif

} // namespace qs::simd
