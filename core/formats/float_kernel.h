#pragma once
// The scaled-float loops around roundArray, as SIMD twins (core/util/simd.h):
// before rounding y = clamp(x, lo, hi) / scale (0 for non-finite x), after it
// q = y * scale (non-finite x passed through); and the FP16 bit patterns of
// values that already are FP16 values.
#include "core/util/simd.h"

#include <cstdint>

namespace qs {

QS_AVX2 void divideClamped(float lo, float hi, float scale, const float* x, int64_t n, float* y);
void divideClampedScalar(float lo, float hi, float scale, const float* x, int64_t n, float* y);
QS_AVX2 void multiplyBack(float scale, const float* x, const float* y, int64_t n, float* deq);
void multiplyBackScalar(float scale, const float* x, const float* y, int64_t n, float* deq);
QS_AVX2 void halfCodes(const float* values, int64_t n, int32_t* codes);
void halfCodesScalar(const float* values, int64_t n, int32_t* codes);

} // namespace qs
