#pragma once
// Internal: the float32 bit-level constants of a FloatFormat, shared by the
// scalar encoder and the SIMD round kernels. Not part of the public API.
#include "core/formats/float_format.h"

#include <bit>
#include <cstdint>

namespace qs::detail {

struct FloatGrid {
  int e = 0, m = 0, bias = 0, emin = 0; // emin = 1 - bias
  uint32_t shift = 0;                   // 23 - m: float32 mantissa bits dropped
  uint32_t minNormalBits = 0;           // float32 bits of 2^emin
  uint32_t maxBits = 0;                 // float32 bits of maxValue()
  float magic = 0.0f;                   // 2^(emin - m + 23): (a + magic) - magic rounds to the subnormal grid
  uint32_t maxE = 0, maxM = 0;          // largest finite biased exponent / mantissa at maxE
  uint32_t overflowBits = 0;            // what an overflow becomes (sign added by the caller)
  FloatSpecials specials = FloatSpecials::Ieee;
  bool saturate = true;
  bool identity = false; // FP32: encode/round are the identity
};

inline constexpr uint32_t kFloatInf = 0x7F800000u;
inline constexpr uint32_t kFloatQNaN = 0x7FC00000u;

inline FloatGrid makeGrid(const FloatFormat& f) {
  FloatGrid g;
  g.e = f.exponentBits;
  g.m = f.mantissaBits;
  g.bias = f.bias;
  g.emin = 1 - f.bias;
  g.specials = f.specials;
  g.saturate = f.saturate || f.specials == FloatSpecials::FiniteOnly;
  g.identity =
      f.exponentBits == 8 && f.mantissaBits == 23 && f.bias == 127 && f.specials == FloatSpecials::Ieee;
  g.shift = static_cast<uint32_t>(23 - g.m);
  g.minNormalBits = static_cast<uint32_t>(127 + g.emin) << 23;
  g.magic = std::bit_cast<float>(static_cast<uint32_t>(127 + g.emin - g.m + 23) << 23);
  const uint32_t allOnesE = (1u << g.e) - 1u;
  const uint32_t allOnesM = (1u << g.m) - 1u;
  switch (f.specials) {
  case FloatSpecials::Ieee:
    g.maxE = allOnesE - 1u;
    g.maxM = allOnesM;
    break;
  case FloatSpecials::FiniteNanOnes:
    g.maxE = allOnesE;
    g.maxM = allOnesM - 1u;
    break;
  case FloatSpecials::FiniteNanNegZero:
  case FloatSpecials::FiniteOnly:
    g.maxE = allOnesE;
    g.maxM = allOnesM;
    break;
  }
  g.maxBits = ((g.maxE - static_cast<uint32_t>(g.bias) + 127u) << 23) | (g.maxM << g.shift);
  if (g.saturate)
    g.overflowBits = g.maxBits;
  else if (f.specials == FloatSpecials::Ieee)
    g.overflowBits = kFloatInf;
  else
    g.overflowBits = kFloatQNaN;
  return g;
}

// RNE of a non-negative, non-NaN float32 (bits `a`) onto the format's grid,
// ignoring the upper range limit: the result may exceed maxBits.
inline uint32_t roundMagnitude(const FloatGrid& g, uint32_t a) {
  if (a < g.minNormalBits) {
    const float f = std::bit_cast<float>(a);
    return std::bit_cast<uint32_t>((f + g.magic) - g.magic);
  }
  if (g.shift == 0)
    return a;
  const uint32_t half = (1u << (g.shift - 1)) - 1u;
  const uint32_t lsb = (a >> g.shift) & 1u;
  return (a + half + lsb) & ~((1u << g.shift) - 1u);
}

} // namespace qs::detail
