// OCP Microscaling (MX) v1.0 blocks: 32 elements share an E8M0 scale
//   X = 2^(floor(log2(amax)) - emax_elem),  E8M0 exponent clamped to >= -127,
// elements P_i = cast(V_i / X) with round-to-nearest-even and saturation to
// the element's largest normal (spec section 6.3). Choices the spec leaves
// open, made as in Microsoft's reference library (microxcaling):
//   - an all-zero block uses amax = FP32_MIN_NORMAL, i.e. X = 2^max(-126 - emax, -127);
//   - any NaN or inf in the block makes X NaN (code 255): every value decodes
//     to NaN and the element codes are 0;
//   - MXINT8 elements are two's complement with an implicit 2^-6 (1.6 fixed
//     point) clamped symmetrically to [-127, 127] (-128 is never produced).
#include "core/formats/block_formats.h"

#include "core/error.h"
#include "core/formats/float_detail.h"
#include "core/util/simd.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace qs {

namespace {

constexpr uint8_t kE8M0NaN = 255;

void checkBlock(const float* x, int n, const uint8_t* codes, const float* dequantized) {
  if (n < 0 || n > kMxBlock)
    throw Error("MX block holds 1.." + std::to_string(kMxBlock) + " values, got " + std::to_string(n));
  if (n > 0 && (x == nullptr || codes == nullptr || dequantized == nullptr))
    throw Error("MX block: null buffer");
}

// Shared exponent, or nullopt-like flag via return false for NaN blocks.
bool sharedExponent(MxElement element, const float* x, int n, int& exp) {
  float amax = 0.0f;
  for (int i = 0; i < n; ++i) {
    if (!std::isfinite(x[i]))
      return false;
    amax = std::max(amax, std::fabs(x[i]));
  }
  if (amax == 0.0f)
    amax = 0x1p-126f; // FP32_MIN_NORMAL
  int e2 = 0;
  std::frexp(amax, &e2); // amax in [2^(e2-1), 2^e2)
  exp = std::max(e2 - 1 - mxElementEmax(element), -127);
  return true;
}

MxBlockOut nanBlock(int n, uint8_t* codes, float* dequantized) {
  std::fill(codes, codes + n, uint8_t{0});
  std::fill(dequantized, dequantized + n, std::nanf(""));
  MxBlockOut out;
  out.scaleE8M0 = kE8M0NaN;
  return out;
}

// 2^e for e in [-127, 127] without ldexp.
float pow2f(int e) {
  return e >= -126 ? std::bit_cast<float>(static_cast<uint32_t>(127 + e) << 23)
                   : std::bit_cast<float>(1u << (149 + e));
}

uint8_t int8Code(float v) {
  // v * 64 is exact (power of two); RNE, then the symmetric clamp.
  const float q = std::clamp(std::nearbyint(v * 64.0f), -127.0f, 127.0f);
  return static_cast<uint8_t>(static_cast<int8_t>(q));
}

// Per element type: the float grid and a decode table of every code, built once.
struct ElementTables {
  detail::FloatGrid grid;
  float value[256];
};

const ElementTables& elementTables(MxElement element);

} // namespace

int mxElementBits(MxElement element) {
  switch (element) {
  case MxElement::Fp8E4M3:
  case MxElement::Fp8E5M2:
  case MxElement::Int8:
    return 8;
  case MxElement::Fp6E3M2:
  case MxElement::Fp6E2M3:
    return 6;
  case MxElement::Fp4E2M1:
    return 4;
  }
  return 8;
}

int mxElementEmax(MxElement element) {
  switch (element) {
  case MxElement::Fp8E4M3:
    return 8;
  case MxElement::Fp8E5M2:
    return 15;
  case MxElement::Fp6E3M2:
    return 4;
  case MxElement::Fp6E2M3:
  case MxElement::Fp4E2M1:
    return 2;
  case MxElement::Int8:
    return 0;
  }
  return 0;
}

const FloatFormat* mxElementFloatFormat(MxElement element) {
  switch (element) {
  case MxElement::Fp8E4M3:
    return &fp8E4M3Format();
  case MxElement::Fp8E5M2:
    return &fp8E5M2Format(); // saturating: MX clamps to the largest normal
  case MxElement::Fp6E3M2:
    return &fp6E3M2Format();
  case MxElement::Fp6E2M3:
    return &fp6E2M3Format();
  case MxElement::Fp4E2M1:
    return &fp4E2M1Format();
  case MxElement::Int8:
    return nullptr;
  }
  return nullptr;
}

float e8m0ToFloat(uint8_t code) {
  if (code == kE8M0NaN)
    return std::nanf("");
  return pow2f(static_cast<int>(code) - 127);
}

float mxDecodeElement(MxElement element, uint8_t code) {
  if (element == MxElement::Int8)
    return static_cast<float>(static_cast<int8_t>(code)) * 0x1p-6f;
  return mxElementFloatFormat(element)->decode(code);
}

