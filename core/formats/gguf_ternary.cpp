// GGUF TQ1_0 and TQ2_0 (BitNet b1.58 / TriLM ternary weights): llama.cpp's
// quantize_row_tq{1,2}_0_ref and dequantize_row_tq{1,2}_0. One FP16 scale d =
// absmax per 256 values; each value becomes a trit t = lroundf(x / d) + 1 in
// {0, 1, 2} (value (t - 1) * d). TQ2_0 stores trits in 2 bits; TQ1_0 packs five
// (or four) of them into a byte as a base-3 fraction scaled to 0..255, read
// back by multiplying with powers of 3 and taking the carry (3q >> 8).

#include "core/formats/float_format.h"
#include "core/formats/gguf_detail.h"

#include <cmath>
#include <cstring>

namespace qs::detail {

namespace {

constexpr uint8_t kPow3[6] = {1, 3, 9, 27, 81, 243};

// d = absmax (MAX(amax, |x|) as in the C source) and 1/d.
float absMaxScale(const float* x, float& id) {
  float amax = 0.0f;
  for (int j = 0; j < kQKK; ++j)
    amax = std::fmax(amax, std::fabs(x[j]));
  id = amax != 0.0f ? 1.0f / amax : 0.0f;
  return amax;
}

int trit(float x, float id) {
  return int(std::lroundf(x * id)) + 1; // -1, 0, 1 -> 0, 1, 2
}

// The base-3 number of `count` trits (first one most significant, times 3^(5 -
// count)) as a ceiling fraction of 243 in 0..255: q * 256 / 243 rounded up.
uint8_t packTrits(const int* t, int count) {
  uint8_t q = 0;
  for (int n = 0; n < count; ++n)
    q = uint8_t(q * 3 + t[n]);
  for (int n = count; n < 5; ++n)
    q = uint8_t(q * 3);
  return uint8_t((uint16_t(q) * 256 + (243 - 1)) / 243);
}

// Trit n of a packed byte: the carry of (byte * 3^n mod 256) * 3.
int unpackTrit(uint8_t byte, int n) {
  const uint8_t q = uint8_t(byte * kPow3[n]);
  return (uint16_t(q) * 3) >> 8;
}

template <class Block> Block load(const uint8_t* p) {
  Block b;
  std::memcpy(&b, p, sizeof b);
  return b;
}

// TQ1_0's element order: qs[0..31] hold elements m + 32n (n = 0..4), qs[32..47]
// hold 160 + m + 16n, qh[0..3] hold 240 + j + 4m (m = 0..3).
void tq1Trits(const BlockTQ1_0& b, int32_t* t) {
  constexpr int kFull = int(sizeof b.qs) - int(sizeof b.qs) % 32; // 32
  for (int n = 0; n < 5; ++n)
    for (int m = 0; m < 32; ++m)
      t[n * 32 + m] = unpackTrit(b.qs[m], n);
  for (int n = 0; n < 5; ++n)
    for (int m = 0; m < 16; ++m)
      t[160 + n * 16 + m] = unpackTrit(b.qs[kFull + m], n);
  for (int n = 0; n < 4; ++n)
    for (int j = 0; j < 4; ++j)
      t[240 + n * 4 + j] = unpackTrit(b.qh[j], n);
}

void tq2Trits(const BlockTQ2_0& b, int32_t* t) {
  for (int j = 0; j < int(sizeof b.qs); j += 32)
    for (int l = 0; l < 4; ++l)
      for (int m = 0; m < 32; ++m)
        t[j * 4 + l * 32 + m] = (b.qs[j + m] >> (l * 2)) & 3;
}

} // namespace

void quantizeRowTQ1_0(const float* x, uint8_t* blocks, int64_t k) {
  for (int64_t i = 0; i < k / kQKK; ++i) {
    float id = 0;
    BlockTQ1_0 b;
    b.d = floatToHalfBits(absMaxScale(x, id));
    int t[5];
    constexpr int kFull = int(sizeof b.qs) - int(sizeof b.qs) % 32;
    for (int m = 0; m < 32; ++m) { // 5 trits per byte along 32 bytes
      for (int n = 0; n < 5; ++n)
        t[n] = trit(x[m + n * 32], id);
      b.qs[m] = packTrits(t, 5);
    }
    x += 5 * 32;
    for (int m = 0; m < 16; ++m) { // along the last 16
      for (int n = 0; n < 5; ++n)
        t[n] = trit(x[m + n * 16], id);
      b.qs[kFull + m] = packTrits(t, 5);
    }
    x += 5 * 16;
    for (int j = 0; j < int(sizeof b.qh); ++j) { // 4 trits per byte
      for (int m = 0; m < 4; ++m)
        t[m] = trit(x[j + m * int(sizeof b.qh)], id);
      b.qh[j] = packTrits(t, 4);
    }
    x += 4 * int(sizeof b.qh);
    std::memcpy(blocks + i * int64_t(sizeof b), &b, sizeof b);
  }
}

void quantizeRowTQ2_0(const float* x, uint8_t* blocks, int64_t k) {
  for (int64_t i = 0; i < k / kQKK; ++i) {
    float id = 0;
    BlockTQ2_0 b;
    b.d = floatToHalfBits(absMaxScale(x, id));
    for (int j = 0; j < int(sizeof b.qs); j += 32) {
      for (int m = 0; m < 32; ++m) {
        uint8_t q = 0;
        for (int n = 0; n < 4; ++n)
          q = uint8_t(q + ((trit(x[m + n * 32], id) & 3) << (2 * n)));
        b.qs[j + m] = q;
      }
      x += 4 * 32;
    }
    std::memcpy(blocks + i * int64_t(sizeof b), &b, sizeof b);
  }
}

void dequantizeRowTQ1_0(const uint8_t* blocks, float* y, int64_t k) {
  int32_t t[kQKK];
  for (int64_t i = 0; i < k / kQKK; ++i, y += kQKK) {
    const auto b = load<BlockTQ1_0>(blocks + i * int64_t(sizeof(BlockTQ1_0)));
    const float d = halfBitsToFloat(b.d);
    tq1Trits(b, t);
    for (int j = 0; j < kQKK; ++j)
      y[j] = float(t[j] - 1) * d;
  }
}

void dequantizeRowTQ2_0(const uint8_t* blocks, float* y, int64_t k) {
  int32_t t[kQKK];
  for (int64_t i = 0; i < k / kQKK; ++i, y += kQKK) {
    const auto b = load<BlockTQ2_0>(blocks + i * int64_t(sizeof(BlockTQ2_0)));
    const float d = halfBitsToFloat(b.d);
    tq2Trits(b, t);
    for (int j = 0; j < kQKK; ++j)
      y[j] = float(t[j] - 1) * d;
  }
}

float unpackTQ1_0(const uint8_t* block, int32_t* codes) {
  const auto b = load<BlockTQ1_0>(block);
  if (codes)
    tq1Trits(b, codes);
  return halfBitsToFloat(b.d);
}

float unpackTQ2_0(const uint8_t* block, int32_t* codes) {
  const auto b = load<BlockTQ2_0>(block);
  if (codes)
    tq2Trits(b, codes);
  return halfBitsToFloat(b.d);
}

} // namespace qs::detail
