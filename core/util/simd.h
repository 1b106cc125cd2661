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

// Scalar twins of the lane operations, for twins that keep 8 float lanes so
// that their sums match the AVX2 ones bit for bit. maxLane/minLane follow
// _mm256_max_ps/_mm256_min_ps: b when the two compare equal (+-0) or either is NaN.
inline float maxLane(float a, float b) {
  return a > b ? a : b;
}
inline float minLane(float a, float b) {
  return a < b ? a : b;
}
// hsum/hmax/hmin of 8 lanes in the order of the AVX2 reductions below.
inline float hsum(const float* l) {
  return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
}
inline float hmax(const float* l) {
  return maxLane(maxLane(maxLane(l[0], l[4]), maxLane(l[2], l[6])),
                 maxLane(maxLane(l[1], l[5]), maxLane(l[3], l[7])));
}
inline float hmin(const float* l) {
  return minLane(minLane(minLane(l[0], l[4]), minLane(l[2], l[6])),
                 minLane(minLane(l[1], l[5]), minLane(l[3], l[7])));
}

#if QS_HAVE_AVX2
// The sign-clearing mask as integer lanes (for the bit-level kernels).
QS_AVX2 inline __m256i absMaskBits() {
  return _mm256_set1_epi32(0x7FFFFFFF);
}
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
// Sum of 8 int32 lanes (counters), in 64 bits.
QS_AVX2 inline int64_t hsum(__m256i v) {
  alignas(32) int32_t l[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(l), v);
  int64_t s = 0;
  for (int k = 0; k < 8; ++k)
    s += l[k];
  return s;
}
#endif

} // namespace qs::simd
