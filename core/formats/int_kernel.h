#pragma once
// The integer grid's nearest-rounding loop, as SIMD twins (core/util/simd.h):
// q = (clamp(nearbyint(x * invScale) + zp, qmin, qmax) - zp) * scale, as
// torch's fake_quantize. Non-finite x pass through with the zero point as code.
#include "core/formats/format_kernel.h"
#include "core/util/simd.h"

namespace qs {

QS_AVX2 void applyIntNearest(const SegmentParams& p, int32_t qmin, int32_t qmax, const float* x, int64_t n,
                             float* deq, int32_t* codes);
void applyIntNearestScalar(const SegmentParams& p, int32_t qmin, int32_t qmax, const float* x, int64_t n,
                           float* deq, int32_t* codes);

} // namespace qs
