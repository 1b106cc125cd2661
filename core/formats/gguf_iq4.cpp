// GGUF IQ4_NL and IQ4_XS: llama.cpp's quantize_row_iq4_nl_impl (ggml-quants.c)
// for 4-bit indices into the non-linear grid kvalues_iq4nl. Each block of 32
// gets the scale that minimises the weighted squared error over a sweep of
// 15 candidate scales (ntry = 7); IQ4_XS then stores the eight block scales
// as 6-bit multiples of one FP16 super-scale and re-picks every index with
// the rounded scale. Weights are x^2 without an importance matrix, and
// imatrix * sqrt(sigma2 + x^2) with one, sigma2 = 2 * mean(x^2) of the
// super-block. Every sum runs in the C source's order; no FMA contraction
// (-ffp-contract=off for the formats layer, core/CMakeLists.txt).

#include "core/formats/float_format.h"
#include "core/formats/gguf_detail.h"

#include <cmath>
#include <cstring>

namespace qs::detail {

namespace {

constexpr float kGroupMaxEps = 1e-15f;
constexpr int kBlock = 32;

// best_index_int8: the sorted grid's level whose midpoints bracket x; 2x
// against the (exact) sum of neighbours, ties to the upper level.
int bestIndexInt8(float x) {
  const float x2 = x + x;
  int idx = 0;
  for (int step = 8; step > 0; step >>= 1) {
    const int j = idx + step;
    idx = (x2 >= float(kIq4NlValues[j - 1] + kIq4NlValues[j])) ? j : idx;
  }
  return idx;
}

struct SuperBlockOut {
  uint16_t d = 0;
  uint16_t scalesH = 0;
  uint8_t scalesL[kQKK / 64] = {};
  uint8_t L[kQKK] = {};
};

// quantize_row_iq4_nl_impl with block_size 32 and the 16-level grid: the
// super-block is 32 (IQ4_NL) or 256 (IQ4_XS) values.
void quantizeSuperBlock(const float* x, int superBlock, const float* weights, int ntry, SuperBlockOut& out) {
  float sigma2 = 0;
  for (int j = 0; j < superBlock; ++j)
    sigma2 += x[j] * x[j];
  sigma2 *= 2.f / float(superBlock);

  out.d = floatToHalfBits(0.f);
  const int nb = superBlock / kBlock;
  float scales[kQKK / kBlock];
  float weight[kBlock];
  float maxScale = 0, amaxScale = 0;
  for (int ib = 0; ib < nb; ++ib) {
    const float* xb = x + ib * kBlock;
    uint8_t* Lb = out.L + ib * kBlock;
    if (weights) {
      const float* qw = weights + ib * kBlock;
      for (int j = 0; j < kBlock; ++j)
        weight[j] = qw[j] * std::sqrt(sigma2 + xb[j] * xb[j]);
    } else {
      for (int j = 0; j < kBlock; ++j)
        weight[j] = xb[j] * xb[j];
    }
    float amax = 0, max = 0;
    for (int j = 0; j < kBlock; ++j) {
      const float ax = std::fabs(xb[j]);
      if (ax > amax) {
        amax = ax;
        max = xb[j];
      }
    }
    if (amax < kGroupMaxEps) {
      scales[ib] = 0;
      std::memset(Lb, 0, kBlock);
      continue;
    }
    const float v0 = float(kIq4NlValues[0]);
    float d = ntry > 0 ? -max / v0 : max / v0;
    float id = 1 / d;
    float sumqx = 0, sumq2 = 0;
    for (int j = 0; j < kBlock; ++j) {
      const int l = bestIndexInt8(id * xb[j]);
      Lb[j] = uint8_t(l);
      const float q = float(kIq4NlValues[l]);
      const float w = weight[j];
      sumqx += w * q * xb[j];
      sumq2 += w * q * q;
    }
    d = sumq2 > 0 ? sumqx / sumq2 : 0.f;
    float best = d * sumqx;
    for (int itry = -ntry; itry <= ntry; ++itry) {
      id = float(itry + kIq4NlValues[0]) / max;
      sumqx = sumq2 = 0;
      for (int j = 0; j < kBlock; ++j) {
        const float q = float(kIq4NlValues[bestIndexInt8(id * xb[j])]);
        const float w = weight[j];
        sumqx += w * q * xb[j];
        sumq2 += w * q * q;
      }
      if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
        d = sumqx / sumq2;
        best = d * sumqx;
      }
    }
    scales[ib] = d;
    const float absD = std::fabs(d);
    if (absD > amaxScale) {
      amaxScale = absD;
      maxScale = d;
    }
  }

