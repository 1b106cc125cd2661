// GGUF k-quants Q2_K, Q3_K and Q5_K: quantize_row_*_ref and dequantize_row_*
// as in llama.cpp's ggml-quants.c (block layouts: gguf_detail.h), so that
// the blocks are the ones llama-quantize writes without an importance
// matrix. Plain C expressions in float, no contraction (core/CMakeLists.txt).
#include "core/formats/float_format.h"
#include "core/formats/gguf_fit.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace qs::detail {

namespace {

// The signed 6-bit scale j (0..15) of a Q3_K block, -32..31.
int q3Scale(const uint8_t* scales, int j) {
  const int low = j < 8 ? scales[j] & 0xF : scales[j - 8] >> 4;
  return (low | (((scales[8 + j % 4] >> (2 * (j / 4))) & 3) << 4)) - 32;
}

} // namespace

// 2-bit codes of 256 values: byte j/4 + l of each 128-value half holds
// values l, l + 32, l + 64, l + 96 in bit pairs 0..3.
void packTwoBits(const uint8_t* L, uint8_t* qs) {
  for (int j = 0; j < kQKK; j += 128)
    for (int l = 0; l < 32; ++l)
      qs[j / 4 + l] =
          static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
}

// ---- Q2_K: x = d·s·q - dmin·m per 16 values, q in 0..3, s and m 4 bits.

void quantizeRowQ2K(const float* x, uint8_t* blocks, int64_t k) {
  const int64_t nb = k / kQKK;
  uint8_t L[kQKK], Laux[16];
  float weights[16], mins[kQKK / 16], scales[kQKK / 16];
  const float q4scale = 15.0f;
  for (int64_t i = 0; i < nb; ++i, x += kQKK) {
    BlockQ2_K y{};
    float maxScale = 0, maxMin = 0; // the min is subtracted: scales are never negative
    for (int j = 0; j < kQKK / 16; ++j) {
      for (int l = 0; l < 16; ++l)
        weights[l] = std::fabs(x[16 * j + l]);
      scales[j] =
          makeQkx2Quants(16, 3, x + 16 * j, weights, L + 16 * j, &mins[j], Laux, -0.5f, 0.1f, 15, true);
      if (scales[j] > maxScale)
        maxScale = scales[j];
      if (mins[j] > maxMin)
        maxMin = mins[j];
    }
    if (maxScale > 0) {
      const float iscale = q4scale / maxScale;
      for (int j = 0; j < kQKK / 16; ++j)
        y.scales[j] = static_cast<uint8_t>(nearestInt(iscale * scales[j]));
      y.d = floatToHalfBits(maxScale / q4scale);
    } else {
      y.d = floatToHalfBits(0.0f);
    }
    if (maxMin > 0) {
      const float iscale = q4scale / maxMin;
      for (int j = 0; j < kQKK / 16; ++j)
        y.scales[j] = static_cast<uint8_t>(y.scales[j] | (nearestInt(iscale * mins[j]) << 4));
      y.dmin = floatToHalfBits(maxMin / q4scale);
    } else {
      y.dmin = floatToHalfBits(0.0f);
    }
    for (int j = 0; j < kQKK / 16; ++j) {
      const float d = halfBitsToFloat(y.d) * (y.scales[j] & 0xF);
      if (!d)
        continue;
      const float dm = halfBitsToFloat(y.dmin) * (y.scales[j] >> 4);
      for (int ii = 0; ii < 16; ++ii) {
        const int l = nearestInt((x[16 * j + ii] + dm) / d);
        L[16 * j + ii] = static_cast<uint8_t>(std::max(0, std::min(3, l)));
      }
    }
    packTwoBits(L, y.qs);
    std::memcpy(blocks + i * sizeof y, &y, sizeof y);
  }
}

void dequantizeRowQ2K(const uint8_t* blocks, float* y, int64_t k) {
  const int64_t nb = k / kQKK;
  for (int64_t i = 0; i < nb; ++i) {
    BlockQ2_K b;
    std::memcpy(&b, blocks + i * sizeof b, sizeof b);
    const float d = halfBitsToFloat(b.d);
    const float min = halfBitsToFloat(b.dmin);
    const uint8_t* q = b.qs;
    int is = 0;
    for (int n = 0; n < kQKK; n += 128, q += 32) {
      for (int shift = 0; shift < 8; shift += 2) {
        for (int half = 0; half < 2; ++half) { // q[0..15], then q[16..31]
          const uint8_t sc = b.scales[is++];
          const float dl = d * (sc & 0xF), ml = min * (sc >> 4);
          for (int l = 0; l < 16; ++l)
            *y++ = dl * ((q[l + 16 * half] >> shift) & 3) - ml;
        }
      }
    }
  }
}

