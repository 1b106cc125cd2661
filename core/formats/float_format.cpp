// FloatFormat: encode / decode / round for every ExMy layout.
//
// Special values, per FloatSpecials:
//   Ieee             inf and NaN as IEEE 754; an overflow becomes +-inf, or
//                    +-max when `saturate` is set (inf itself stays inf).
//   FiniteNanOnes    (E4M3FN) S.1111.111 is NaN; NaN keeps its sign; inf and
//                    overflow become +-max when saturating, NaN otherwise.
//   FiniteNanNegZero (FNUZ) the single NaN is 0x80 (the would-be -0); every
//                    zero result is +0; inf/overflow as for FiniteNanOnes.
//   FiniteOnly       (FP6, FP4, user ExMy) no inf, no NaN: always saturates.
//                    Documented choice: a NaN input encodes to +0 (code 0),
//                    because no code can carry "not a number" and 0 is the
//                    value that adds nothing to the tensor; callers that must
//                    flag NaN inputs check for them first.
// Decoding a NaN code yields a quiet float32 NaN: for Ieee formats the
// payload is shifted up as F16C does (so FP16 matches the hardware), for the
// other formats it is the canonical 0x7FC00000 (with the sign for E4M3FN).
#include "core/formats/float_format.h"

#include "core/error.h"
#include "core/formats/float_detail.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

