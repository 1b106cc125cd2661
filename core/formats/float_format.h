#pragma once
// Parametric floating-point formats: FP32 ... FP4 and any user ExMy.
//
//   bit layout (MSB first):  S | E (exponentBits) | M (mantissaBits)
//   normal:     (-1)^S * 2^(E - bias) * (1 + M / 2^m)
//   subnormal:  (-1)^S * 2^(1 - bias) * (M / 2^m)        (E == 0)
//
// Special-value policies differ between the IEEE-like formats and the ML
// ones (E4M3FN has no inf, FNUZ has no -0, FP6/FP4 have neither inf nor NaN).
#include <cstdint>
#include <string>
#include <vector>

namespace qs {

enum class FloatSpecials {
  Ieee,             // all-ones exponent = inf (M == 0) / NaN (M != 0): FP32, FP16, BF16, E5M2
  FiniteNanOnes,    // no inf; S.1111.111 is NaN, all-ones exponent otherwise finite: E4M3FN
  FiniteNanNegZero, // no inf, no -0; 0x80 (sign only) is NaN: E4M3FNUZ, E5M2FNUZ
  FiniteOnly,       // no inf, no NaN: FP6 E3M2/E2M3, FP4 E2M1
};

struct FloatFormat {
  std::string name; // "fp8_e4m3fn"
  int exponentBits = 8;
  int mantissaBits = 23;
  int bias = 127;
  FloatSpecials specials = FloatSpecials::Ieee;
  bool saturate = true; // overflow -> +-max; otherwise -> inf (Ieee) or NaN

  int bits() const { return 1 + exponentBits + mantissaBits; }
  double maxValue() const;
  double minNormal() const;
  double minSubnormal() const;

  // Round-to-nearest-even encode of a float32 to this format's bit pattern
  // (in the low bits()), and exact decode back. NaN stays NaN where the
  // format has one (formats without NaN: see the .cpp for the documented
  // mapping); +-0 preserved where the format has -0. Ties go to the even
  // code. Each call sets up the format's constants (a few ns): in hot loops
  // use FloatCodec (float_codec.h), roundArray or encodeArray instead.
  uint32_t encode(float x) const;
  float decode(uint32_t code) const;
  // Plain double-arithmetic reference for encode(); tests compare the two.
  uint32_t encodeRef(float x) const;
  float round(float x) const; // == decode(encode(x)), with one grid set-up
  // Stochastic rounding: rounds up with probability equal to the distance
  // fraction, `u` uniform in [0, 1).
  float roundStochastic(float x, float u) const;
  float roundStochasticRef(float x, float u) const; // double-arithmetic reference

  // Every finite non-negative value, ascending (for level plots); empty for
  // formats with more than 16 bits.
  std::vector<float> nonNegativeValues() const;
};

// The named formats. e4m3fn: max 448, S.1111.111 NaN; e5m2: max 57344, IEEE.
const FloatFormat& fp32Format();
const FloatFormat& tf32Format();
const FloatFormat& fp16Format();
const FloatFormat& bf16Format();
const FloatFormat& fp8E4M3Format();
const FloatFormat& fp8E5M2Format();
const FloatFormat& fp8E4M3FnuzFormat();
const FloatFormat& fp8E5M2FnuzFormat();
const FloatFormat& fp6E3M2Format();
const FloatFormat& fp6E2M3Format();
const FloatFormat& fp4E2M1Format();
// A user ExMy (IEEE-style bias 2^(e-1)-1, finite-only, saturating).
FloatFormat makeFloatFormat(int exponentBits, int mantissaBits);

// Fast bulk casts (round-to-nearest-even) with scalar references beside them.
// out[i] = format.round(in[i]) bit-exactly; in == out is allowed. SIMD (F16C /
// AVX2) inside, OpenMP over chunks for large n.
void roundArray(const FloatFormat& format, const float* in, float* out, int64_t n);
void roundArrayRef(const FloatFormat& format, const float* in, float* out, int64_t n);
// Bulk encode: codes[i] = format.encode(in[i]) (OpenMP for large n), with
// the format's constants set up once.
void encodeArray(const FloatFormat& format, const float* in, uint32_t* codes, int64_t n);
uint16_t floatToHalfBits(float x); // IEEE binary16, RNE
float halfBitsToFloat(uint16_t h);
uint16_t floatToBf16Bits(float x); // RNE, NaN stays quiet NaN
float bf16BitsToFloat(uint16_t b);

} // namespace qs