  if (nb > 1) {
    // The sub-block scales as 6-bit multiples l - 32 of d; the indices are
    // picked again with d * l (d before its FP16 rounding, as in the C code).
    out.scalesH = 0;
    const float d = -maxScale / 32;
    out.d = floatToHalfBits(d);
    const float id = d != 0.f ? 1 / d : 0.f;
    for (int ib = 0; ib < nb; ++ib) {
      int l = nearestInt(id * scales[ib]);
      l = l < -32 ? -32 : l > 31 ? 31 : l;
      const float dl = d * float(l);
      const float idl = dl != 0.f ? 1 / dl : 0.f;
      uint8_t* Lb = out.L + ib * kBlock;
      const float* xb = x + ib * kBlock;
      for (int j = 0; j < kBlock; ++j)
        Lb[j] = uint8_t(bestIndexInt8(idl * xb[j]));
      l += 32;
      const uint8_t lLow = uint8_t(l & 0xF), lHigh = uint8_t(l >> 4);
      if (ib % 2 == 0)
        out.scalesL[ib / 2] = lLow;
      else
        out.scalesL[ib / 2] = uint8_t(out.scalesL[ib / 2] | (lLow << 4));
      out.scalesH = uint16_t(out.scalesH | (lHigh << 2 * (ib % 8)));
    }
  } else {
    out.d = floatToHalfBits(scales[0]);
    if (ntry > 0) {
      const float id = scales[0] != 0.f ? 1 / scales[0] : 0.f;
      for (int j = 0; j < superBlock; ++j)
        out.L[j] = uint8_t(bestIndexInt8(id * x[j]));
    }
  }
}

// Index j and j + 16 of each 32 share a byte (low, high nibble).
void packNibbles(const uint8_t* L, int n, uint8_t* qs) {
  for (int i = 0; i < n / 32; ++i)
    for (int j = 0; j < 16; ++j)
      qs[16 * i + j] = uint8_t(L[32 * i + j] | (L[32 * i + 16 + j] << 4));
}

template <class Block> Block load(const uint8_t* p) {
  Block b;
  std::memcpy(&b, p, sizeof b);
  return b;
}

void unpackNibbles(const uint8_t* qs, int n, int32_t* codes) {
  for (int i = 0; i < n / 32; ++i)
    for (int j = 0; j < 16; ++j) {
      codes[32 * i + j] = qs[16 * i + j] & 0xF;
      codes[32 * i + 16 + j] = qs[16 * i + j] >> 4;
    }
}

// The 6-bit scale (0..63, stored with +32) of sub-block ib.
int iq4xsScale(const BlockIQ4XS& b, int ib) {
  return ((b.scalesL[ib / 2] >> 4 * (ib % 2)) & 0xF) | (((b.scalesH >> 2 * ib) & 3) << 4);
}

} // namespace

void quantizeRowIQ4NL(const float* x, uint8_t* blocks, int64_t k, const float* weights, int ntry) {
  SuperBlockOut out;
  for (int64_t i = 0; i < k / kQK4NL; ++i) {
    quantizeSuperBlock(x + i * kQK4NL, kQK4NL, weights ? weights + i * kQK4NL : nullptr, ntry, out);
    BlockIQ4NL b;
    b.d = out.d;
    packNibbles(out.L, kQK4NL, b.qs);
    std::memcpy(blocks + i * int64_t(sizeof b), &b, sizeof b);
  }
}

void quantizeRowIQ4XS(const float* x, uint8_t* blocks, int64_t k, const float* weights) {
  SuperBlockOut out;
  for (int64_t i = 0; i < k / kQKK; ++i) {
    quantizeSuperBlock(x + i * kQKK, kQKK, weights ? weights + i * kQKK : nullptr, 7, out);
    BlockIQ4XS b;
    b.d = out.d;
    b.scalesH = out.scalesH;
    std::memcpy(b.scalesL, out.scalesL, sizeof b.scalesL);
    packNibbles(out.L, kQKK, b.qs);
    std::memcpy(blocks + i * int64_t(sizeof b), &b, sizeof b);
  }
}

void dequantizeRowIQ4NL(const uint8_t* blocks, float* y, int64_t k) {
  for (int64_t i = 0; i < k / kQK4NL; ++i, y += kQK4NL) {
    const auto b = load<BlockIQ4NL>(blocks + i * int64_t(sizeof(BlockIQ4NL)));
    const float d = halfBitsToFloat(b.d);
    for (int j = 0; j < kQK4NL / 2; ++j) {
      y[j] = d * float(kIq4NlValues[b.qs[j] & 0xF]);
      y[j + kQK4NL / 2] = d * float(kIq4NlValues[b.qs[j] >> 4]);
    }
  }
}

void dequantizeRowIQ4XS(const uint8_t* blocks, float* y, int64_t k) {
  for (int64_t i = 0; i < k / kQKK; ++i) {
    const auto b = load<BlockIQ4XS>(blocks + i * int64_t(sizeof(BlockIQ4XS)));
    const float d = halfBitsToFloat(b.d);
    const uint8_t* qs = b.qs;
    for (int ib = 0; ib < kQKK / 32; ++ib, y += 32, qs += 16) {
      const float dl = d * float(iq4xsScale(b, ib) - 32);
      for (int j = 0; j < 16; ++j) {
        y[j] = dl * float(kIq4NlValues[qs[j] & 0xF]);
        y[j + 16] = dl * float(kIq4NlValues[qs[j] >> 4]);
      }
    }
  }
}

float unpackIQ4NL(const uint8_t* block, int32_t* codes) {
  const auto b = load<BlockIQ4NL>(block);
  if (codes)
    unpackNibbles(b.qs, kQK4NL, codes);
  return halfBitsToFloat(b.d);
}

float unpackIQ4XS(const uint8_t* block, int32_t* codes) {
  const auto b = load<BlockIQ4XS>(block);
  if (codes)
    unpackNibbles(b.qs, kQKK, codes);
  return halfBitsToFloat(b.d);
}

} // namespace qs::detail