// ---- Q3_K: x = d·s·q per 16 values, q in -4..3, s 6 bits signed.

// The codes L (0..7) of a Q3_K block into its hmask and qs.
void packQ3(uint8_t* L, BlockQ3_K& y) {
  std::memset(y.hmask, 0, sizeof y.hmask);
  int m = 0; // the high bit of value j goes to bit j / 32 of byte j % 32
  uint8_t hm = 1;
  for (int j = 0; j < kQKK; ++j) {
    if (L[j] > 3) {
      y.hmask[m] |= hm;
      L[j] = static_cast<uint8_t>(L[j] - 4);
    }
    if (++m == kQKK / 8) {
      m = 0;
      hm = static_cast<uint8_t>(hm << 1);
    }
  }
  packTwoBits(L, y.qs);
}

// Codes from the stored scales: l = nearest(x / (d·s)) in -4..3; groups
// whose scale is 0 keep the codes of their fit.
void requantizeQ3(const float* x, const BlockQ3_K& y, uint8_t* L) {
  for (int j = 0; j < kQKK / 16; ++j) {
    const float d = halfBitsToFloat(y.d) * q3Scale(y.scales, j);
    if (!d)
      continue;
    for (int ii = 0; ii < 16; ++ii) {
      const int l = nearestInt(x[16 * j + ii] / d);
      L[16 * j + ii] = static_cast<uint8_t>(std::max(-4, std::min(3, l)) + 4);
    }
  }
}

// Scale j's 6-bit code into the 12 scale bytes: low nibbles in bytes 0..7,
// the 2 high bits in bytes 8..11.
void storeQ3Scale(uint8_t* scales, int j, int l) {
  if (j < 8)
    scales[j] = static_cast<uint8_t>(l & 0xF);
  else
    scales[j - 8] = static_cast<uint8_t>(scales[j - 8] | ((l & 0xF) << 4));
  l >>= 4;
  scales[j % 4 + 8] = static_cast<uint8_t>(scales[j % 4 + 8] | (l << (2 * (j / 4))));
}

void quantizeRowQ3K(const float* x, uint8_t* blocks, int64_t k) {
  const int64_t nb = k / kQKK;
  int8_t L[kQKK];
  float scales[kQKK / 16];
  for (int64_t i = 0; i < nb; ++i, x += kQKK) {
    BlockQ3_K y{};
    float maxScale = 0, amax = 0;
    for (int j = 0; j < kQKK / 16; ++j) {
      scales[j] = makeQ3Quants(16, 4, x + 16 * j, L + 16 * j, true);
      const float scale = std::fabs(scales[j]);
      if (scale > amax) {
        amax = scale;
        maxScale = scales[j];
      }
    }
    if (maxScale != 0.0f) {
      const float iscale = -32.0f / maxScale;
      for (int j = 0; j < kQKK / 16; ++j) {
        const int8_t l = static_cast<int8_t>(nearestInt(iscale * scales[j]));
        storeQ3Scale(y.scales, j, std::max(-32, std::min(31, int(l))) + 32);
      }
      y.d = floatToHalfBits(1 / iscale);
    } else {
      y.d = floatToHalfBits(0.0f);
    }
    uint8_t* codes = reinterpret_cast<uint8_t*>(L); // 0..7 from here on
    requantizeQ3(x, y, codes);
    packQ3(codes, y);
    std::memcpy(blocks + i * sizeof y, &y, sizeof y);
  }
}

