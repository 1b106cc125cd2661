// GGUF MXFP4 and NVFP4 as llama.cpp defines them (quantize_row_mxfp4_ref,
// quantize_row_nvfp4_ref, ggml-impl.h's scale codecs). Both store E2M1
// nibbles indexing kvalues_mxfp4 (E2M1 values doubled); ggml halves the
// decoded scale to match. Each value takes the first level of least |level *
// d - x| in float arithmetic: ties go to the smaller magnitude, not to even.
//
//  - MXFP4: 32 values, E8M0 exponent e = floorf(log2f(amax)) - 2 + 127 with the C
//    library's log2f (which rounds up to the next integer for amax just below a
//    power of two), e = 0 for an all-zero block; no NaN scale.
//  - NVFP4: 64 values in four sub-blocks of 16, each with its own UE4M3 scale
//    amax / 6 (round half up, saturating to 448 and flushing below 2^-10); no
//    per-tensor scale.

#include "core/formats/block_formats.h"
#include "core/formats/gguf_detail.h"

#include <cmath>
#include <cstring>

namespace qs {

float ggufE8m0Half(uint8_t e) {
  // 2^(e - 128): the subnormals 2^-128 and 2^-127 for e = 0 and 1.
  const uint32_t bits = e < 2 ? (0x00200000u << e) : (uint32_t(e - 1) << 23);
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

float ggufUe4m3Half(uint8_t code) {
  if (code == 0 || code == 0x7F)
    return 0.0f;
  const int exp = (code >> 3) & 0xF, man = code & 0x7;
  const float raw = exp == 0 ? std::ldexp(float(man), -9) : std::ldexp(1.0f + float(man) / 8.0f, exp - 7);
  return raw * 0.5f;
}

uint8_t ggufFloatToUe4m3(float x) {
  if (!(x > 0.0f))
    return 0;
  if (x > 448.0f)
    x = 448.0f;
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const int fp32Exp = int((bits >> 23) & 0xFF) - 127;
  const int fp32Man = int((bits >> 20) & 0x7);
  int exp = fp32Exp + 7;
  if (exp <= 0) { // subnormal: man * 2^-9, at most 7 (values just under 2^-6 round down)
    int man = int(x * 512.0f + 0.5f);
    if (man > 7)
      man = 7;
    return man < 1 ? 0 : uint8_t(man);
  }
  if (exp >= 15) // 256 and above: the largest code, 448
    return 0x7E;
  int man = fp32Man + int((bits >> 19) & 1); // round half up on the first dropped bit
  if (man > 7) {
    man = 0;
    if (++exp >= 15)
      return 0x7E;
  }
  return uint8_t((exp << 3) | man);
}

namespace detail {

namespace {

int bestIndexMxfp4(float x, float e) {
  int best = 0;
  float bestErr = std::fabs(float(kMxfp4Values[0]) * e - x);
  for (int i = 1; i < 16; ++i) {
    const float err = std::fabs(float(kMxfp4Values[i]) * e - x);
    if (err < bestErr) {
      best = i;
      bestErr = err;
    }
  }
  return best;
}

float absMax(const float* x, int n) {
  float amax = 0.0f;
  for (int j = 0; j < n; ++j)
    if (amax < std::fabs(x[j]))
      amax = std::fabs(x[j]);
  return amax;
}

// (uint8_t)(floorf(log2f(amax)) - 2 + 127). Below amax = 2^-125 the C cast of a
// negative float is undefined; x86 compilers convert to a 32-bit int and keep
// its low byte, which is what this does.
uint8_t mxfp4Exponent(float amax) {
  if (!(amax > 0.0f))
    return 0;
  const float e = std::floor(std::log2(amax)) - 2 + 127;
  return uint8_t(uint32_t(int32_t(e)) & 0xFFu);
}

template <class Block> Block load(const uint8_t* p) {
  Block b;
  std::memcpy(&b, p, sizeof b);
  return b;
}

// Nibble j of a 16- or 32-value run: low nibbles are its first half.
void unpackNibbles(const uint8_t* qs, int n, int32_t* codes) {
  for (int j = 0; j < n / 2; ++j) {
    codes[j] = qs[j] & 0xF;
    codes[j + n / 2] = qs[j] >> 4;
  }
}

} // namespace

void quantizeRowMXFP4(const float* x, uint8_t* blocks, int64_t k) {
  for (int64_t i = 0; i < k / kQKMxfp4; ++i, x += kQKMxfp4) {
    BlockMXFP4 b;
    b.e = mxfp4Exponent(absMax(x, kQKMxfp4));
    const float d = ggufE8m0Half(b.e);
    for (int j = 0; j < kQKMxfp4 / 2; ++j)
      b.qs[j] = uint8_t(bestIndexMxfp4(x[j], d) | (bestIndexMxfp4(x[j + kQKMxfp4 / 2], d) << 4));
    std::memcpy(blocks + i * int64_t(sizeof b), &b, sizeof b);
  }
}

void quantizeRowNVFP4(const float* x, uint8_t* blocks, int64_t k) {
  constexpr int kSubs = kQKNvfp4 / kQKNvfp4Sub, kHalf = kQKNvfp4Sub / 2;
  for (int64_t i = 0; i < k / kQKNvfp4; ++i) {
    BlockNVFP4 b;
    for (int s = 0; s < kSubs; ++s) {
      const float* xb = x + i * kQKNvfp4 + s * kQKNvfp4Sub;
      b.d[s] = ggufFloatToUe4m3(absMax(xb, kQKNvfp4Sub) / 6.0f);
      const float d = ggufUe4m3Half(b.d[s]);
      for (int j = 0; j < kHalf; ++j)
        b.qs[s * kHalf + j] = uint8_t(bestIndexMxfp4(xb[j], d) | (bestIndexMxfp4(xb[kHalf + j], d) << 4));
    }
    std::memcpy(blocks + i * int64_t(sizeof b), &b, sizeof b);
  }
}

void dequantizeRowMXFP4(const uint8_t* blocks, float* y, int64_t k) {
  for (int64_t i = 0; i < k / kQKMxfp4; ++i, y += kQKMxfp4) {
    const auto b = load<BlockMXFP4>(blocks + i * int64_t(sizeof(BlockMXFP4)));
    const float d = ggufE8m0Half(b.e);
    for (int j = 0; j < kQKMxfp4 / 2; ++j) {
      y[j] = float(kMxfp4Values[b.qs[j] & 0xF]) * d;
      y[j + kQKMxfp4 / 2] = float(kMxfp4Values[b.qs[j] >> 4]) * d;
    }
  }
}

void dequantizeRowNVFP4(const uint8_t* blocks, float* y, int64_t k) {
  constexpr int kSubs = kQKNvfp4 / kQKNvfp4Sub, kHalf = kQKNvfp4Sub / 2;
  for (int64_t i = 0; i < k / kQKNvfp4; ++i) {
    const auto b = load<BlockNVFP4>(blocks + i * int64_t(sizeof(BlockNVFP4)));
    for (int s = 0; s < kSubs; ++s, y += kQKNvfp4Sub) {
      const float d = ggufUe4m3Half(b.d[s]);
      for (int j = 0; j < kHalf; ++j) {
        y[j] = float(kMxfp4Values[b.qs[s * kHalf + j] & 0xF]) * d;
        y[j + kHalf] = float(kMxfp4Values[b.qs[s * kHalf + j] >> 4]) * d;
      }
    }
  }
}

float unpackMXFP4(const uint8_t* block, int32_t* codes) {
  const auto b = load<BlockMXFP4>(block);
  if (codes)
    unpackNibbles(b.qs, kQKMxfp4, codes);
  return 2.0f * ggufE8m0Half(b.e); // exact: a power of two
}

float unpackNVFP4(const uint8_t* block, int32_t* codes) {
  const auto b = load<BlockNVFP4>(block);
  constexpr int kHalf = kQKNvfp4Sub / 2;
  if (codes)
    for (int s = 0; s < kQKNvfp4 / kQKNvfp4Sub; ++s)
      unpackNibbles(b.qs + s * kHalf, kQKNvfp4Sub, codes + s * kQKNvfp4Sub);
  return 2.0f * ggufUe4m3Half(b.d[0]);
}

} // namespace detail

} // namespace qs
