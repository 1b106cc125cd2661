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
  float subUnit = 0.0f;                 // 2^(emin - m): the value of subnormal code 1
  uint32_t maxE = 0, maxM = 0;          // largest finite biased exponent / mantissa at maxE
  uint32_t overflowBits = 0;            // what an overflow becomes (sign added by the caller)
  FloatSpecials specials = FloatSpecials::Ieee;
  bool saturate = true;
  bool identity = false;     // FP32: encode/round are the identity
  uint32_t negZero = 1;      // 0 for FNUZ formats, which have no -0
  uint32_t lowMask = 0;      // the float32 mantissa bits dropped: (1 << shift) - 1
  uint32_t halfMinusOne = 0; // half an ulp minus one, in those bits (0 when shift = 0)
  uint32_t lsbBit = 0;       // 1, or 0 when nothing is dropped (shift = 0)
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
  g.negZero = f.specials == FloatSpecials::FiniteNanNegZero ? 0u : 1u;
  g.lowMask = (1u << g.shift) - 1u;
  g.halfMinusOne = g.shift ? (1u << (g.shift - 1)) - 1u : 0u;
  g.lsbBit = g.shift ? 1u : 0u;
  g.minNormalBits = static_cast<uint32_t>(127 + g.emin) << 23;
  g.magic = std::bit_cast<float>(static_cast<uint32_t>(127 + g.emin - g.m + 23) << 23);
  const int unitExp = g.emin - g.m; // >= -149 for every valid format
  g.subUnit = unitExp >= -126 ? std::bit_cast<float>(static_cast<uint32_t>(127 + unitExp) << 23)
                              : std::bit_cast<float>(1u << (149 + unitExp));
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
// ignoring the upper range limit: the result may exceed maxBits. Both
// roundings are computed and one selected: whether a value is subnormal in
// the target format is data-dependent, so a branch would mispredict.
inline uint32_t roundMagnitude(const FloatGrid& g, uint32_t a) {
  const float f = std::bit_cast<float>(a);
  const uint32_t sub = std::bit_cast<uint32_t>((f + g.magic) - g.magic);
  const uint32_t normal = (a + g.halfMinusOne + ((a >> g.shift) & g.lsbBit)) & ~g.lowMask;
  return a < g.minNormalBits ? sub : normal;
}

// FP32 identity, NaN, inf and overflow codes (out of line: rare).
uint32_t encodeSpecial(const FloatGrid& g, float x);

// encode() with the grid already computed (hot loops build it once).
// Branch-light: both roundings are computed and selected, because whether a
// value is subnormal in the target format is data-dependent.
//  - normal binades: integer RNE on the float32 bits; the code is the kept
//    bits minus the exponent re-bias;
//  - subnormal binade: bits(a + magic) - bits(magic) is the mantissa count M
//    directly (magic's ulp is the format's subnormal quantum), and a carry to
//    M = 2^m is exactly the code of the smallest normal.
inline uint32_t encodeWithGrid(const FloatGrid& g, float x) {
  const uint32_t u = std::bit_cast<uint32_t>(x);
  const uint32_t a = u & 0x7FFFFFFFu;
  if (g.identity || a >= kFloatInf)
    return encodeSpecial(g, x);
  const uint32_t lsb = (a >> g.shift) & g.lsbBit;
  const uint32_t normalCode =
      ((a + g.halfMinusOne + lsb) >> g.shift) - (static_cast<uint32_t>(127 - g.bias) << g.m);
  const float sum = std::bit_cast<float>(a) + g.magic;
  const uint32_t subCode = std::bit_cast<uint32_t>(sum) - std::bit_cast<uint32_t>(g.magic);
  const uint32_t mag = a < g.minNormalBits ? subCode : normalCode;
  if (mag > ((g.maxE << g.m) | g.maxM))
    return encodeSpecial(g, x);
  // FNUZ has no -0: its zero drops the sign. Bit arithmetic, not a branch:
  // zeros are common and unpredictable in narrow formats.
  const uint32_t keepSign = static_cast<uint32_t>(mag != 0) | g.negZero;
  return (((u >> 31) & keepSign) << (g.e + g.m)) | mag;
}

float decodeWithGrid(const FloatGrid& g, uint32_t code);

// round() with the grid already computed: decode(encode(x)) without the
// code, straight on the float32 bits. Also the scalar form of roundArray's
// generic SIMD kernel (tails, non-AVX2 builds).
inline float roundWithGrid(const FloatGrid& g, float x) {
  if (g.identity)
    return x;
  const uint32_t u = std::bit_cast<uint32_t>(x);
  const uint32_t sign = u & 0x80000000u;
  const uint32_t a = u & 0x7FFFFFFFu;
  if (a > kFloatInf) {
    switch (g.specials) {
    case FloatSpecials::Ieee:
      return std::bit_cast<float>((u | 0x00400000u) & ~((1u << g.shift) - 1u));
    case FloatSpecials::FiniteNanOnes:
      return std::bit_cast<float>(sign | kFloatQNaN);
    case FloatSpecials::FiniteNanNegZero:
      return std::bit_cast<float>(kFloatQNaN);
    case FloatSpecials::FiniteOnly:
      return 0.0f;
    }
  }
  uint32_t r = roundMagnitude(g, a);
  if (r > g.maxBits)
    r = (a == kFloatInf && g.specials == FloatSpecials::Ieee) ? kFloatInf : g.overflowBits;
  if (g.specials == FloatSpecials::FiniteNanNegZero && (r == 0 || r == kFloatQNaN))
    return std::bit_cast<float>(r);
  return std::bit_cast<float>(r | sign);
}

} // namespace qs::detail