namespace qs {

using detail::FloatGrid;
using detail::kFloatInf;
using detail::kFloatQNaN;
using detail::makeGrid;

namespace {

uint32_t nanCode(const FloatGrid& g, uint32_t sign, uint32_t floatBits) {
  const uint32_t e = static_cast<uint32_t>(g.e), m = static_cast<uint32_t>(g.m);
  switch (g.specials) {
  case FloatSpecials::Ieee: {
    // Quiet bit set, top payload bits kept (what F16C / IEEE narrowing do).
    const uint32_t payload = ((floatBits & 0x007FFFFFu) | 0x00400000u) >> (23u - m);
    return (sign << (e + m)) | (((1u << e) - 1u) << m) | payload;
  }
  case FloatSpecials::FiniteNanOnes:
    return (sign << (e + m)) | ((1u << (e + m)) - 1u);
  case FloatSpecials::FiniteNanNegZero:
    return 1u << (e + m);
  case FloatSpecials::FiniteOnly:
    return 0u; // documented above: NaN -> +0
  }
  return 0u;
}

uint32_t zeroCode(const FloatGrid& g, uint32_t sign) {
  return g.specials == FloatSpecials::FiniteNanNegZero ? 0u : sign << (g.e + g.m);
}

uint32_t maxCode(const FloatGrid& g, uint32_t sign) {
  return (sign << (g.e + g.m)) | (g.maxE << g.m) | g.maxM;
}

uint32_t overflowCode(const FloatGrid& g, uint32_t sign, bool isInf) {
  if (g.specials == FloatSpecials::Ieee) {
    if (isInf || !g.saturate)
      return (sign << (g.e + g.m)) | (((1u << g.e) - 1u) << g.m);
    return maxCode(g, sign);
  }
  if (g.saturate)
    return maxCode(g, sign);
  return nanCode(g, sign, kFloatQNaN);
}

// Round t = a / ulp (non-negative) to an integer, ties to the even *code*.
// With m >= 1 the code's last bit is the significand's, so this is ordinary
// half-to-even on t. With m = 0 (e.g. e2m0) every significand is 1 and the
// code's last bit is the exponent's: the tie goes to the even exponent.
double rneToEvenCode(double t, int m, int biasedE) {
  const double fl = std::floor(t);
  const double diff = t - fl;
  const bool flOdd = m > 0 ? std::fmod(fl, 2.0) != 0.0 : (fl >= 1.0 && (biasedE & 1) != 0);
  if (diff > 0.5 || (diff == 0.5 && flOdd))
    return fl + 1.0;
  return fl;
}

} // namespace

double FloatFormat::maxValue() const {
  const FloatGrid g = makeGrid(*this);
  const double frac = 1.0 + static_cast<double>(g.maxM) / std::ldexp(1.0, mantissaBits);
  return std::ldexp(frac, static_cast<int>(g.maxE) - bias);
}

double FloatFormat::minNormal() const {
  return std::ldexp(1.0, 1 - bias);
}

double FloatFormat::minSubnormal() const {
  return std::ldexp(1.0, 1 - bias - mantissaBits);
}

// Fast encode: integer RNE on the float32 bits (see float_detail.h).
uint32_t FloatFormat::encode(float x) const {
  return detail::encodeWithGrid(makeGrid(*this), x);
}

// The rare cases of encodeWithGrid (float_detail.h): FP32, NaN, inf, overflow.
uint32_t detail::encodeSpecial(const FloatGrid& g, float x) {
  const uint32_t u = std::bit_cast<uint32_t>(x);
  if (g.identity)
    return u;
  const uint32_t sign = u >> 31;
  const uint32_t a = u & 0x7FFFFFFFu;
  if (a > kFloatInf)
    return nanCode(g, sign, u);
  return overflowCode(g, sign, a == kFloatInf);
}

float FloatFormat::round(float x) const {
  return detail::roundWithGrid(makeGrid(*this), x);
}

// Reference encode in double arithmetic: a = n * 2^(eq - m) with n rounded
// half-to-even; written independently of the bit tricks above.
uint32_t FloatFormat::encodeRef(float x) const {
  const FloatGrid g = makeGrid(*this);
  const uint32_t u = std::bit_cast<uint32_t>(x);
  if (g.identity)
    return u;
  const uint32_t sign = std::signbit(x) ? 1u : 0u;
  if (std::isnan(x))
    return nanCode(g, sign, u);
  if (std::isinf(x))
    return overflowCode(g, sign, true);
  const double a = std::fabs(static_cast<double>(x));
  if (a == 0.0)
    return zeroCode(g, sign);
  int ex = 0;
  std::frexp(a, &ex); // a in [2^(ex-1), 2^ex)
  int eq = std::max(ex - 1, g.emin);
  const double unit = std::ldexp(1.0, mantissaBits); // 2^m
  double n = rneToEvenCode(std::ldexp(a, mantissaBits - eq), mantissaBits, eq + bias);
  if (n == 0.0)
    return zeroCode(g, sign);
  if (n >= 2.0 * unit) { // carried into the next binade
    n /= 2.0;
    eq += 1;
  }
  uint32_t biasedE = 0, mcode = 0;
  if (n >= unit) {
    biasedE = static_cast<uint32_t>(eq + bias);
    mcode = static_cast<uint32_t>(n - unit);
  } else {
    mcode = static_cast<uint32_t>(n);
  }
  if (biasedE > g.maxE || (biasedE == g.maxE && mcode > g.maxM))
    return overflowCode(g, sign, false);
  return (sign << (g.e + g.m)) | (biasedE << g.m) | mcode;
}

float FloatFormat::decode(uint32_t code) const {
  return detail::decodeWithGrid(makeGrid(*this), code);
}

float detail::decodeWithGrid(const FloatGrid& g, uint32_t code) {
  if (g.identity)
    return std::bit_cast<float>(code);
  const uint32_t e = static_cast<uint32_t>(g.e), m = static_cast<uint32_t>(g.m);
  const uint32_t sign = (code >> (e + m)) & 1u;
  const uint32_t biasedE = (code >> m) & ((1u << e) - 1u);
  const uint32_t mcode = code & ((1u << m) - 1u);
  const uint32_t allOnesE = (1u << e) - 1u;
  switch (g.specials) {
  case FloatSpecials::Ieee:
    if (biasedE == allOnesE) {
      if (mcode == 0)
        return std::bit_cast<float>((sign << 31) | kFloatInf);
      return std::bit_cast<float>((sign << 31) | kFloatInf | 0x00400000u | (mcode << (23u - m)));
    }
    break;
  case FloatSpecials::FiniteNanOnes:
    if (biasedE == allOnesE && mcode == (1u << m) - 1u)
      return std::bit_cast<float>((sign << 31) | kFloatQNaN);
    break;
  case FloatSpecials::FiniteNanNegZero:
    if (sign && biasedE == 0 && mcode == 0)
      return std::bit_cast<float>(kFloatQNaN);
    break;
  case FloatSpecials::FiniteOnly:
    break;
  }
  float mag = 0.0f;
  if (biasedE == 0)
    mag = static_cast<float>(mcode) * g.subUnit; // exact: a multiple of the subnormal quantum
  else
    mag =
        std::bit_cast<float>(((biasedE - static_cast<uint32_t>(g.bias) + 127u) << 23) | (mcode << (23u - m)));
  return sign ? -mag : mag;
}

// Fast: on the float32 bits. In a normal binade the dropped mantissa bits,
// read as a fraction, are exactly (a - lo) / ulp; in the subnormal binade
// a / quantum (exact in double) has the same fractional part.
float FloatFormat::roundStochastic(float x, float u) const {
  const FloatGrid g = makeGrid(*this);
  const uint32_t bits = std::bit_cast<uint32_t>(x);
  const uint32_t a = bits & 0x7FFFFFFFu;
  if (g.identity || a >= g.maxBits) // FP32, or at/beyond the top of the range (incl. inf/NaN): deterministic
    return detail::roundWithGrid(g, x);
  uint32_t mag = 0;
  if (a < g.minNormalBits) {
    // In double: exact, and no underflow when the quantum exceeds 1 (e1m0).
    const double t = static_cast<double>(std::bit_cast<float>(a)) / g.subUnit; // < 2^m
    const double fl = std::floor(t);
    mag = std::bit_cast<uint32_t>(
        static_cast<float>((static_cast<double>(u) < t - fl ? fl + 1.0 : fl) * g.subUnit));
  } else {
    const uint32_t low = (1u << g.shift) - 1u;
    const float frac = static_cast<float>(a & low) / static_cast<float>(low + 1u);
    mag = (a & ~low) + (u < frac ? low + 1u : 0u); // a carry moves into the next binade, as it should
  }
  return detail::roundWithGrid(g, std::bit_cast<float>((bits & 0x80000000u) | mag)); // FNUZ: no -0
}

// Reference in double arithmetic, independent of the bit tricks above.
float FloatFormat::roundStochasticRef(float x, float u) const {
  const FloatGrid g = makeGrid(*this);
  if (g.identity || !std::isfinite(x))
    return round(x);
  const double a = std::fabs(static_cast<double>(x));
  const double maxV = maxValue();
  if (a >= maxV)
    return round(x); // at or beyond the top of the range: deterministic
  int ex = 0;
  std::frexp(a, &ex);
  const int eq = std::max(ex - 1, g.emin);
  const double ulp = std::ldexp(1.0, eq - mantissaBits);
  const double lo = std::floor(a / ulp) * ulp; // truncation toward zero on the grid
  const double frac = (a - lo) / ulp;          // in [0, 1)
  const double mag = static_cast<double>(u) < frac ? lo + ulp : lo;
  const float result = static_cast<float>(std::signbit(x) ? -mag : mag);
  return round(result); // canonical zero sign (FNUZ) and exact grid value
}

std::vector<float> FloatFormat::nonNegativeValues() const {
  std::vector<float> values;
  if (bits() > 16)
    return values;
  const uint32_t positiveCodes = 1u << (exponentBits + mantissaBits);
  values.reserve(positiveCodes);
  for (uint32_t c = 0; c < positiveCodes; ++c) {
    const float v = decode(c);
    if (std::isfinite(v))
      values.push_back(v);
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

// ---- Named formats ---------------------------------------------------------

namespace {
FloatFormat named(const char* name, int e, int m, int bias, FloatSpecials specials, bool saturate) {
  FloatFormat f;
  f.name = name;
  f.exponentBits = e;
  f.mantissaBits = m;
  f.bias = bias;
  f.specials = specials;
  f.saturate = saturate;
  return f;
}
} // namespace

// The wide IEEE formats overflow to inf like a hardware cast (torch .half());
// the 8-bit and narrower ones saturate, as MX and FP8 training recipes do.
const FloatFormat& fp32Format() {
  static const FloatFormat f = named("fp32", 8, 23, 127, FloatSpecials::Ieee, false);
  return f;
}
const FloatFormat& tf32Format() {
  static const FloatFormat f = named("tf32", 8, 10, 127, FloatSpecials::Ieee, false);
  return f;
}
const FloatFormat& fp16Format() {
  static const FloatFormat f = named("fp16", 5, 10, 15, FloatSpecials::Ieee, false);
  return f;
}
const FloatFormat& bf16Format() {
  static const FloatFormat f = named("bf16", 8, 7, 127, FloatSpecials::Ieee, false);
  return f;
}
const FloatFormat& fp8E4M3Format() {
  static const FloatFormat f = named("fp8_e4m3", 4, 3, 7, FloatSpecials::FiniteNanOnes, true);
  return f;
}
const FloatFormat& fp8E5M2Format() {
  static const FloatFormat f = named("fp8_e5m2", 5, 2, 15, FloatSpecials::Ieee, true);
  return f;
}
const FloatFormat& fp8E4M3FnuzFormat() {
  static const FloatFormat f = named("fp8_e4m3fnuz", 4, 3, 8, FloatSpecials::FiniteNanNegZero, true);
  return f;
}
const FloatFormat& fp8E5M2FnuzFormat() {
  static const FloatFormat f = named("fp8_e5m2fnuz", 5, 2, 16, FloatSpecials::FiniteNanNegZero, true);
  return f;
}
const FloatFormat& fp6E3M2Format() {
  static const FloatFormat f = named("fp6_e3m2", 3, 2, 3, FloatSpecials::FiniteOnly, true);
  return f;
}
const FloatFormat& fp6E2M3Format() {
  static const FloatFormat f = named("fp6_e2m3", 2, 3, 1, FloatSpecials::FiniteOnly, true);
  return f;
}
const FloatFormat& fp4E2M1Format() {
  static const FloatFormat f = named("fp4_e2m1", 2, 1, 1, FloatSpecials::FiniteOnly, true);
  return f;
}

FloatFormat makeFloatFormat(int exponentBits, int mantissaBits) {
  // 8 exponent bits with no inf/NaN would reach 2^128, beyond float32.
  if (exponentBits < 1 || exponentBits > 7)
    throw Error("float format e" + std::to_string(exponentBits) + "m" + std::to_string(mantissaBits) +
                ": exponent bits must be 1..7 (use fp32/tf32/bf16 for 8)");
  if (mantissaBits < 0 || mantissaBits > 23)
    throw Error("float format e" + std::to_string(exponentBits) + "m" + std::to_string(mantissaBits) +
                ": mantissa bits must be 0..23");
  const std::string name = "e" + std::to_string(exponentBits) + "m" + std::to_string(mantissaBits);
  return named(name.c_str(), exponentBits, mantissaBits, (1 << (exponentBits - 1)) - 1,
               FloatSpecials::FiniteOnly, true);
}

} // namespace qs
