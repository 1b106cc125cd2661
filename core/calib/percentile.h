#pragma once
// Exact percentiles with numpy.percentile's default ("linear") interpolation,
// in O(n) without sorting: a sample picks a narrow value window around the
// wanted rank, one pass counts the values below it and gathers the values in
// it, and std::nth_element finishes inside the window (a histogram over the
// float bit patterns is the fallback when the sample misleads).
#include <cstdint>

namespace qs {

// numpy.percentile(v, p) where v are the finite values of x (or their
// absolute values when `absolute`). NaN/inf are ignored. Returns NaN when no
// value is finite. p in [0, 100].
double percentile(const float* x, int64_t n, double p, bool absolute);

// Two percentiles of the signed values at once (one pass when possible), for
// two-sided clipping: lo = percentile(pLo), hi = percentile(pHi).
void percentilePair(const float* x, int64_t n, double pLo, double pHi, double& lo, double& hi);

} // namespace qs
