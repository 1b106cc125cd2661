// GGUF legacy blocks (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1) and the plain F32/F16/BF16
// rows, reproducing llama.cpp's quantize_row_*_ref / dequantize_row_* to the
// bit, including their rounding quirks (noted at each kernel); the type table
// and the dispatch of every type. The k-quants live in gguf_kquants.cpp, the
// others in gguf_iq4.cpp, gguf_ternary.cpp and gguf_fp4.cpp. No FMA contraction: x*d + m stays two roundings
// as in the C source (-ffp-contract=off for this file in core/CMakeLists.txt).

#include "core/formats/block_formats.h"

#include "core/error.h"
#include "core/formats/float_format.h"
#include "core/formats/gguf_detail.h"
#include "core/formats/gguf_iq_detail.h"
#include "core/util/simd.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <string>

namespace qs {

using namespace detail;

namespace {

template <class Block> Block loadBlock(const uint8_t* p) {
  Block b;
  std::memcpy(&b, p, sizeof b);
  return b;
}

template <class Block> void storeBlock(uint8_t* p, const Block& b) {
  std::memcpy(p, &b, sizeof b);
}

// The largest |x|, NaN never winning, exactly as llama.cpp's
// `if (amax < fabsf(v)) amax = fabsf(v);` (max is exact: any order gives it).
float absMaxScalar(const float* x, int n) {
  float amax = 0.0f;
  for (int j = 0; j < n; ++j)
    if (amax < std::fabs(x[j]))
      amax = std::fabs(x[j]);
  return amax;
}

#if QS_HAVE_AVX2
QS_AVX2 float absMaxAvx2(const float* x, int n) {
  __m256 m = _mm256_setzero_ps();
  int j = 0;
  for (; j + 8 <= n; j += 8) // max(|x|, m) returns m for a NaN lane: NaN is skipped as in the scalar rule
    m = _mm256_max_ps(simd::abs(_mm256_loadu_ps(x + j)), m);
  const float amax = simd::hmax(m), tail = absMaxScalar(x + j, n - j);
  return amax < tail ? tail : amax;
}
#endif

// The largest |x| and the signed value of its first occurrence (NaN never
// wins), exactly as llama.cpp's `if (amax < fabsf(v)) { amax = fabsf(v); max = v; }`:
// the maximum (in SIMD lanes where the CPU has them), then a scan for where it
// first occurs.
float amaxSigned(const float* x, int n, float& signedMax) {
#if QS_HAVE_AVX2
  const float amax = simd::useAvx2() ? absMaxAvx2(x, n) : absMaxScalar(x, n);
#else
  const float amax = absMaxScalar(x, n);
#endif
  signedMax = 0.0f; // all zeros (or NaN): +0, as the scalar rule leaves it
  if (amax > 0.0f)
    for (int j = 0; j < n; ++j)
      if (std::fabs(x[j]) == amax) {
        signedMax = x[j];
        break;
      }
  return amax;
}

// Q8_0: d = amax / 127, q = roundf(x / d) (ties away from zero).
void quantizeQ8_0(const float* x, uint8_t* out, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    float amax = 0.0f;
    for (int j = 0; j < kQK; ++j)
      amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ8_0 b;
    b.d = floatToHalfBits(d);
    for (int j = 0; j < kQK; ++j)
      b.qs[j] = static_cast<int8_t>(std::roundf(x[j] * id));
    storeBlock(out + i * sizeof b, b);
  }
}

// Q4_0: d = (signed value of largest magnitude) / -8, so that value maps to
// code 0 (= -8); q = min(15, (int8_t)(x / d + 8.5)), truncating.
void quantizeQ4_0(const float* x, uint8_t* out, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    float max = 0.0f;
    amaxSigned(x, kQK, max);
    const float d = max / -8.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ4_0 b;
    b.d = floatToHalfBits(d);
    for (int j = 0; j < kQK / 2; ++j) {
      const uint8_t q0 =
          static_cast<uint8_t>(std::min(15, static_cast<int>(static_cast<int8_t>(x[j] * id + 8.5f))));
      const uint8_t q1 = static_cast<uint8_t>(
          std::min(15, static_cast<int>(static_cast<int8_t>(x[kQK / 2 + j] * id + 8.5f))));
      b.qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
    storeBlock(out + i * sizeof b, b);
  }
}

// Q4_1: d = (max - min) / 15, m = min, q = min(15, (int8_t)((x - min) / d + 0.5)).
void quantizeQ4_1(const float* x, uint8_t* out, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    float min = FLT_MAX, max = -FLT_MAX;
    for (int j = 0; j < kQK; ++j) {
      min = std::min(min, x[j]);
      max = std::max(max, x[j]);
    }
    const float d = (max - min) / 15.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ4_1 b;
    b.d = floatToHalfBits(d);
    b.m = floatToHalfBits(min);
    for (int j = 0; j < kQK / 2; ++j) {
      const uint8_t q0 =
          static_cast<uint8_t>(std::min(15, static_cast<int>(static_cast<int8_t>((x[j] - min) * id + 0.5f))));
      const uint8_t q1 = static_cast<uint8_t>(
          std::min(15, static_cast<int>(static_cast<int8_t>((x[kQK / 2 + j] - min) * id + 0.5f))));
      b.qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
    storeBlock(out + i * sizeof b, b);
  }
}

// Q5_0: as Q4_0 with 5 bits: d = max / -16, q = min(31, (int8_t)(x / d + 16.5));
// the 5th bits of element j and j + 16 go to bit j and j + 16 of qh.
void quantizeQ5_0(const float* x, uint8_t* out, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    float max = 0.0f;
    amaxSigned(x, kQK, max);
    const float d = max / -16.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ5_0 b;
    b.d = floatToHalfBits(d);
    uint32_t qh = 0;
    for (int j = 0; j < kQK / 2; ++j) {
      const uint32_t q0 =
          static_cast<uint32_t>(std::min(31, static_cast<int>(static_cast<int8_t>(x[j] * id + 16.5f))));
      const uint32_t q1 = static_cast<uint32_t>(
          std::min(31, static_cast<int>(static_cast<int8_t>(x[kQK / 2 + j] * id + 16.5f))));
      b.qs[j] = static_cast<uint8_t>((q0 & 0x0F) | ((q1 & 0x0F) << 4));
      qh |= ((q0 & 0x10u) >> 4) << j;
      qh |= ((q1 & 0x10u) >> 4) << (j + kQK / 2);
    }
    std::memcpy(b.qh, &qh, sizeof qh);
    storeBlock(out + i * sizeof b, b);
  }
}

