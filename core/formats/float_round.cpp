// roundArray: bulk round-to-nearest-even onto a FloatFormat's grid.
// Dispatch happens once per chunk (AVX2 or the scalar twins, core/util/simd.h):
// FP32 is a copy, FP16 uses the F16C instructions, BF16 an integer
// add-and-mask, every other ExMy the generic bit-level kernel of
// float_detail.h (normal binades: integer RNE on the mantissa bits;
// subnormals: the (a + magic) - magic trick). Each path must
// equal roundArrayRef bit for bit; the tests check that.
#include "core/formats/float_detail.h"
#include "core/formats/float_format.h"
#include "core/util/simd.h"

#include <bit>
#include <cstdint>
#include <cstring>

namespace qs {

using detail::FloatGrid;
using detail::kFloatInf;
using detail::kFloatQNaN;

namespace {

constexpr int64_t kChunk = 1 << 16;             // elements per OpenMP work item
constexpr int64_t kParallelThreshold = 1 << 18; // below this, threads cost more than they save
constexpr int64_t kStreamThreshold = 1 << 22;   // 16 MiB of output: beyond the last-level cache

float roundOneBf16(float x) {
  const uint32_t u = std::bit_cast<uint32_t>(x);
  if ((u & 0x7FFFFFFFu) > kFloatInf)
    return std::bit_cast<float>((u | 0x00400000u) & 0xFFFF0000u);
  return std::bit_cast<float>((u + 0x7FFFu + ((u >> 16) & 1u)) & 0xFFFF0000u);
}

void roundGenericScalar(const FloatGrid& g, const float* in, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = detail::roundWithGrid(g, in[i]);
}

void roundFp16Scalar(const float* in, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = halfBitsToFloat(floatToHalfBits(in[i]));
}

void roundBf16Scalar(const float* in, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = roundOneBf16(in[i]);
}

#if QS_HAVE_AVX2

// Elements to process one by one until out + i is 32-byte aligned (for streaming stores).
int64_t alignHead(const float* out, int64_t n, bool stream) {
  if (!stream)
    return 0;
  const auto mis = reinterpret_cast<uintptr_t>(out) & 31u;
  const int64_t head = mis ? static_cast<int64_t>((32u - mis) / sizeof(float)) : 0;
  return head < n ? head : n;
}

QS_AVX2 inline void store8(float* p, __m256 v, bool stream) {
  if (stream)
    _mm256_stream_ps(p, v);
  else
    _mm256_storeu_ps(p, v);
}

QS_AVX2 void roundFp16Avx2(const float* in, float* out, int64_t n, bool stream) {
  int64_t i = alignHead(out, n, stream);
  roundFp16Scalar(in, out, i);
  for (; i + 8 <= n; i += 8) {
    const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT);
    store8(out + i, _mm256_cvtph_ps(h), stream);
  }
  roundFp16Scalar(in + i, out + i, n - i);
}

QS_AVX2 void roundBf16Avx2(const float* in, float* out, int64_t n, bool stream) {
  const __m256i absMask = simd::absMaskBits();
  const __m256i inf = _mm256_set1_epi32(static_cast<int>(kFloatInf));
  const __m256i quiet = _mm256_set1_epi32(0x00400000);
  const __m256i half = _mm256_set1_epi32(0x7FFF);
  const __m256i one = _mm256_set1_epi32(1);
  const __m256i keep = _mm256_set1_epi32(static_cast<int>(0xFFFF0000u));
  int64_t i = alignHead(out, n, stream);
  roundBf16Scalar(in, out, i);
  for (; i + 8 <= n; i += 8) {
    const __m256i u = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i));
    const __m256i isNan = _mm256_cmpgt_epi32(_mm256_and_si256(u, absMask), inf);
    const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(u, 16), one);
    const __m256i rounded = _mm256_add_epi32(_mm256_add_epi32(u, half), lsb);
    const __m256i r = _mm256_blendv_epi8(rounded, _mm256_or_si256(u, quiet), isNan);
    store8(out + i, _mm256_castsi256_ps(_mm256_and_si256(r, keep)), stream);
  }
  roundBf16Scalar(in + i, out + i, n - i);
}

