#pragma once
// Clip ranges ("calibration") of one scale segment. Every method works on the
// finite values only; the result is a range [lo, hi] with lo <= hi.
//   minmax     [min, max]
//   percentile one-sided: t = P-th percentile of |x|, range [max(min,-t), min(max,t)];
//              two-sided: [(100-P)-th, P-th] percentile of x (numpy "linear", exact)
//   mse        the minmax range scaled by 1 - i/100, i = 0..99, scored by the
//              squared error of a nearest-rounding trial quantization on at most
//              65536 evenly strided values; the first minimum wins (quantize.cpp,
//              it needs the quantizer)
//   kl         t from kl_threshold.h, range [max(min,-t), min(max,t)]
//   fixed      the user's [fixedMin, fixedMax]
//   hqq        minmax here; the pipeline fits scale and zero point (hqq.h)
// Ranges are per segment: per tensor, per channel, per token, and for group
// granularity per group (percentile: nth_element on the group; kl: 2048-bin
// histogram and candidate scan per group, O(1) per chunk with prefix sums and
// an integer log table; mse: 100 trial quantizations per group).
#include "core/calib/clipping.h"

#include <cstdint>

namespace qs {

struct DataStats {
  float min = 0, max = 0; // of the finite values (0, 0 when there are none)
  int64_t finite = 0;
  float absMax() const;
};

struct ClipRange {
  float lo = 0, hi = 0;
};

// Finite min/max/count; vectorised, single-threaded (callers parallelise over segments).
DataStats dataStats(const float* x, int64_t n);
// Parallel over chunks, for one big segment.
DataStats dataStatsParallel(const float* x, int64_t n);

// Range for every method except Mse (which returns minmax here). `bits` is
// the code width (KL uses 2^(bits-1) quantized chunks). Throws qs::Error for a
// fixed range with min > max or non-finite bounds.
ClipRange clipRange(const Clipping& clipping, const float* x, int64_t n, const DataStats& stats, int bits);

// Share of finite values outside [lo, hi].
int64_t countOutside(const float* x, int64_t n, ClipRange r);

} // namespace qs
