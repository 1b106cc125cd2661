// The read-only GGUF types, dequantized exactly as llama.cpp's
// dequantize_row_* (ggml/src/ggml-quants.c): the i-quants IQ1_S, IQ1_M,
// IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, the dot-product types Q8_1 and Q8_K,
// and the plain F64, I8, I16, I32, I64 (each value converted to the nearest
// float). Every product keeps llama.cpp's order of float operations, so the
// results agree to the bit. Blocks are read with memcpy (no alignment needed);
// every index into a grid is masked to the grid's size by construction.

#include "core/error.h"
#include "core/formats/float_format.h"
#include "core/formats/gguf_iq_detail.h"

#include <cstring>
#include <string>

namespace qs::detail {

namespace {

constexpr int kQK = 32;
constexpr int kQKK = 256;

uint16_t loadU16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

uint32_t loadU32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Byte j of a packed grid entry (llama.cpp reads it through a byte pointer).
uint8_t gridByte(uint64_t entry, int j) {
  return static_cast<uint8_t>(entry >> (8 * j));
}

float signOf(uint8_t signs, int j) {
  return (signs & kMaskIq2xs[j]) ? -1.f : 1.f;
}

// IQ2_XXS: per 32 values, 4 grid indices (bytes) and a uint32 of four 7-bit
// sign indices plus a 4-bit scale.
void dequantizeIq2xxs(const uint8_t* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kIq2xxsBytes) {
    const float d = halfBitsToFloat(loadU16(x));
    for (int ib32 = 0; ib32 < kQKK / 32; ++ib32) {
      const uint8_t* q = x + 2 + 8 * ib32;
      const uint32_t aux1 = loadU32(q + 4);
      const float db = d * (0.5f + static_cast<float>(aux1 >> 28)) * 0.25f;
      for (int l = 0; l < 4; ++l) {
        const uint64_t grid = kIq2xxsGrid[q[l]];
        const uint8_t signs = kSignsIq2xs[(aux1 >> 7 * l) & 127];
        for (int j = 0; j < 8; ++j)
          y[j] = db * static_cast<float>(gridByte(grid, j)) * signOf(signs, j);
        y += 8;
      }
    }
  }
}

// IQ2_XS: uint16 per 8 values (9-bit grid index, 7-bit sign index), a 4-bit
// scale per 16 values.
void dequantizeIq2xs(const uint8_t* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kIq2xsBytes) {
    const float d = halfBitsToFloat(loadU16(x));
    const uint8_t* qs = x + 2;
    const uint8_t* scales = x + 2 + 64;
    for (int ib32 = 0; ib32 < kQKK / 32; ++ib32) {
      const float db[2] = {d * (0.5f + static_cast<float>(scales[ib32] & 0xf)) * 0.25f,
                           d * (0.5f + static_cast<float>(scales[ib32] >> 4)) * 0.25f};
      for (int l = 0; l < 4; ++l) {
        const uint16_t q = loadU16(qs + 2 * (4 * ib32 + l));
        const uint64_t grid = kIq2xsGrid[q & 511];
        const uint8_t signs = kSignsIq2xs[q >> 9];
        for (int j = 0; j < 8; ++j)
          y[j] = db[l / 2] * static_cast<float>(gridByte(grid, j)) * signOf(signs, j);
        y += 8;
      }
    }
  }
}

// IQ2_S: 10-bit grid indices (8 low bits in qs, 2 high in qh), explicit sign
// bytes, a 4-bit scale per 16 values.
void dequantizeIq2s(const uint8_t* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kIq2sBytes) {
    const float d = halfBitsToFloat(loadU16(x));
    const uint8_t* qs = x + 2;
    const uint8_t* signs = qs + kQKK / 8;
    const uint8_t* qh = x + 2 + 64;
    const uint8_t* scales = x + 2 + 64 + 8;
    for (int ib32 = 0; ib32 < kQKK / 32; ++ib32) {
      const float db[2] = {d * (0.5f + static_cast<float>(scales[ib32] & 0xf)) * 0.25f,
                           d * (0.5f + static_cast<float>(scales[ib32] >> 4)) * 0.25f};
      for (int l = 0; l < 4; ++l) {
        const float dl = db[l / 2];
        const uint64_t grid = kIq2sGrid[qs[l] | ((qh[ib32] << (8 - 2 * l)) & 0x300)];
        for (int j = 0; j < 8; ++j)
          y[j] = dl * static_cast<float>(gridByte(grid, j)) * signOf(signs[l], j);
        y += 8;
      }
      qs += 4;
      signs += 4;
    }
  }
}