QS_AVX2 void roundGenericAvx2(const FloatGrid& g, const float* in, float* out, int64_t n, bool stream) {
  const __m256i absMask = simd::absMaskBits();
  const __m256i signMask = _mm256_set1_epi32(static_cast<int>(0x80000000u));
  const __m256i inf = _mm256_set1_epi32(static_cast<int>(kFloatInf));
  const __m256i lsbBit = _mm256_set1_epi32(g.shift ? 1 : 0); // m = 23 keeps every bit
  const __m256i zero = _mm256_setzero_si256();
  const __m128i shiftCount = _mm_cvtsi32_si128(static_cast<int>(g.shift));
  const __m256i halfMinusOne = _mm256_set1_epi32(g.shift ? static_cast<int>((1u << (g.shift - 1)) - 1u) : 0);
  const __m256i lowMask = _mm256_set1_epi32(static_cast<int>((1u << g.shift) - 1u));
  const __m256i minNormal = _mm256_set1_epi32(static_cast<int>(g.minNormalBits));
  const __m256i maxBits = _mm256_set1_epi32(static_cast<int>(g.maxBits));
  const __m256i overflow = _mm256_set1_epi32(static_cast<int>(g.overflowBits));
  const __m256 magic = _mm256_set1_ps(g.magic);
  const __m256i qnan = _mm256_set1_epi32(static_cast<int>(kFloatQNaN));
  const __m256i quiet = _mm256_set1_epi32(0x00400000);
  const bool ieee = g.specials == FloatSpecials::Ieee;
  const bool ieeeSat = ieee && g.saturate;
  const bool fnuz = g.specials == FloatSpecials::FiniteNanNegZero;
  int64_t i = alignHead(out, n, stream);
  roundGenericScalar(g, in, out, i);
  for (; i + 8 <= n; i += 8) {
    const __m256i u = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i));
    const __m256i a = _mm256_and_si256(u, absMask);
    const __m256i sign = _mm256_and_si256(u, signMask);
    // Normal binades: add half-ulp-minus-one plus the kept lsb, then mask.
    const __m256i lsb = _mm256_and_si256(_mm256_srl_epi32(a, shiftCount), lsbBit);
    const __m256i rn = _mm256_andnot_si256(lowMask, _mm256_add_epi32(_mm256_add_epi32(a, halfMinusOne), lsb));
    // Subnormal binade: the FPU rounds to the format's fixed quantum.
    const __m256 af = _mm256_castsi256_ps(a);
    const __m256i rs = _mm256_castps_si256(_mm256_sub_ps(_mm256_add_ps(af, magic), magic));
    const __m256i isSub = _mm256_cmpgt_epi32(minNormal, a);
    __m256i r = _mm256_blendv_epi8(rn, rs, isSub);
    // Overflow (a is not NaN here; NaN lanes are replaced below).
    const __m256i over = _mm256_cmpgt_epi32(r, maxBits);
    __m256i ov = overflow;
    if (ieeeSat) // inf stays inf even when finite overflow saturates
      ov = _mm256_blendv_epi8(overflow, inf, _mm256_cmpeq_epi32(a, inf));
    r = _mm256_blendv_epi8(r, ov, over);
    if (fnuz) { // no -0 and an unsigned NaN
      const __m256i unsignedRes = _mm256_or_si256(_mm256_cmpeq_epi32(r, zero), _mm256_cmpeq_epi32(r, qnan));
      r = _mm256_or_si256(r, _mm256_andnot_si256(unsignedRes, sign));
    } else {
      r = _mm256_or_si256(r, sign);
    }
    const __m256i isNan = _mm256_cmpgt_epi32(a, inf);
    __m256i nanValue;
    switch (g.specials) {
    case FloatSpecials::Ieee:
      nanValue = _mm256_andnot_si256(lowMask, _mm256_or_si256(u, quiet));
      break;
    case FloatSpecials::FiniteNanOnes:
      nanValue = _mm256_or_si256(sign, qnan);
      break;
    case FloatSpecials::FiniteNanNegZero:
      nanValue = qnan;
      break;
    default:
      nanValue = zero;
      break;
    }
    r = _mm256_blendv_epi8(r, nanValue, isNan);
    store8(out + i, _mm256_castsi256_ps(r), stream);
  }
  roundGenericScalar(g, in + i, out + i, n - i);
}