// Q5_1: d = (max - min) / 31, q = (uint8_t)((x - min) / d + 0.5) (no clamp).
void quantizeQ5_1(const float* x, uint8_t* out, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    float min = FLT_MAX, max = -FLT_MAX;
    for (int j = 0; j < kQK; ++j) {
      min = std::min(min, x[j]);
      max = std::max(max, x[j]);
    }
    const float d = (max - min) / 31.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ5_1 b;
    b.d = floatToHalfBits(d);
    b.m = floatToHalfBits(min);
    uint32_t qh = 0;
    for (int j = 0; j < kQK / 2; ++j) {
      const uint32_t q0 = static_cast<uint8_t>((x[j] - min) * id + 0.5f);
      const uint32_t q1 = static_cast<uint8_t>((x[kQK / 2 + j] - min) * id + 0.5f);
      b.qs[j] = static_cast<uint8_t>((q0 & 0x0F) | ((q1 & 0x0F) << 4));
      qh |= ((q0 & 0x10u) >> 4) << j;
      qh |= ((q1 & 0x10u) >> 4) << (j + kQK / 2);
    }
    std::memcpy(b.qh, &qh, sizeof qh);
    storeBlock(out + i * sizeof b, b);
  }
}

void dequantizeQ8_0(const uint8_t* in, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQK) {
    const auto b = loadBlock<BlockQ8_0>(in + i * sizeof(BlockQ8_0));
    const float d = halfBitsToFloat(b.d);
    for (int j = 0; j < kQK; ++j)
      y[j] = b.qs[j] * d;
  }
}

