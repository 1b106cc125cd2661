#pragma once
// SmoothQuant (Xiao et al. 2022): migrate activation outliers into the weight
// with per-input-channel scales s_j = max|X_j|^alpha / max|W_j|^(1 - alpha);
// the layer computes (X / s) * (W * s)^T = X * W^T exactly, and both factors
// are then easier to quantize. As the reference (smooth.py) the weight
// absmax is clamped at 1e-5 and the scales at 1e-5, in float32.
#include <cstdint>
#include <vector>

namespace qs {

// actAbsMax: max_t |X[t, j]| over calibration tokens; weightAbsMax: max_i |W[i, j]|.
// alpha in [0, 1] (qs::Error otherwise or when the sizes differ).
std::vector<float> smoothQuantScales(const std::vector<float>& actAbsMax,
                                     const std::vector<float>& weightAbsMax, double alpha);

// m [rows, cols] row-major: column j multiplied by s_j (divide == false) or
// divided by s_j. Parallel over rows.
void scaleColumns(std::vector<float>& m, int64_t rows, int64_t cols, const std::vector<float>& s,
                  bool divide);

} // namespace qs