// Reference: double-arithmetic encode of V_i / X, one element at a time.
MxBlockOut mxQuantizeBlockRef(MxElement element, const float* x, int n, uint8_t* codes, float* dequantized) {
  checkBlock(x, n, codes, dequantized);
  int exp = 0;
  if (!sharedExponent(element, x, n, exp))
    return nanBlock(n, codes, dequantized);
  const FloatFormat* f = mxElementFloatFormat(element);
  for (int i = 0; i < n; ++i) {
    const float v = static_cast<float>(std::ldexp(static_cast<double>(x[i]), -exp));
    if (f) {
      codes[i] = static_cast<uint8_t>(f->encodeRef(v));
      dequantized[i] = static_cast<float>(std::ldexp(static_cast<double>(f->decode(codes[i])), exp));
    } else {
      codes[i] = int8Code(v);
      dequantized[i] =
          static_cast<float>(std::ldexp(static_cast<double>(static_cast<int8_t>(codes[i])), exp - 6));
    }
  }
  MxBlockOut out;
  out.scaleE8M0 = static_cast<uint8_t>(exp + 127);
  return out;
}

namespace {
const ElementTables& elementTables(MxElement element) {
  static const auto tables = [] {
    std::vector<ElementTables> t(6);
    for (int e = 0; e < 6; ++e) {
      const MxElement el = static_cast<MxElement>(e);
      const FloatFormat* f = mxElementFloatFormat(el);
      if (f)
        t[static_cast<size_t>(e)].grid = detail::makeGrid(*f);
      for (int c = 0; c < 256; ++c)
        t[static_cast<size_t>(e)].value[c] =
            c < (1 << mxElementBits(el)) ? mxDecodeElement(el, static_cast<uint8_t>(c)) : 0.0f;
    }
    return t;
  }();
  return tables[static_cast<size_t>(element)];
}
// Element codes and dequantized values of n <= 32 finite values, one by one
// with the prebuilt grid and the 256-entry decode table.
void mxElementsScalar(MxElement element, const ElementTables& t, const float* x, int n, float inv, float inv2,
                      float scale, uint8_t* codes, float* dequantized) {
  // Local copies: stores through uint8_t* may alias anything, which would
  // force the grid to be reloaded for every element.
  const detail::FloatGrid g = t.grid;
  uint8_t local[kMxBlock];
  if (element != MxElement::Int8) {
    for (int i = 0; i < n; ++i)
      local[i] = static_cast<uint8_t>(detail::encodeWithGrid(g, x[i] * inv * inv2));
  } else {
    for (int i = 0; i < n; ++i)
      local[i] = int8Code(x[i] * inv * inv2);
  }
  for (int i = 0; i < n; ++i)
    dequantized[i] = t.value[local[i]] * scale;
  std::memcpy(codes, local, static_cast<size_t>(n));
}

#if QS_HAVE_AVX2
// A full block of float elements, 8 lanes at a time: the same two roundings
// as detail::encodeWithGrid, then the MX saturation. Inputs are finite here.
QS_AVX2 void floatBlockAvx2(const detail::FloatGrid& g, const float* x, float inv, float inv2, float scale,
                            uint8_t* codes, float* dq) {
  const __m256i absMask = simd::absMaskBits();
  const __m256i signMask = _mm256_set1_epi32(static_cast<int>(0x80000000u));
  const __m128i shift = _mm_cvtsi32_si128(static_cast<int>(g.shift));
  const __m256i half = _mm256_set1_epi32(static_cast<int>((1u << (g.shift - 1)) - 1u)); // shift >= 20 here
  const __m256i one = _mm256_set1_epi32(1);
  const __m256i lowMask = _mm256_set1_epi32(static_cast<int>((1u << g.shift) - 1u));
  const __m256i rebias = _mm256_set1_epi32(static_cast<int>(static_cast<uint32_t>(127 - g.bias) << g.m));
  const __m256 magic = _mm256_set1_ps(g.magic);
  const __m256i magicBits = _mm256_set1_epi32(static_cast<int>(std::bit_cast<uint32_t>(g.magic)));
  const __m256i minNormal = _mm256_set1_epi32(static_cast<int>(g.minNormalBits));
  const __m256i maxMag = _mm256_set1_epi32(static_cast<int>((g.maxE << g.m) | g.maxM));
  const __m256i maxBits = _mm256_set1_epi32(static_cast<int>(g.maxBits));
  const __m128i signShift = _mm_cvtsi32_si128(31 - (g.e + g.m));
  const __m256 vinv = _mm256_set1_ps(inv), vinv2 = _mm256_set1_ps(inv2), vscale = _mm256_set1_ps(scale);
  alignas(32) uint32_t c32[kMxBlock];
  for (int i = 0; i < kMxBlock; i += 8) {
    const __m256i u = _mm256_castps_si256(_mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), vinv), vinv2));
    const __m256i a = _mm256_and_si256(u, absMask);
    const __m256i sign = _mm256_and_si256(u, signMask);
    const __m256i lsb = _mm256_and_si256(_mm256_srl_epi32(a, shift), one);
    const __m256i up = _mm256_add_epi32(_mm256_add_epi32(a, half), lsb);
    const __m256i normalCode = _mm256_sub_epi32(_mm256_srl_epi32(up, shift), rebias);
    const __m256i normalBits = _mm256_andnot_si256(lowMask, up);
    const __m256 sum = _mm256_add_ps(_mm256_castsi256_ps(a), magic);
    const __m256i subCode = _mm256_sub_epi32(_mm256_castps_si256(sum), magicBits);
    const __m256i subBits = _mm256_castps_si256(_mm256_sub_ps(sum, magic));
    const __m256i isSub = _mm256_cmpgt_epi32(minNormal, a);
    const __m256i mag = _mm256_min_epu32(_mm256_blendv_epi8(normalCode, subCode, isSub), maxMag);
    const __m256i r = _mm256_min_epu32(_mm256_blendv_epi8(normalBits, subBits, isSub), maxBits);
    _mm256_store_si256(reinterpret_cast<__m256i*>(c32 + i),
                       _mm256_or_si256(mag, _mm256_srl_epi32(sign, signShift)));
    _mm256_storeu_ps(dq + i, _mm256_mul_ps(_mm256_castsi256_ps(_mm256_or_si256(r, sign)), vscale));
  }
  for (int i = 0; i < kMxBlock; ++i)
    codes[i] = static_cast<uint8_t>(c32[i]);
}

