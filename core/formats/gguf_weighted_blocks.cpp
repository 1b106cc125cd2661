// llama.cpp's weighted quantizers (quantize_row_*_impl in ggml-quants.c),
// one block at a time: what llama-quantize runs when it is given an
// importance matrix. Each value's fit weight is qw · sqrt(sigma2 + x²) (Q6_K:
// qw itself), where sigma2 is the mean square of the block's row (legacy
// types), of the super-block (Q2_K), or twice it (Q3_K, Q4_K, Q5_K). The
// sub-block scales (and mins) of the k-quants are then fitted under the
// summed weights of their sub-blocks (make_qx_quants / make_qp_quants).
#include "core/formats/float_format.h"
#include "core/formats/gguf_fit.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace qs::detail {

namespace {

void storeHalf(uint8_t* p, float v) {
  const uint16_t h = floatToHalfBits(v);
  std::memcpy(p, &h, 2);
}

// Legacy 32-value blocks: weight[j] = qw[j] · sqrt(sigma2 + x[j]²).
void legacyWeights(const float* x, const float* qw, float sigma2, float* weight) {
  for (int j = 0; j < kQK; ++j)
    weight[j] = qw[j] * std::sqrt(sigma2 + x[j] * x[j]);
}

// 32 codes (0..31) into 16 low-nibble bytes and the 32 fifth bits.
void packFiveBits(const uint8_t* L, uint8_t* qhBytes, uint8_t* qs) {
  uint32_t qh = 0;
  for (int j = 0; j < 16; ++j) {
    qs[j] = static_cast<uint8_t>((L[j] & 0x0F) | ((L[j + 16] & 0x0F) << 4));
    qh |= ((L[j] & 0x10u) >> 4) << j;
    qh |= ((L[j + 16] & 0x10u) >> 4) << (j + kQK / 2);
  }
  std::memcpy(qhBytes, &qh, 4);
}

float superBlockSumX2(const float* x) {
  float sumX2 = 0;
  for (int j = 0; j < kQKK; ++j)
    sumX2 += x[j] * x[j];
  return sumX2;
}

// Q4_K / Q5_K: scales and mins of 8 sub-blocks of 32 from make_qkx3_quants,
// then make_qp_quants of both under the sub-blocks' summed weights. Q5_K
// clamps the 6-bit codes to 63, Q4_K stores them as they come.
template <class Block>
void fitScaleMinK4(const float* x, const float* qw, int nmax, bool clamp63, uint8_t* L, Block& y) {
  uint8_t Laux[32], Ls[kQKK / 32], Lm[kQKK / 32];
  float weights[32], sw[kQKK / 32], mins[kQKK / 32], scales[kQKK / 32];
  const float sigma2 = 2 * superBlockSumX2(x) / kQKK;
  for (int j = 0; j < kQKK / 32; ++j) {
    for (int l = 0; l < 32; ++l)
      weights[l] = qw[32 * j + l] * std::sqrt(sigma2 + x[32 * j + l] * x[32 * j + l]);
    float sumw = 0;
    for (int l = 0; l < 32; ++l)
      sumw += weights[l];
    sw[j] = sumw;
    scales[j] =
        makeQkx3Quants(32, nmax, x + 32 * j, weights, L + 32 * j, &mins[j], Laux, -0.9f, 0.05f, 36, false);
  }
  const float dBlock = makeQpQuants(kQKK / 32, 63, scales, Ls, sw);
  const float mBlock = makeQpQuants(kQKK / 32, 63, mins, Lm, sw);
  for (int j = 0; j < kQKK / 32; ++j)
    storeScaleMinK4(y.scales, j, clamp63 ? std::min<uint8_t>(63, Ls[j]) : Ls[j],
                    clamp63 ? std::min<uint8_t>(63, Lm[j]) : Lm[j]);
  y.d = floatToHalfBits(dBlock);
  y.dmin = floatToHalfBits(mBlock);
}

} // namespace

void quantizeBlockQ4_0Weighted(const float* x, uint8_t* block, const float* qw, float rowSigma2) {
  float weight[kQK];
  int8_t L[kQK];
  legacyWeights(x, qw, rowSigma2, weight);
  storeHalf(block, makeQxQuants(kQK, 8, x, L, weight));
  for (int j = 0; j < 16; ++j)
    block[2 + j] = static_cast<uint8_t>(L[j] | (L[j + 16] << 4));
}

void quantizeBlockQ4_1Weighted(const float* x, uint8_t* block, const float* qw, float rowSigma2) {
  float weight[kQK], min;
  uint8_t L[kQK], Laux[kQK];
  legacyWeights(x, qw, rowSigma2, weight);
  const float d = makeQkx3Quants(kQK, 15, x, weight, L, &min, Laux, -0.9f, 0.05f, 36, false);
  storeHalf(block, d);
  storeHalf(block + 2, -min);
  for (int j = 0; j < 16; ++j)
    block[4 + j] = static_cast<uint8_t>(L[j] | (L[j + 16] << 4));
}