void dequantizeQ4_0(const uint8_t* in, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQK) {
    const auto b = loadBlock<BlockQ4_0>(in + i * sizeof(BlockQ4_0));
    const float d = halfBitsToFloat(b.d);
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = static_cast<float>((b.qs[j] & 0x0F) - 8) * d;
      y[j + kQK / 2] = static_cast<float>((b.qs[j] >> 4) - 8) * d;
    }
  }
}

void dequantizeQ4_1(const uint8_t* in, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQK) {
    const auto b = loadBlock<BlockQ4_1>(in + i * sizeof(BlockQ4_1));
    const float d = halfBitsToFloat(b.d), m = halfBitsToFloat(b.m);
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = static_cast<float>(b.qs[j] & 0x0F) * d + m;
      y[j + kQK / 2] = static_cast<float>(b.qs[j] >> 4) * d + m;
    }
  }
}

void dequantizeQ5_0(const uint8_t* in, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQK) {
    const auto b = loadBlock<BlockQ5_0>(in + i * sizeof(BlockQ5_0));
    const float d = halfBitsToFloat(b.d);
    uint32_t qh;
    std::memcpy(&qh, b.qh, sizeof qh);
    for (int j = 0; j < kQK / 2; ++j) {
      const int h0 = static_cast<int>(((qh >> j) << 4) & 0x10);
      const int h1 = static_cast<int>((qh >> (j + 12)) & 0x10);
      y[j] = static_cast<float>(((b.qs[j] & 0x0F) | h0) - 16) * d;
      y[j + kQK / 2] = static_cast<float>(((b.qs[j] >> 4) | h1) - 16) * d;
    }
  }
}

void dequantizeQ5_1(const uint8_t* in, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQK) {
    const auto b = loadBlock<BlockQ5_1>(in + i * sizeof(BlockQ5_1));
    const float d = halfBitsToFloat(b.d), m = halfBitsToFloat(b.m);
    uint32_t qh;
    std::memcpy(&qh, b.qh, sizeof qh);
    for (int j = 0; j < kQK / 2; ++j) {
      const int h0 = static_cast<int>(((qh >> j) << 4) & 0x10);
      const int h1 = static_cast<int>((qh >> (j + 12)) & 0x10);
      y[j] = static_cast<float>((b.qs[j] & 0x0F) | h0) * d + m;
      y[j + kQK / 2] = static_cast<float>((b.qs[j] >> 4) | h1) * d + m;
    }
  }
}

const GgufTypeInfo kTypes[] = {
    {"F32", 1, 4},
    {"F16", 1, 2},
    {"Q4_0", kQK, static_cast<int>(sizeof(BlockQ4_0))},
    {"Q4_1", kQK, static_cast<int>(sizeof(BlockQ4_1))},
    {"Q5_0", kQK, static_cast<int>(sizeof(BlockQ5_0))},
    {"Q5_1", kQK, static_cast<int>(sizeof(BlockQ5_1))},
    {"Q8_0", kQK, static_cast<int>(sizeof(BlockQ8_0))},
    {"Q4_K", kQKK, static_cast<int>(sizeof(BlockQ4_K))},
    {"Q6_K", kQKK, static_cast<int>(sizeof(BlockQ6_K))},
    {"BF16", 1, 2},
    {"IQ4_NL", kQK4NL, static_cast<int>(sizeof(BlockIQ4NL))},
    {"IQ4_XS", kQKK, static_cast<int>(sizeof(BlockIQ4XS))},
    {"TQ1_0", kQKK, static_cast<int>(sizeof(BlockTQ1_0))},
    {"TQ2_0", kQKK, static_cast<int>(sizeof(BlockTQ2_0))},
    {"MXFP4", kQKMxfp4, static_cast<int>(sizeof(BlockMXFP4))},
    {"NVFP4", kQKNvfp4, static_cast<int>(sizeof(BlockNVFP4))},
    {"Q2_K", kQKK, static_cast<int>(sizeof(BlockQ2_K))},
    {"Q3_K", kQKK, static_cast<int>(sizeof(BlockQ3_K))},
    {"Q5_K", kQKK, static_cast<int>(sizeof(BlockQ5_K))},
};