// IQ3_XXS: two 4-value grid entries per 8 values, a uint32 per 32 values of
// four 7-bit sign indices and a 4-bit scale.
void dequantizeIq3xxs(const uint8_t* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kIq3xxsBytes) {
    const float d = halfBitsToFloat(loadU16(x));
    const uint8_t* qs = x + 2;
    const uint8_t* scalesAndSigns = qs + kQKK / 4;
    for (int ib32 = 0; ib32 < kQKK / 32; ++ib32) {
      const uint32_t aux = loadU32(scalesAndSigns + 4 * ib32);
      const float db = d * (0.5f + static_cast<float>(aux >> 28)) * 0.5f;
      for (int l = 0; l < 4; ++l) {
        const uint8_t signs = kSignsIq2xs[(aux >> 7 * l) & 127];
        const uint32_t grid1 = kIq3xxsGrid[qs[2 * l + 0]];
        const uint32_t grid2 = kIq3xxsGrid[qs[2 * l + 1]];
        for (int j = 0; j < 4; ++j) {
          y[j + 0] = db * static_cast<float>(gridByte(grid1, j)) * signOf(signs, j + 0);
          y[j + 4] = db * static_cast<float>(gridByte(grid2, j)) * signOf(signs, j + 4);
        }
        y += 8;
      }
      qs += 8;
    }
  }
}

// IQ3_S: 9-bit indices into a 4-value grid (high bits in qh), explicit signs,
// a 4-bit odd scale (1 + 2s) per 32 values.
void dequantizeIq3s(const uint8_t* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kIq3sBytes) {
    const float d = halfBitsToFloat(loadU16(x));
    const uint8_t* qs = x + 2;
    const uint8_t* qh = x + 2 + 64;
    const uint8_t* signs = x + 2 + 64 + 8;
    const uint8_t* scales = x + 2 + 64 + 8 + 32;
    for (int ib32 = 0; ib32 < kQKK / 32; ib32 += 2) {
      const float db[2] = {d * static_cast<float>(1 + 2 * (scales[ib32 / 2] & 0xf)),
                           d * static_cast<float>(1 + 2 * (scales[ib32 / 2] >> 4))};
      for (int half = 0; half < 2; ++half) {
        for (int l = 0; l < 4; ++l) {
          const uint32_t grid1 = kIq3sGrid[qs[2 * l + 0] | ((qh[half] << (8 - 2 * l)) & 256)];
          const uint32_t grid2 = kIq3sGrid[qs[2 * l + 1] | ((qh[half] << (7 - 2 * l)) & 256)];
          for (int j = 0; j < 4; ++j) {
            y[j + 0] = db[half] * static_cast<float>(gridByte(grid1, j)) * signOf(signs[l], j + 0);
            y[j + 4] = db[half] * static_cast<float>(gridByte(grid2, j)) * signOf(signs[l], j + 4);
          }
          y += 8;
        }
        qs += 8;
        signs += 4;
      }
      qh += 2;
    }
  }
}

// IQ1_S: 11-bit indices into a grid of -1/0/+1, a 3-bit odd scale and the
// sign of a +-1/8 shift per 32 values.
void dequantizeIq1s(const uint8_t* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kIq1sBytes) {
    const float d = halfBitsToFloat(loadU16(x));
    const uint8_t* qs = x + 2;
    const uint8_t* qhBytes = x + 2 + 32;
    for (int ib = 0; ib < kQKK / 32; ++ib) {
      const uint16_t qh = loadU16(qhBytes + 2 * ib);
      const float dl = d * static_cast<float>(2 * ((qh >> 12) & 7) + 1);
      const float delta = (qh & 0x8000) ? -kIq1sDelta : kIq1sDelta;
      for (int l = 0; l < 4; ++l) {
        const uint64_t grid = kIq1sGrid[qs[l] | (((qh >> 3 * l) & 7) << 8)];
        for (int j = 0; j < 8; ++j)
          y[j] = dl * (static_cast<float>(static_cast<int8_t>(gridByte(grid, j))) + delta);
        y += 8;
      }
      qs += 4;
    }
  }
}