#endif // QS_HAVE_AVX2

enum class Path { Copy, Fp16, Bf16, Generic };

Path choosePath(const FloatFormat& f, const FloatGrid& g) {
  if (g.identity)
    return Path::Copy;
  const bool plainIeee = f.specials == FloatSpecials::Ieee && !f.saturate;
  if (plainIeee && f.exponentBits == 5 && f.mantissaBits == 10 && f.bias == 15)
    return Path::Fp16;
  if (plainIeee && f.exponentBits == 8 && f.mantissaBits == 7 && f.bias == 127)
    return Path::Bf16;
  return Path::Generic;
}

#if QS_HAVE_AVX2
QS_AVX2 void roundChunkAvx2(Path path, const FloatGrid& g, const float* in, float* out, int64_t n,
                            bool stream) {
  if (path == Path::Fp16)
    roundFp16Avx2(in, out, n, stream);
  else if (path == Path::Bf16)
    roundBf16Avx2(in, out, n, stream);
  else
    roundGenericAvx2(g, in, out, n, stream);
  if (stream)
    _mm_sfence(); // streamed stores are weakly ordered: publish them before this thread moves on
}
#endif

void roundChunkScalar(Path path, const FloatGrid& g, const float* in, float* out, int64_t n) {
  if (path == Path::Fp16)
    roundFp16Scalar(in, out, n);
  else if (path == Path::Bf16)
    roundBf16Scalar(in, out, n);
  else
    roundGenericScalar(g, in, out, n);
}

void roundChunk(Path path, const FloatGrid& g, const float* in, float* out, int64_t n, bool stream) {
  if (path == Path::Copy) {
    if (in != out)
      std::memmove(out, in, static_cast<size_t>(n) * sizeof(float));
    return;
  }
#if QS_HAVE_AVX2
  if (simd::useAvx2())
    return roundChunkAvx2(path, g, in, out, n, stream);
#endif
  (void)stream; // only the SIMD paths stream
  roundChunkScalar(path, g, in, out, n);
}

} // namespace

void roundArray(const FloatFormat& format, const float* in, float* out, int64_t n) {
  if (n <= 0)
    return;
  const FloatGrid g = detail::makeGrid(format);
  const Path path = choosePath(format, g);
  if (n < kParallelThreshold) {
    roundChunk(path, g, in, out, n, false);
    return;
  }
  // A large out-of-place result will not be in cache anyway: streaming stores
  // skip reading the destination lines first (what memcpy does too).
  const bool stream = n >= kStreamThreshold && in != out;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(dynamic, 4) // dynamic: robust when a core is busy elsewhere
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t begin = c * kChunk;
    const int64_t len = begin + kChunk <= n ? kChunk : n - begin;
    roundChunk(path, g, in + begin, out + begin, len, stream);
  }
}