int typeIndex(uint32_t id) {
  switch (static_cast<GgufType>(id)) {
  case GgufType::F32:
    return 0;
  case GgufType::F16:
    return 1;
  case GgufType::Q4_0:
    return 2;
  case GgufType::Q4_1:
    return 3;
  case GgufType::Q5_0:
    return 4;
  case GgufType::Q5_1:
    return 5;
  case GgufType::Q8_0:
    return 6;
  case GgufType::Q4_K:
    return 7;
  case GgufType::Q6_K:
    return 8;
  case GgufType::BF16:
    return 9;
  case GgufType::IQ4_NL:
    return 10;
  case GgufType::IQ4_XS:
    return 11;
  case GgufType::TQ1_0:
    return 12;
  case GgufType::TQ2_0:
    return 13;
  case GgufType::MXFP4:
    return 14;
  case GgufType::NVFP4:
    return 15;
  case GgufType::Q2_K:
    return 16;
  case GgufType::Q3_K:
    return 17;
  case GgufType::Q5_K:
    return 18;
  default: // the read-only types (gguf_type_table.cpp) have no row here
    break;
  }
  return -1;
}

int64_t blockCount(GgufType type, int64_t k) {
  const GgufTypeInfo& t = ggufTypeInfo(type);
  if (k < 0 || k % t.blockElements != 0)
    throw Error(std::string("GGUF ") + t.name + ": row length " + std::to_string(k) +
                " is not a multiple of the block size " + std::to_string(t.blockElements));
  return k / t.blockElements;
}

} // namespace

bool ggufTypeSupported(uint32_t typeId) {
  return typeIndex(typeId) >= 0;
}

const GgufTypeInfo& ggufTypeInfo(GgufType type) {
  const int i = typeIndex(static_cast<uint32_t>(type));
  if (i < 0 && ggufTypeReadOnly(static_cast<uint32_t>(type)))
    return *ggufTypeById(static_cast<uint32_t>(type));
  if (i < 0)
    throw Error(
        "unsupported GGUF tensor type " + std::to_string(static_cast<uint32_t>(type)) +
        " (supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, "
        "IQ4_XS, TQ1_0, TQ2_0, MXFP4, NVFP4)");
  return kTypes[i];
}

void ggufQuantizeRow(GgufType type, const float* x, uint8_t* blocks, int64_t k) {
  const int64_t nb = blockCount(type, k);
  if (nb == 0)
    return;
  switch (type) {
  case GgufType::F32:
    std::memcpy(blocks, x, static_cast<size_t>(k) * sizeof(float));
    return;
  case GgufType::F16:
    for (int64_t i = 0; i < k; ++i) {
      const uint16_t h = floatToHalfBits(x[i]);
      std::memcpy(blocks + 2 * i, &h, 2);
    }
    return;
  case GgufType::BF16:
    for (int64_t i = 0; i < k; ++i) {
      const uint16_t h = floatToBf16Bits(x[i]);
      std::memcpy(blocks + 2 * i, &h, 2);
    }
    return;
  case GgufType::Q4_0:
    return quantizeQ4_0(x, blocks, nb);
  case GgufType::Q4_1:
    return quantizeQ4_1(x, blocks, nb);
  case GgufType::Q5_0:
    return quantizeQ5_0(x, blocks, nb);
  case GgufType::Q5_1:
    return quantizeQ5_1(x, blocks, nb);
  case GgufType::Q8_0:
    return quantizeQ8_0(x, blocks, nb);
  case GgufType::Q4_K:
    return quantizeRowQ4K(x, blocks, k);
  case GgufType::Q6_K:
    return quantizeRowQ6K(x, blocks, k);
  // Read-only types.
  case GgufType::Q8_1:
  case GgufType::Q8_K:
  case GgufType::IQ2_XXS:
  case GgufType::IQ2_XS:
  case GgufType::IQ3_XXS:
  case GgufType::IQ1_S:
  case GgufType::IQ3_S:
  case GgufType::IQ2_S:
  case GgufType::I8:
  case GgufType::I16:
  case GgufType::I32:
  case GgufType::I64:
  case GgufType::F64:
  case GgufType::IQ1_M:
    throw Error(std::string("GGUF ") + ggufTypeInfo(type).name +
                " is read-only in QuantScope: it is dequantized, never quantized");
  case GgufType::IQ4_NL:
    return quantizeRowIQ4NL(x, blocks, k, nullptr, 7);
  case GgufType::IQ4_XS:
    return quantizeRowIQ4XS(x, blocks, k, nullptr);
  case GgufType::TQ1_0:
    return quantizeRowTQ1_0(x, blocks, k);
  case GgufType::TQ2_0:
    return quantizeRowTQ2_0(x, blocks, k);
  case GgufType::MXFP4:
    return quantizeRowMXFP4(x, blocks, k);
  case GgufType::NVFP4:
    return quantizeRowNVFP4(x, blocks, k);
  case GgufType::Q2_K:
    return quantizeRowQ2K(x, blocks, k);
  case GgufType::Q3_K:
    return quantizeRowQ3K(x, blocks, k);
  case GgufType::Q5_K:
    return quantizeRowQ5K(x, blocks, k);
  }
}

