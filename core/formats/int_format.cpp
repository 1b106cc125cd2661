// Integer grid parameters: symmetric (signed, zero point 0) and PyTorch's
// MinMaxObserver affine scheme, both in float32 arithmetic so that scales
// and zero points match torch bit for bit.
#include "core/formats/int_format.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace qs {

float roundHalfEven(float x) {
  return std::nearbyint(x);
}

AffineParams symmetricParams(float amax, int bits) {
  // 2^(k-1) - 1 levels on each side; int1 has none, so its grid is {-amax, 0}.
  const int32_t levels = std::max<int32_t>((int32_t{1} << (bits - 1)) - 1, 1);
  AffineParams p;
  p.scale = std::max(std::fabs(amax) / static_cast<float>(levels), FLT_EPSILON);
  p.zeroPoint = 0;
  return p;
}

AffineParams affineParams(float minVal, float maxVal, int32_t qmin, int32_t qmax) {
  const float minNeg = std::min(minVal, 0.0f);
  const float maxPos = std::max(maxVal, 0.0f);
  AffineParams p;
  p.scale = (maxPos - minNeg) / static_cast<float>(qmax - qmin);
  p.scale = std::max(p.scale, FLT_EPSILON); // torch.finfo(torch.float32).eps
  const float shift = roundHalfEven(minNeg / p.scale);
  // Clamp in float first: a huge |min|/eps would overflow the int conversion.
  const float zp =
      std::clamp(static_cast<float>(qmin) - shift, static_cast<float>(qmin), static_cast<float>(qmax));
  p.zeroPoint = static_cast<int32_t>(zp);
  return p;
}

} // namespace qs
