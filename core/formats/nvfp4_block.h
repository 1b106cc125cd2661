#pragma once
// NVFP4 (NVIDIA Blackwell, as TensorRT Model Optimizer defines it): E2M1
// elements in blocks of 16 along the reduction axis, an FP8 E4M3 scale per
// block and an FP32 scale per tensor:
//   s_tensor = amax(tensor) / (6 * 448)
//   s_block  = e4m3_rne(clamp(amax(block) / (6 * s_tensor), 2^-9, 448))
//   q        = e2m1_rne(x / (s_block * s_tensor)),  dequantized q * (s_block * s_tensor)
// (s_block * s_tensor is one float32 product, used for both directions).
#include <cstdint>

namespace qs {

constexpr int kNvfp4Block = 16;

// How a block's E4M3 scale is chosen.
enum class Nvfp4ScaleRule {
  Rne,        // the published rule above
  MseSearch,  // the E4M3 codes within kNvfp4SearchRadius of the RNE code: the least squared error
  FourOverSix // amax maps to 6 or to 4, whichever has the less squared error (tensor scale / (6 * 256))
};
// Codes tried on either side of the RNE scale code by MseSearch (9 candidates
// at most: about half an octave each way, E4M3 having 8 codes per octave).
constexpr int kNvfp4SearchRadius = 4;

// amax / (6 * 448) (FourOverSix: / (6 * 256)) in float32; 1 when that is not
// positive (an all-zero tensor, or an amax so small the quotient underflows).
float nvfp4TensorScale(float amax, Nvfp4ScaleRule rule);

// E2M1 nibble (sign << 3 | magnitude index) of y, round to nearest even,
// saturating at +-6; y must not be NaN.
uint8_t e2m1Code(float y);
// +-{0, 0.5, 1, 1.5, 2, 3, 4, 6} for nibble codes 0..15.
float e2m1Value(uint8_t code);

// The E4M3 (OCP E4M3FN) code of a positive block scale: clamped to
// [2^-9, 448] (the smallest subnormal, so never 0; the largest normal), then
// round to nearest even. A zero scale (an all-zero block) is stored as 1.0.
uint8_t e4m3ScaleCode(float scale);
// Value of an E4M3 code (bit pattern); NaN for 0x7F / 0xFF.
float e4m3Value(uint8_t code);

struct Nvfp4BlockOut {
  uint8_t scaleCode = 0x38; // E4M3 code of s_block
  float fitted = 0;         // the block scale before E4M3: amax(block) / (6 * s_tensor)
};

// Quantizes n <= 16 finite values with the tensor scale `tensorScale`
// (nvfp4TensorScale of the same rule): element nibbles and dequantized values.
Nvfp4BlockOut nvfp4QuantizeBlock(Nvfp4ScaleRule rule, const float* x, int n, float tensorScale,
                                 uint8_t* codes, float* dequantized);

} // namespace qs