void quantizeBlockQ5_0Weighted(const float* x, uint8_t* block, const float* qw, float rowSigma2) {
  float weight[kQK];
  int8_t L[kQK];
  legacyWeights(x, qw, rowSigma2, weight);
  storeHalf(block, makeQxQuants(kQK, 16, x, L, weight));
  packFiveBits(reinterpret_cast<const uint8_t*>(L), block + 2, block + 6);
}

void quantizeBlockQ5_1Weighted(const float* x, uint8_t* block, const float* qw, float rowSigma2) {
  float weight[kQK], min;
  uint8_t L[kQK], Laux[kQK];
  legacyWeights(x, qw, rowSigma2, weight);
  const float d = makeQkx3Quants(kQK, 31, x, weight, L, &min, Laux, -0.9f, 0.05f, 36, false);
  storeHalf(block, d);
  storeHalf(block + 2, -min);
  packFiveBits(L, block + 4, block + 8);
}

void quantizeBlockQ2KWeighted(const float* x, uint8_t* block, const float* qw) {
  uint8_t L[kQKK], Laux[16], Ls[kQKK / 16], Lm[kQKK / 16];
  float mins[kQKK / 16], scales[kQKK / 16], sw[kQKK / 16] = {}, weight[16];
  const float sigma2 = superBlockSumX2(x) / kQKK;
  for (int j = 0; j < kQKK / 16; ++j) {
    for (int l = 0; l < 16; ++l)
      weight[l] = qw[16 * j + l] * std::sqrt(sigma2 + x[16 * j + l] * x[16 * j + l]);
    for (int l = 0; l < 16; ++l)
      sw[j] += weight[l];
    scales[j] =
        makeQkx3Quants(16, 3, x + 16 * j, weight, L + 16 * j, &mins[j], Laux, -0.9f, 0.05f, 36, false);
  }
  BlockQ2_K y{};
  const float dm = makeQpQuants(kQKK / 16, 15, scales, Ls, sw);
  const float mm = makeQpQuants(kQKK / 16, 15, mins, Lm, sw);
  y.d = floatToHalfBits(dm);
  y.dmin = floatToHalfBits(mm);
  const float dStored = halfBitsToFloat(y.d), mStored = halfBitsToFloat(y.dmin);
  for (int j = 0; j < kQKK / 16; ++j)
    y.scales[j] = static_cast<uint8_t>(Ls[j] | (Lm[j] << 4));
  for (int j = 0; j < kQKK / 16; ++j) { // requantize from the stored scales
    const float d = dStored * (y.scales[j] & 0xF);
    if (!d)
      continue;
    const float m = mStored * (y.scales[j] >> 4);
    for (int ii = 0; ii < 16; ++ii) {
      const int l = nearestInt((x[16 * j + ii] + m) / d);
      L[16 * j + ii] = static_cast<uint8_t>(std::max(0, std::min(3, l)));
    }
  }
  packTwoBits(L, y.qs);
  std::memcpy(block, &y, sizeof y);
}

void quantizeBlockQ3KWeighted(const float* x, uint8_t* block, const float* qw) {
  int8_t L[kQKK], Ls[kQKK / 16];
  float scales[kQKK / 16], weight[16], sw[kQKK / 16];
  const float sigma2 = 2 * superBlockSumX2(x) / kQKK;
  for (int j = 0; j < kQKK / 16; ++j) {
    for (int l = 0; l < 16; ++l)
      weight[l] = qw[16 * j + l] * std::sqrt(sigma2 + x[16 * j + l] * x[16 * j + l]);
    float sumw = 0;
    for (int l = 0; l < 16; ++l)
      sumw += weight[l];
    sw[j] = sumw;
    scales[j] = makeQxQuants(16, 4, x + 16 * j, L + 16 * j, weight);
  }
  BlockQ3_K y{};
  const float dBlock = makeQxQuants(kQKK / 16, 32, scales, Ls, sw);
  for (int j = 0; j < kQKK / 16; ++j)
    storeQ3Scale(y.scales, j, Ls[j]);
  y.d = floatToHalfBits(dBlock);
  uint8_t* codes = reinterpret_cast<uint8_t*>(L); // 0..7 from here on
  requantizeQ3(x, y, codes);
  packQ3(codes, y);
  std::memcpy(block, &y, sizeof y);
}

void quantizeBlockQ4KWeighted(const float* x, uint8_t* block, const float* qw) {
  uint8_t L[kQKK];
  BlockQ4_K y{};
  fitScaleMinK4(x, qw, 15, false, L, y);
  requantizeScaleMinK4(x, y.scales, y.d, y.dmin, 15, L);
  packQ4K(L, y);
  std::memcpy(block, &y, sizeof y);
}

void quantizeBlockQ5KWeighted(const float* x, uint8_t* block, const float* qw) {
  uint8_t L[kQKK];
  BlockQ5_K y{};
  fitScaleMinK4(x, qw, 31, true, L, y);
  requantizeScaleMinK4(x, y.scales, y.d, y.dmin, 31, L);
  packQ5K(L, y);
  std::memcpy(block, &y, sizeof y);
}

} // namespace qs::detail