QS_AVX2 void int8BlockAvx2(const float* x, float inv, float inv2, float scale, uint8_t* codes, float* dq) {
  // 64 is applied after 1/X: inv * 64 would overflow for X = 2^-126.
  const __m256 vinv = _mm256_set1_ps(inv), vinv2 = _mm256_set1_ps(inv2 * 64.0f),
               vscale = _mm256_set1_ps(scale);
  const __m256 lo = _mm256_set1_ps(-127.0f), hi = _mm256_set1_ps(127.0f), unit = _mm256_set1_ps(0x1p-6f);
  alignas(32) int32_t c32[kMxBlock];
  for (int i = 0; i < kMxBlock; i += 8) {
    const __m256 v = _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), vinv), vinv2);
    const __m256 q = _mm256_min_ps(
        _mm256_max_ps(_mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), lo), hi);
    const __m256i qi = _mm256_cvtps_epi32(q);
    _mm256_store_si256(reinterpret_cast<__m256i*>(c32 + i), qi);
    // Through the integer: no -0 (the scalar decode table has +0 for code 0).
    _mm256_storeu_ps(dq + i, _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(qi), unit), vscale));
  }
  for (int i = 0; i < kMxBlock; ++i)
    codes[i] = static_cast<uint8_t>(static_cast<int8_t>(c32[i]));
}

// mxElementsScalar for a full block.
QS_AVX2 void mxElementsAvx2(MxElement element, const ElementTables& t, const float* x, float inv, float inv2,
                            float scale, uint8_t* codes, float* dequantized) {
  if (element == MxElement::Int8)
    int8BlockAvx2(x, inv, inv2, scale, codes, dequantized);
  else
    floatBlockAvx2(t.grid, x, inv, inv2, scale, codes, dequantized);
}
#endif

} // namespace

// Fast: one multiply by 1/X (exact: a power of two, normal for every clamped
// exponent); full blocks use AVX2 where the CPU has it, partial ones (and
// every block on other CPUs) the integer encoder with a prebuilt grid and a
// 256-entry decode table.
MxBlockOut mxQuantizeBlock(MxElement element, const float* x, int n, uint8_t* codes, float* dequantized) {
  checkBlock(x, n, codes, dequantized);
  int exp = 0;
  if (!sharedExponent(element, x, n, exp))
    return nanBlock(n, codes, dequantized);
  // 2^-exp may exceed float range for exp = -127, so scale in two steps there.
  const float inv = pow2f(-std::max(exp, -126));
  const float inv2 = exp < -126 ? 2.0f : 1.0f;
  const float scale = pow2f(exp);
  const ElementTables& t = elementTables(element);
#if QS_HAVE_AVX2
  if (n == kMxBlock && simd::useAvx2())
    mxElementsAvx2(element, t, x, inv, inv2, scale, codes, dequantized);
  else
    mxElementsScalar(element, t, x, n, inv, inv2, scale, codes, dequantized);
#else
  mxElementsScalar(element, t, x, n, inv, inv2, scale, codes, dequantized);
#endif
  MxBlockOut out;
  out.scaleE8M0 = static_cast<uint8_t>(exp + 127);
  return out;
}

} // namespace qs