// IQ1_M: as IQ1_S with a shift sign per 8 values, 3-bit scales per 16 values
// and the fp16 super-block scale spread over the scales' top nibbles.
void dequantizeIq1m(const uint8_t* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kIq1mBytes) {
    const uint8_t* qs = x;
    const uint8_t* qh = x + 32;
    uint16_t sc[4];
    for (int s = 0; s < 4; ++s)
      sc[s] = loadU16(x + 48 + 2 * s);
    const uint16_t scaleBits = static_cast<uint16_t>((sc[0] >> 12) | ((sc[1] >> 8) & 0x00f0) |
                                                     ((sc[2] >> 4) & 0x0f00) | (sc[3] & 0xf000));
    const float d = halfBitsToFloat(scaleBits);
    for (int ib = 0; ib < kQKK / 32; ++ib) {
      const float dl1 = d * static_cast<float>(2 * ((sc[ib / 2] >> (6 * (ib % 2) + 0)) & 0x7) + 1);
      const float dl2 = d * static_cast<float>(2 * ((sc[ib / 2] >> (6 * (ib % 2) + 3)) & 0x7) + 1);
      const int idx[4] = {qs[0] | ((qh[0] << 8) & 0x700), qs[1] | ((qh[0] << 4) & 0x700),
                          qs[2] | ((qh[1] << 8) & 0x700), qs[3] | ((qh[1] << 4) & 0x700)};
      const float delta[4] = {
          (qh[0] & 0x08) ? -kIq1sDelta : kIq1sDelta, (qh[0] & 0x80) ? -kIq1sDelta : kIq1sDelta,
          (qh[1] & 0x08) ? -kIq1sDelta : kIq1sDelta, (qh[1] & 0x80) ? -kIq1sDelta : kIq1sDelta};
      for (int l = 0; l < 4; ++l) {
        const float dl = l < 2 ? dl1 : dl2;
        const uint64_t grid = kIq1sGrid[idx[l]];
        for (int j = 0; j < 8; ++j)
          y[j] = dl * (static_cast<float>(static_cast<int8_t>(gridByte(grid, j))) + delta[l]);
        y += 8;
      }
      qs += 4;
      qh += 2;
    }
  }
}

// Q8_1: d * q as Q8_0 (llama.cpp has no dequantize_row_q8_1: the block only
// feeds dot products; s = d * sum(q) is redundant and not read).
void dequantizeQ8_1(const uint8_t* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQ8_1Bytes, y += kQK) {
    const float d = halfBitsToFloat(loadU16(x));
    for (int j = 0; j < kQK; ++j)
      y[j] = static_cast<float>(static_cast<int8_t>(x[4 + j])) * d;
  }
}

// Q8_K: a float32 d and 256 int8 (dequantize_row_q8_K: d * q); bsums unused.
void dequantizeQ8_K(const uint8_t* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQ8_KBytes, y += kQKK) {
    float d;
    std::memcpy(&d, x, sizeof d);
    for (int j = 0; j < kQKK; ++j)
      y[j] = d * static_cast<float>(static_cast<int8_t>(x[4 + j]));
  }
}

template <class T> void convertPlain(const uint8_t* x, float* y, int64_t k) {
  for (int64_t i = 0; i < k; ++i) {
    T v;
    std::memcpy(&v, x + i * int64_t(sizeof v), sizeof v);
    y[i] = static_cast<float>(v);
  }
}

} // namespace

void dequantizeReadOnlyRow(GgufType type, const uint8_t* blocks, float* y, int64_t k) {
  const int64_t nb = k / kQKK;
  switch (type) {
  case GgufType::IQ2_XXS:
    return dequantizeIq2xxs(blocks, y, nb);
  case GgufType::IQ2_XS:
    return dequantizeIq2xs(blocks, y, nb);
  case GgufType::IQ2_S:
    return dequantizeIq2s(blocks, y, nb);
  case GgufType::IQ3_XXS:
    return dequantizeIq3xxs(blocks, y, nb);
  case GgufType::IQ3_S:
    return dequantizeIq3s(blocks, y, nb);
  case GgufType::IQ1_S:
    return dequantizeIq1s(blocks, y, nb);
  case GgufType::IQ1_M:
    return dequantizeIq1m(blocks, y, nb);
  case GgufType::Q8_K:
    return dequantizeQ8_K(blocks, y, nb);
  case GgufType::Q8_1:
    return dequantizeQ8_1(blocks, y, k / kQK);
  case GgufType::F64:
    return convertPlain<double>(blocks, y, k);
  case GgufType::I8:
    return convertPlain<int8_t>(blocks, y, k);
  case GgufType::I16:
    return convertPlain<int16_t>(blocks, y, k);
  case GgufType::I32:
    return convertPlain<int32_t>(blocks, y, k);
  case GgufType::I64:
    return convertPlain<int64_t>(blocks, y, k);
  default:
    throw Error("GGUF type " + ggufTypeName(static_cast<uint32_t>(type)) + " is not a read-only type");
  }
}

} // namespace qs::detail
