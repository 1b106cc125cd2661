#pragma once
// Integer grids. Symmetric: signed codes [-2^(k-1), 2^(k-1)-1] with
// scale = amax / (2^(k-1) - 1). Asymmetric: unsigned codes [0, 2^k - 1] with
// an integer zero point, exactly PyTorch's MinMaxObserver affine scheme.
#include <cstdint>

namespace qs {

struct IntFormat {
  int bits = 8;
  bool isSigned = true;
  int32_t qmin() const { return isSigned ? -(1 << (bits - 1)) : 0; }
  int32_t qmax() const { return isSigned ? (1 << (bits - 1)) - 1 : (1 << bits) - 1; }
};

struct AffineParams {
  float scale = 1.0f;
  int32_t zeroPoint = 0;
};

// Symmetric (signed): scale = amax / (2^(k-1) - 1), zero point 0.
AffineParams symmetricParams(float amax, int bits);
// Affine, PyTorch MinMaxObserver._calculate_qparams in float32 arithmetic:
// min' = min(min, 0), max' = max(max, 0),
//   scale = max((max' - min') / (qmax - qmin), float32 eps),
//   zero_point = clamp(qmin - round_half_even(min' / scale), qmin, qmax).
AffineParams affineParams(float minVal, float maxVal, int32_t qmin, int32_t qmax);

// Half-to-even rounding as torch/numpy do (std::nearbyint under FE_TONEAREST).
float roundHalfEven(float x);

} // namespace qs
