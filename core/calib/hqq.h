#pragma once
// HQQ, half-quadratic quantization (Badri & Shaji 2023; the `hqq` library,
// hqq/core/optimize.py): a calibration-free fit of the affine parameters of
// every scale group that minimises the l_p norm (p < 1) of the error
// |W - dequant(quant(W))|_p^p by alternating a generalised soft-thresholding
// of the error with a closed-form update of the zero point.
//
// HQQ works with the inverse scale s (codes q = clamp(round(W·s + z), 0, 2^b-1))
// and stores scale = 1/s: w ≈ (q − z) · scale, with a real-valued zero point z.
//   start: s = (2^b − 1) / (max − min) (1 when max − min <= 1e-4, at most 2e4),
//          z = −min · s, rounded for 4 bits (the library's base config).
//   default (optimize_weights_proximal_legacy, the library's default solver):
//     repeat `iterations` times: q = clamp(round(W·s + z)); W_r = (q − z)/s;
//       e = shrink_p(W − W_r, β); z = mean_group(q − (W − e)·s);
//       stop after the first step whose mean |W − W_r| over the whole tensor
//       does not improve (that step's zero is kept); β stays 10.
//   optimizeScale (optimize_weights_proximal_v2 with scale_gridsearch):
//     first a grid search of s over 129 shifts in ±5 % of mean|s| (least mean
//     |W − W_r| per group), then the same updates with β ← κ·β (κ = 1.01) and the
//     best step's parameters restored at the stop.
//   shrink_p(x, β) = sign(x) · max(|x| − β⁻¹·|x|^(p−1), 0).
// Element-wise arithmetic is float32 as the library's CPU path; the means are
// summed in double (the library sums in float32), so a group's zero can differ
// from a float32 run in its last bit. Non-finite values take no part.
#include "core/util/parallel_errors.h"

#include <cstdint>
#include <vector>

namespace qs {

struct HqqSettings {
  int bits = 4;
  int iterations = 20;
  double p = 0.7; // the l_p norm, 0 < p <= 1
  bool optimizeScale = false;
};

struct HqqSpan {
  int64_t begin = 0, length = 0; // of one scale group in the working array
};

struct HqqGroupFit {
  float invScale = 1.0f; // s: codes = clamp(round(x·s + z))
  float scale = 1.0f;    // stored 1/s: x ≈ (code − z)·scale
  float zero = 0.0f;
};

// Fits every group jointly: the early stop looks at the whole tensor, as the library does.
std::vector<HqqGroupFit> hqqFit(const float* work, const std::vector<HqqSpan>& groups,
                                const HqqSettings& settings, ParallelErrors& errors);

// HQQ's code of one value: clamp(round_half_even(x·s + z), 0, qmax).
float hqqCode(float x, float invScale, float zero, float qmax);

} // namespace qs