void dequantizeRowQ3K(const uint8_t* blocks, float* y, int64_t k) {
  const int64_t nb = k / kQKK;
  for (int64_t i = 0; i < nb; ++i) {
    BlockQ3_K b;
    std::memcpy(&b, blocks + i * sizeof b, sizeof b);
    const float dAll = halfBitsToFloat(b.d);
    const uint8_t* q = b.qs;
    uint8_t m = 1;
    int is = 0;
    for (int n = 0; n < kQKK; n += 128, q += 32) {
      for (int shift = 0; shift < 8; shift += 2, m = static_cast<uint8_t>(m << 1)) {
        for (int half = 0; half < 2; ++half) {
          const float dl = dAll * q3Scale(b.scales, is++);
          for (int l = 0; l < 16; ++l) {
            const int at = l + 16 * half;
            *y++ = dl * (((q[at] >> shift) & 3) - ((b.hmask[at] & m) ? 0 : 4));
          }
        }
      }
    }
  }
}

// ---- Q5_K: as Q4_K with 5-bit codes (the 5th bits in qh).

// Codes L (0..31) into qs (low nibbles, two 32-value groups per 32 bytes)
// and qh (bit pairs per 64 values).
void packQ5K(const uint8_t* L, BlockQ5_K& y) {
  std::memset(y.qh, 0, sizeof y.qh);
  uint8_t* ql = y.qs;
  uint8_t m1 = 1, m2 = 2;
  for (int n = 0; n < kQKK; n += 64, ql += 32) {
    for (int j = 0; j < 32; ++j) {
      int l1 = L[n + j];
      if (l1 > 15) {
        l1 -= 16;
        y.qh[j] |= m1;
      }
      int l2 = L[n + j + 32];
      if (l2 > 15) {
        l2 -= 16;
        y.qh[j] |= m2;
      }
      ql[j] = static_cast<uint8_t>(l1 | (l2 << 4));
    }
    m1 = static_cast<uint8_t>(m1 << 2);
    m2 = static_cast<uint8_t>(m2 << 2);
  }
}

// The 6-bit scale and min codes of the 8 sub-blocks into the 12 bytes
// (the Q4_K/Q5_K packing that scaleMinK4 reads).
void storeScaleMinK4(uint8_t* scales, int j, uint8_t ls, uint8_t lm) {
  if (j < 4) {
    scales[j] = ls;
    scales[j + 4] = lm;
  } else {
    scales[j + 4] = static_cast<uint8_t>((ls & 0xF) | ((lm & 0xF) << 4));
    scales[j - 4] = static_cast<uint8_t>(scales[j - 4] | ((ls >> 4) << 6));
    scales[j] = static_cast<uint8_t>(scales[j] | ((lm >> 4) << 6));
  }
}

void quantizeRowQ5K(const float* x, uint8_t* blocks, int64_t k) {
  const int64_t nb = k / kQKK;
  uint8_t L[kQKK];
  for (int64_t i = 0; i < nb; ++i, x += kQKK) {
    BlockQ5_K y{};
    fitScaleMinK4Ref(x, 31, -0.5f, 15, L, y);
    requantizeScaleMinK4(x, y.scales, y.d, y.dmin, 31, L);
    packQ5K(L, y);
    std::memcpy(blocks + i * sizeof y, &y, sizeof y);
  }
}

void dequantizeRowQ5K(const uint8_t* blocks, float* y, int64_t k) {
  const int64_t nb = k / kQKK;
  for (int64_t i = 0; i < nb; ++i) {
    BlockQ5_K b;
    std::memcpy(&b, blocks + i * sizeof b, sizeof b);
    const float d = halfBitsToFloat(b.d);
    const float min = halfBitsToFloat(b.dmin);
    const uint8_t* ql = b.qs;
    int is = 0;
    uint8_t u1 = 1, u2 = 2;
    for (int j = 0; j < kQKK; j += 64, ql += 32, is += 2) {
      uint8_t sc, m;
      scaleMinK4(is, b.scales, sc, m);
      const float d1 = d * sc, m1 = min * m;
      scaleMinK4(is + 1, b.scales, sc, m);
      const float d2 = d * sc, m2 = min * m;
      for (int l = 0; l < 32; ++l)
        *y++ = d1 * ((ql[l] & 0xF) + (b.qh[l] & u1 ? 16 : 0)) - m1;
      for (int l = 0; l < 32; ++l)
        *y++ = d2 * ((ql[l] >> 4) + (b.qh[l] & u2 ? 16 : 0)) - m2;
      u1 = static_cast<uint8_t>(u1 << 2);
      u2 = static_cast<uint8_t>(u2 << 2);
    }
  }
}

} // namespace qs::detail
