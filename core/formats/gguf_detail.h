#pragma once
// Internal: llama.cpp block layouts (ggml-common.h) and helpers shared by the
// GGUF block kernels. Blocks are read and written with memcpy, so the byte
// buffers need no alignment.
#include <cmath>
#include <cstdint>
#include <cstring>

namespace qs::detail {

constexpr int kQK = 32;   // legacy block
constexpr int kQKK = 256; // k-quant super-block
constexpr int kKScaleSize = 12;

struct BlockQ4_0 {
  uint16_t d; // fp16 scale
  uint8_t qs[kQK / 2];
};
struct BlockQ4_1 {
  uint16_t d, m;
  uint8_t qs[kQK / 2];
};
struct BlockQ5_0 {
  uint16_t d;
  uint8_t qh[4]; // 5th bits
  uint8_t qs[kQK / 2];
};
struct BlockQ5_1 {
  uint16_t d, m;
  uint8_t qh[4];
  uint8_t qs[kQK / 2];
};
struct BlockQ8_0 {
  uint16_t d;
  int8_t qs[kQK];
};
struct BlockQ4_K {
  uint16_t d, dmin;            // super-block scales for the 6-bit scales and mins
  uint8_t scales[kKScaleSize]; // 8 scales + 8 mins, 6 bits each (get_scale_min_k4)
  uint8_t qs[kQKK / 2];
};
struct BlockQ6_K {
  uint8_t ql[kQKK / 2]; // low 4 bits
  uint8_t qh[kQKK / 4]; // high 2 bits
  int8_t scales[kQKK / 16];
  uint16_t d;
};

struct BlockQ2_K {
  uint8_t scales[kQKK / 16]; // 4-bit scale | 4-bit min per 16 values
  uint8_t qs[kQKK / 4];      // 2-bit codes
  uint16_t d, dmin;          // super-block scales of the scales and mins
};
struct BlockQ3_K {
  uint8_t hmask[kQKK / 8];     // 3rd bit of each code
  uint8_t qs[kQKK / 4];        // low 2 bits
  uint8_t scales[kKScaleSize]; // 16 6-bit scales
  uint16_t d;
};
struct BlockQ5_K {
  uint16_t d, dmin;
  uint8_t scales[kKScaleSize]; // as Q4_K (scaleMinK4)
  uint8_t qh[kQKK / 8];        // 5th bits
  uint8_t qs[kQKK / 2];        // low 4 bits
};

// Sizes as static_assert-ed in ggml-common.h.
static_assert(sizeof(BlockQ4_0) == 2 + kQK / 2, "wrong q4_0 block size");
static_assert(sizeof(BlockQ4_1) == 4 + kQK / 2, "wrong q4_1 block size");
static_assert(sizeof(BlockQ5_0) == 2 + 4 + kQK / 2, "wrong q5_0 block size");
static_assert(sizeof(BlockQ5_1) == 4 + 4 + kQK / 2, "wrong q5_1 block size");
static_assert(sizeof(BlockQ8_0) == 2 + kQK, "wrong q8_0 block size");
static_assert(sizeof(BlockQ4_K) == 4 + kKScaleSize + kQKK / 2, "wrong q4_K block size");
static_assert(sizeof(BlockQ6_K) == 2 + kQKK / 16 + 3 * kQKK / 4, "wrong q6_K block size");
static_assert(sizeof(BlockQ2_K) == 4 + kQKK / 16 + kQKK / 4, "wrong q2_K block size");
static_assert(sizeof(BlockQ3_K) == 2 + kQKK / 4 + kQKK / 8 + 12, "wrong q3_K block size");
static_assert(sizeof(BlockQ5_K) == 4 + kKScaleSize + kQKK / 8 + kQKK / 2, "wrong q5_K block size");

// ---- IQ4_NL / IQ4_XS (gguf_iq4.cpp), TQ1_0 / TQ2_0 (gguf_ternary.cpp),
// MXFP4 / NVFP4 (gguf_fp4.cpp): layouts of ggml-common.h.
constexpr int kQK4NL = 32;
constexpr int kQKMxfp4 = 32;
constexpr int kQKNvfp4 = 64;
constexpr int kQKNvfp4Sub = 16;

struct BlockIQ4NL {
  uint16_t d;
  uint8_t qs[kQK4NL / 2];
};
struct BlockIQ4XS {
  uint16_t d;
  uint16_t scalesH;           // high 2 bits of the eight 6-bit sub-block scales
  uint8_t scalesL[kQKK / 64]; // low 4 bits, two per byte
  uint8_t qs[kQKK / 2];
};
struct BlockTQ1_0 {
  uint8_t qs[(kQKK - 4 * kQKK / 64) / 5]; // 5 trits per byte (3^5 = 243 < 256)
  uint8_t qh[kQKK / 64];                  // 4 trits per byte
  uint16_t d;
};
struct BlockTQ2_0 {
  uint8_t qs[kQKK / 4]; // 2 bits per element
  uint16_t d;
};
struct BlockMXFP4 {
  uint8_t e; // E8M0
  uint8_t qs[kQKMxfp4 / 2];
};
struct BlockNVFP4 {
  uint8_t d[kQKNvfp4 / kQKNvfp4Sub]; // UE4M3 sub-block scales
  uint8_t qs[kQKNvfp4 / 2];
};
static_assert(sizeof(BlockIQ4NL) == 2 + kQK4NL / 2, "wrong iq4_nl block size");
static_assert(sizeof(BlockIQ4XS) == 2 + 2 + kQKK / 64 + kQKK / 2, "wrong iq4_xs block size");
static_assert(sizeof(BlockTQ1_0) == 2 + kQKK / 64 + (kQKK - 4 * kQKK / 64) / 5, "wrong tq1_0 block size");
static_assert(sizeof(BlockTQ2_0) == 2 + kQKK / 4, "wrong tq2_0 block size");
static_assert(sizeof(BlockMXFP4) == 1 + kQKMxfp4 / 2, "wrong mxfp4 block size");
static_assert(sizeof(BlockNVFP4) == kQKNvfp4 / kQKNvfp4Sub + kQKNvfp4 / 2, "wrong nvfp4 block size");

// kvalues_iq4nl and kvalues_mxfp4 (E2M1 values doubled) of ggml-common.h.
inline constexpr int8_t kIq4NlValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                            1,    13,   25,  38,  53,  69,  89,  113};
inline constexpr int8_t kMxfp4Values[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

// Round to nearest, ties to even, for |x| <= 2^22: adding 1.5 * 2^23 puts the
// units digit at the float's last mantissa bit (llama.cpp's nearest_int).
inline int nearestInt(float x) {
  const float v = x + 12582912.0f;
  int32_t i;
  std::memcpy(&i, &v, sizeof i);
  return (i & 0x007FFFFF) - 0x00400000;
}

// The 6-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K block.
inline void scaleMinK4(int j, const uint8_t* q, uint8_t& d, uint8_t& m) {
  if (j < 4) {
    d = q[j] & 63;
    m = q[j + 4] & 63;
  } else {
    d = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
    m = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

void quantizeRowQ4K(const float* x, uint8_t* blocks, int64_t k);
// Q4_K/Q5_K after the scales are stored: each value again to the nearest of
// 0..nmax under its sub-block's stored scale and min (a zero scale keeps L).
void requantizeScaleMinK4(const float* x, const uint8_t* scales, uint16_t d, uint16_t dmin, int nmax,
                          uint8_t* L);
// Q4_K's 4-bit codes: sub-blocks 2j and 2j+1 share 32 bytes (low, high nibble).
void packQ4K(const uint8_t* L, BlockQ4_K& y);
void dequantizeRowQ4K(const uint8_t* blocks, float* y, int64_t k);
void quantizeRowQ6K(const float* x, uint8_t* blocks, int64_t k);
void dequantizeRowQ6K(const uint8_t* blocks, float* y, int64_t k);
// Q2_K, Q3_K, Q5_K (gguf_kquants_low.cpp), and the steps their reference
// and weighted quantizers share: 2-bit packing of 256 codes, Q3_K's scale
// and code packing and requantization from the stored scales, Q5_K's code
// packing, and the 6-bit scale/min packing of Q4_K and Q5_K.
void packTwoBits(const uint8_t* L, uint8_t* qs);
void storeQ3Scale(uint8_t* scales, int j, int l);
void requantizeQ3(const float* x, const BlockQ3_K& y, uint8_t* L);
void packQ3(uint8_t* L, BlockQ3_K& y);
void storeScaleMinK4(uint8_t* scales, int j, uint8_t ls, uint8_t lm);
void packQ5K(const uint8_t* L, BlockQ5_K& y);
void quantizeRowQ2K(const float* x, uint8_t* blocks, int64_t k);
void dequantizeRowQ2K(const uint8_t* blocks, float* y, int64_t k);
void quantizeRowQ3K(const float* x, uint8_t* blocks, int64_t k);
void dequantizeRowQ3K(const uint8_t* blocks, float* y, int64_t k);
void quantizeRowQ5K(const float* x, uint8_t* blocks, int64_t k);
void dequantizeRowQ5K(const uint8_t* blocks, float* y, int64_t k);

// The weighted quantize_row_*_impl of one block with importance weights qw
// (gguf_weighted_blocks.cpp); the legacy types also take the row's sigma2.
void quantizeBlockQ4_0Weighted(const float* x, uint8_t* block, const float* qw, float rowSigma2);
void quantizeBlockQ4_1Weighted(const float* x, uint8_t* block, const float* qw, float rowSigma2);
void quantizeBlockQ5_0Weighted(const float* x, uint8_t* block, const float* qw, float rowSigma2);
void quantizeBlockQ5_1Weighted(const float* x, uint8_t* block, const float* qw, float rowSigma2);
void quantizeBlockQ2KWeighted(const float* x, uint8_t* block, const float* qw);
void quantizeBlockQ3KWeighted(const float* x, uint8_t* block, const float* qw);
void quantizeBlockQ4KWeighted(const float* x, uint8_t* block, const float* qw);
void quantizeBlockQ5KWeighted(const float* x, uint8_t* block, const float* qw);
void quantizeBlockQ6KWeighted(const float* x, uint8_t* block, const float* qw);

// quantize_iq4_nl / quantize_iq4_xs for one row: `weights` per element (an
// importance-matrix column), null for none; `ntry` 7 is the scale search of
// llama-quantize, -1 the quick quantize_row_iq4_nl_ref.
void quantizeRowIQ4NL(const float* x, uint8_t* blocks, int64_t k, const float* weights, int ntry);
void quantizeRowIQ4XS(const float* x, uint8_t* blocks, int64_t k, const float* weights);
void dequantizeRowIQ4NL(const uint8_t* blocks, float* y, int64_t k);
void dequantizeRowIQ4XS(const uint8_t* blocks, float* y, int64_t k);
void quantizeRowTQ1_0(const float* x, uint8_t* blocks, int64_t k);
void quantizeRowTQ2_0(const float* x, uint8_t* blocks, int64_t k);
void dequantizeRowTQ1_0(const uint8_t* blocks, float* y, int64_t k);
void dequantizeRowTQ2_0(const uint8_t* blocks, float* y, int64_t k);
void quantizeRowMXFP4(const float* x, uint8_t* blocks, int64_t k);
void quantizeRowNVFP4(const float* x, uint8_t* blocks, int64_t k);
void dequantizeRowMXFP4(const uint8_t* blocks, float* y, int64_t k);
void dequantizeRowNVFP4(const uint8_t* blocks, float* y, int64_t k);

// One block's element codes (codes may be null) and the scale a result keeps:
// IQ4 indices into kvalues_iq4nl with d (IQ4_XS: the super-block d), TQ trits
// 0..2 (value (t - 1) * d) with d, FP4 nibbles with the scale of E2M1 values
// (MXFP4: 2^(e - 127); NVFP4: the first sub-block's UE4M3 scale).
float unpackIQ4NL(const uint8_t* block, int32_t* codes);
float unpackIQ4XS(const uint8_t* block, int32_t* codes);
float unpackTQ1_0(const uint8_t* block, int32_t* codes);
float unpackTQ2_0(const uint8_t* block, int32_t* codes);
float unpackMXFP4(const uint8_t* block, int32_t* codes);
float unpackNVFP4(const uint8_t* block, int32_t* codes);

} // namespace qs::detail
