// NVFP4 block math (nvfp4_block.h). Ties of the E2M1 rounding go to the even
// code, as Model Optimizer's _cast_fp4 (searchsorted on the midpoints, the
// midpoints 0.75 / 1.75 / 3.5 nudged up); the E4M3 cast is RNE after the
// clamp to [2^-9, 448] of _cast_per_block_scale_to_fp8. The squared errors the
// MSE and 4-over-6 rules compare are summed in double, element by element.
#include "core/formats/nvfp4_block.h"

#include "core/error.h"
#include "core/formats/float_format.h"

#include <array>
#include <cmath>

namespace qs {

namespace {

constexpr float kE2M1Max = 6.0f;
constexpr float kE4M3Max = 448.0f;
constexpr float kE4M3MinSubnormal = 0x1p-9f;
constexpr uint8_t kE4M3One = 0x38;
constexpr float kE2M1Magnitude[8] = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f};

const std::array<float, 256>& e4m3Table() {
  static const std::array<float, 256> table = [] {
    std::array<float, 256> t{};
    for (uint32_t c = 0; c < 256; ++c)
      t[c] = fp8E4M3Format().decode(c);
    return t;
  }();
  return table;
}

float blockAmax(const float* x, int n) {
  float amax = 0.0f;
  for (int i = 0; i < n; ++i)
    amax = std::max(amax, std::fabs(x[i]));
  return amax;
}

// Elements of x under the effective scale d = s_block * s_tensor; returns the
// sum of squared errors (double, in element order).
double quantizeWith(float d, const float* x, int n, uint8_t* codes, float* deq) {
  double sse = 0;
  for (int i = 0; i < n; ++i) {
    const uint8_t c = e2m1Code(x[i] / d);
    const float q = e2m1Value(c) * d;
    if (codes)
      codes[i] = c;
    if (deq)
      deq[i] = q;
    const double e = double(x[i]) - double(q);
    sse += e * e;
  }
  return sse;
}

double trialError(uint8_t scaleCode, float tensorScale, const float* x, int n) {
  return quantizeWith(e4m3Value(scaleCode) * tensorScale, x, n, nullptr, nullptr);
}

} // namespace

float nvfp4TensorScale(float amax, Nvfp4ScaleRule rule) {
  const float denominator = rule == Nvfp4ScaleRule::FourOverSix ? 6.0f * 256.0f : 6.0f * kE4M3Max;
  const float s = amax / denominator;
  return s > 0.0f && std::isfinite(s) ? s : 1.0f;
}

uint8_t e2m1Code(float y) {
  const float a = std::fabs(y);
  // Midpoints 0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5; a tie goes to the even magnitude.
  uint8_t m = a <= 0.25f   ? 0
              : a < 0.75f  ? 1
              : a <= 1.25f ? 2
              : a < 1.75f  ? 3
              : a <= 2.5f  ? 4
              : a < 3.5f   ? 5
              : a <= 5.0f  ? 6
                           : 7;
  return uint8_t((y < 0.0f ? 8 : 0) | m);
}

float e2m1Value(uint8_t code) {
  const float m = kE2M1Magnitude[code & 7];
  return (code & 8) ? -m : m;
}

uint8_t e4m3ScaleCode(float scale) {
  if (std::isnan(scale))
    throw Error("NVFP4: NaN block scale");
  if (scale == 0.0f)
    return kE4M3One;
  const float clamped = std::min(std::max(scale, kE4M3MinSubnormal), kE4M3Max);
  return uint8_t(fp8E4M3Format().encode(clamped));
}

float e4m3Value(uint8_t code) {
  return e4m3Table()[code];
}

Nvfp4BlockOut nvfp4QuantizeBlock(Nvfp4ScaleRule rule, const float* x, int n, float tensorScale,
                                 uint8_t* codes, float* dequantized) {
  if (n < 0 || n > kNvfp4Block)
    throw Error("NVFP4 block holds 1.." + std::to_string(kNvfp4Block) + " values, got " + std::to_string(n));
  Nvfp4BlockOut out;
  const float amax = blockAmax(x, n);
  float fitted = amax / (kE2M1Max * tensorScale);
  if (fitted == 0.0f)
    fitted = 1.0f; // Model Optimizer: a zero block scale becomes 1
  uint8_t code = e4m3ScaleCode(fitted);
  if (rule == Nvfp4ScaleRule::MseSearch) {
    const uint8_t rne = code;
    double best = trialError(rne, tensorScale, x, n);
    // Positive finite codes: 0x01 (2^-9) .. 0x7E (448).
    const int lo = std::max(1, int(rne) - kNvfp4SearchRadius),
              hi = std::min(0x7E, int(rne) + kNvfp4SearchRadius);
    for (int c = lo; c <= hi; ++c) {
      if (c == rne)
        continue;
      const double e = trialError(uint8_t(c), tensorScale, x, n);
      if (e < best) {
        best = e;
        code = uint8_t(c);
      }
    }
  } else if (rule == Nvfp4ScaleRule::FourOverSix) {
    const float fitted4 = fitted * (kE2M1Max / 4.0f);
    const uint8_t code4 = e4m3ScaleCode(fitted4);
    if (trialError(code4, tensorScale, x, n) < trialError(code, tensorScale, x, n)) {
      code = code4;
      fitted = fitted4;
    }
  }
  out.scaleCode = code;
  out.fitted = fitted;
  quantizeWith(e4m3Value(code) * tensorScale, x, n, codes, dequantized);
  return out;
}

} // namespace qs