void ggufQuantizeRowIQ4NLRef(const float* x, uint8_t* blocks, int64_t k) {
  blockCount(GgufType::IQ4_NL, k);
  quantizeRowIQ4NL(x, blocks, k, nullptr, -1);
}

void ggufDequantizeRow(GgufType type, const uint8_t* blocks, float* y, int64_t k) {
  const int64_t nb = blockCount(type, k);
  if (nb == 0)
    return;
  switch (type) {
  case GgufType::F32:
    std::memcpy(y, blocks, static_cast<size_t>(k) * sizeof(float));
    return;
  case GgufType::F16:
    for (int64_t i = 0; i < k; ++i) {
      uint16_t h;
      std::memcpy(&h, blocks + 2 * i, 2);
      y[i] = halfBitsToFloat(h);
    }
    return;
  case GgufType::BF16:
    for (int64_t i = 0; i < k; ++i) {
      uint16_t h;
      std::memcpy(&h, blocks + 2 * i, 2);
      y[i] = bf16BitsToFloat(h);
    }
    return;
  case GgufType::Q4_0:
    return dequantizeQ4_0(blocks, y, nb);
  case GgufType::Q4_1:
    return dequantizeQ4_1(blocks, y, nb);
  case GgufType::Q5_0:
    return dequantizeQ5_0(blocks, y, nb);
  case GgufType::Q5_1:
    return dequantizeQ5_1(blocks, y, nb);
  case GgufType::Q8_0:
    return dequantizeQ8_0(blocks, y, nb);
  case GgufType::Q4_K:
    return dequantizeRowQ4K(blocks, y, k);
  case GgufType::Q6_K:
    return dequantizeRowQ6K(blocks, y, k);
  // Read-only types (gguf_iq_dequant.cpp).
  case GgufType::Q8_1:
  case GgufType::Q8_K:
  case GgufType::IQ2_XXS:
  case GgufType::IQ2_XS:
  case GgufType::IQ3_XXS:
  case GgufType::IQ1_S:
  case GgufType::IQ3_S:
  case GgufType::IQ2_S:
  case GgufType::I8:
  case GgufType::I16:
  case GgufType::I32:
  case GgufType::I64:
  case GgufType::F64:
  case GgufType::IQ1_M:
    return dequantizeReadOnlyRow(type, blocks, y, k);
  case GgufType::IQ4_NL:
    return dequantizeRowIQ4NL(blocks, y, k);
  case GgufType::IQ4_XS:
    return dequantizeRowIQ4XS(blocks, y, k);
  case GgufType::TQ1_0:
    return dequantizeRowTQ1_0(blocks, y, k);
  case GgufType::TQ2_0:
    return dequantizeRowTQ2_0(blocks, y, k);
  case GgufType::MXFP4:
    return dequantizeRowMXFP4(blocks, y, k);
  case GgufType::NVFP4:
    return dequantizeRowNVFP4(blocks, y, k);
  case GgufType::Q2_K:
    return dequantizeRowQ2K(blocks, y, k);
  case GgufType::Q3_K:
    return dequantizeRowQ3K(blocks, y, k);
  case GgufType::Q5_K:
    return dequantizeRowQ5K(blocks, y, k);
  }
}

} // namespace qs