namespace {

void encodeChunkScalar(const FloatGrid& g, const float* in, uint32_t* codes, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    codes[i] = detail::encodeWithGrid(g, in[i]);
}

#if QS_HAVE_AVX2
// encodeWithGrid for 8 values at a time: the same integer formulas (normal
// binades: RNE on the kept bits minus the re-bias; subnormal: bits(a + magic)
// - bits(magic)) in AVX2 lanes. A group of 8 holding NaN, inf or an overflow
// goes through the scalar encoder instead.
QS_AVX2 void encodeChunkAvx2(const FloatGrid& g, const float* in, uint32_t* codes, int64_t n) {
  int64_t i = 0;
  const __m256i absMask = simd::absMaskBits();
  const __m256i infMinus1 = _mm256_set1_epi32(static_cast<int>(kFloatInf - 1u));
  const __m256i halfMinusOne = _mm256_set1_epi32(static_cast<int>(g.halfMinusOne));
  const __m256i lsbBit = _mm256_set1_epi32(static_cast<int>(g.lsbBit));
  const __m256i rebias = _mm256_set1_epi32(static_cast<int>(static_cast<uint32_t>(127 - g.bias) << g.m));
  const __m256i minNormal = _mm256_set1_epi32(static_cast<int>(g.minNormalBits));
  const __m256i maxCode = _mm256_set1_epi32(static_cast<int>((g.maxE << g.m) | g.maxM));
  const __m256i negZero = _mm256_set1_epi32(static_cast<int>(g.negZero));
  const __m256i one = _mm256_set1_epi32(1), zero = _mm256_setzero_si256();
  const __m256 magic = _mm256_set1_ps(g.magic);
  const __m256i magicBits = _mm256_castps_si256(magic);
  const __m128i shift = _mm_cvtsi32_si128(static_cast<int>(g.shift));
  const __m128i signShift = _mm_cvtsi32_si128(g.e + g.m);
  for (; i + 8 <= n; i += 8) {
    const __m256i u = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i));
    const __m256i a = _mm256_and_si256(u, absMask); // non-negative as int32: signed compares are safe
    const __m256i lsb = _mm256_and_si256(_mm256_srl_epi32(a, shift), lsbBit);
    const __m256i normal = _mm256_sub_epi32(
        _mm256_srl_epi32(_mm256_add_epi32(_mm256_add_epi32(a, halfMinusOne), lsb), shift), rebias);
    const __m256i sub =
        _mm256_sub_epi32(_mm256_castps_si256(_mm256_add_ps(_mm256_castsi256_ps(a), magic)), magicBits);
    const __m256i mag = _mm256_blendv_epi8(normal, sub, _mm256_cmpgt_epi32(minNormal, a));
    const __m256i special =
        _mm256_or_si256(_mm256_cmpgt_epi32(a, infMinus1), _mm256_cmpgt_epi32(mag, maxCode));
    if (!_mm256_testz_si256(special, special)) {
      encodeChunkScalar(g, in + i, codes + i, 8);
      continue;
    }
    const __m256i keepSign =
        _mm256_or_si256(_mm256_andnot_si256(_mm256_cmpeq_epi32(mag, zero), one), negZero);
    const __m256i sign = _mm256_and_si256(_mm256_srli_epi32(u, 31), keepSign);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(codes + i),
                        _mm256_or_si256(_mm256_sll_epi32(sign, signShift), mag));
  }
  encodeChunkScalar(g, in + i, codes + i, n - i);
}
#endif

// FP32 (identity) codes are the bits themselves: the scalar encoder's job.
void encodeChunk(const FloatGrid& g, const float* in, uint32_t* codes, int64_t n) {
#if QS_HAVE_AVX2
  if (!g.identity && simd::useAvx2())
    return encodeChunkAvx2(g, in, codes, n);
#endif
  encodeChunkScalar(g, in, codes, n);
}

} // namespace

void encodeArray(const FloatFormat& format, const float* in, uint32_t* codes, int64_t n) {
  if (n <= 0)
    return;
  const FloatGrid g = detail::makeGrid(format);
  const int64_t chunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) if (n >= kParallelThreshold)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t end = c * kChunk + kChunk < n ? c * kChunk + kChunk : n;
    encodeChunk(g, in + c * kChunk, codes + c * kChunk, end - c * kChunk);
  }
}

void roundArrayRef(const FloatFormat& format, const float* in, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = format.decode(format.encodeRef(in[i]));
}

} // namespace qs
