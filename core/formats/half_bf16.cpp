// Scalar IEEE binary16 and bfloat16 conversions in plain bit arithmetic.
// They are the portable references: the FP16 tests check them against the
// CPU's F16C instructions for every code, and roundArray's SIMD paths against
// them.
#include "core/formats/float_format.h"

#include <bit>
#include <cstdint>

namespace qs {

uint16_t floatToHalfBits(float x) {
  const uint32_t u = std::bit_cast<uint32_t>(x);
  const uint32_t sign = (u >> 16) & 0x8000u;
  const uint32_t a = u & 0x7FFFFFFFu;
  if (a > 0x7F800000u) // NaN: quiet it, keep the top payload bits (as F16C)
    return static_cast<uint16_t>(sign | 0x7E00u | ((a >> 13) & 0x3FFu));
  if (a >= 0x477FF000u) // >= 65520 = max + half an ulp: the tie goes to even = inf
    return static_cast<uint16_t>(sign | 0x7C00u);
  if (a >= 0x38800000u) { // normal half (>= 2^-14): RNE on the dropped 13 bits
    const uint32_t r = a + 0x0FFFu + ((a >> 13) & 1u);
    return static_cast<uint16_t>(sign | ((r - 0x38000000u) >> 13));
  }
  // Subnormal half: adding 0.5 puts the 2^-24 quantum at float32's last bit,
  // so the FPU's own RNE does the rounding.
  const float f = std::bit_cast<float>(a) + 0.5f;
  return static_cast<uint16_t>(sign | (std::bit_cast<uint32_t>(f) - 0x3F000000u));
}

float halfBitsToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t e = (h >> 10) & 0x1Fu;
  const uint32_t m = h & 0x3FFu;
  if (e == 0x1Fu) // inf, or NaN made quiet with the payload moved up (as F16C)
    return std::bit_cast<float>(sign | 0x7F800000u | (m ? 0x00400000u : 0u) | (m << 13));
  if (e == 0) { // zero / subnormal: m * 2^-24, exact in float32
    const float mag = static_cast<float>(m) * 0x1p-24f;
    return std::bit_cast<float>(sign | std::bit_cast<uint32_t>(mag));
  }
  return std::bit_cast<float>(sign | ((e + 112u) << 23) | (m << 13));
}

uint16_t floatToBf16Bits(float x) {
  const uint32_t u = std::bit_cast<uint32_t>(x);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u)
    return static_cast<uint16_t>((u >> 16) | 0x0040u); // quiet NaN, sign and top payload kept
  return static_cast<uint16_t>((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

float bf16BitsToFloat(uint16_t b) {
  return std::bit_cast<float>(static_cast<uint32_t>(b) << 16);
}

} // namespace qs
