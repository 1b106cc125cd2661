// GGUF blocks: hand-worked blocks for every legacy type (expected bytes and
// values derived by hand in the comments), hand-packed k-quant blocks for the
// dequantizers, round-trip error bounds, and bad input.
#include "core/formats/block_formats.h"

#include "core/error.h"
#include "core/formats/float_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace qs {
namespace {

uint16_t u16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
uint32_t u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

std::vector<uint8_t> quantize(GgufType t, const std::vector<float>& x) {
  const GgufTypeInfo& info = ggufTypeInfo(t);
  std::vector<uint8_t> b(x.size() / static_cast<size_t>(info.blockElements) *
                         static_cast<size_t>(info.blockBytes));
  ggufQuantizeRow(t, x.data(), b.data(), static_cast<int64_t>(x.size()));
  return b;
}
std::vector<float> dequantize(GgufType t, const std::vector<uint8_t>& b, size_t n) {
  std::vector<float> y(n);
  ggufDequantizeRow(t, b.data(), y.data(), static_cast<int64_t>(n));
  return y;
}

TEST(Gguf, TypeTable) {
  // ggml-common.h: sizeof(block_*) and QK.
  EXPECT_EQ(ggufTypeInfo(GgufType::Q8_0).blockBytes, 34);
  EXPECT_EQ(ggufTypeInfo(GgufType::Q4_0).blockBytes, 18);
  EXPECT_EQ(ggufTypeInfo(GgufType::Q4_1).blockBytes, 20);
  EXPECT_EQ(ggufTypeInfo(GgufType::Q5_0).blockBytes, 22);
  EXPECT_EQ(ggufTypeInfo(GgufType::Q5_1).blockBytes, 24);
  EXPECT_EQ(ggufTypeInfo(GgufType::Q4_K).blockBytes, 144);
  EXPECT_EQ(ggufTypeInfo(GgufType::Q6_K).blockBytes, 210);
  EXPECT_EQ(ggufTypeInfo(GgufType::Q4_K).blockElements, 256);
  EXPECT_EQ(ggufTypeInfo(GgufType::F16).blockBytes, 2);
  EXPECT_STREQ(ggufTypeInfo(GgufType::Q6_K).name, "Q6_K");
  EXPECT_TRUE(ggufTypeSupported(30));
  EXPECT_FALSE(ggufTypeSupported(9)); // Q8_1: read, never quantized
  EXPECT_EQ(ggufTypeInfo(static_cast<GgufType>(9)).blockBytes, 36);
  EXPECT_THROW(ggufTypeInfo(static_cast<GgufType>(4)), Error); // Q4_2, removed from ggml
  EXPECT_THROW(ggufTypeInfo(static_cast<GgufType>(99)), Error);
}

std::vector<float> ramp(float start, float step) {
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j)
    x[static_cast<size_t>(j)] = start + step * static_cast<float>(j);
  return x;
}

TEST(Gguf, Q8_0HandWorked) {
  // x = -16..15. amax 16: d = 16/127 = 0.12598..., stored as fp16 1032 * 2^-13
  // = 0.1259765625 (0x3008). q = roundf(x * 127/16): -16 -> -127, -15 -> -119.06
  // -> -119, 1 -> 7.94 -> 8, 15 -> 119.06 -> 119.
  const std::vector<float> x = ramp(-16.0f, 1.0f);
  const std::vector<uint8_t> b = quantize(GgufType::Q8_0, x);
  EXPECT_EQ(u16(&b[0]), 0x3008);
  EXPECT_EQ(static_cast<int8_t>(b[2 + 0]), -127);
  EXPECT_EQ(static_cast<int8_t>(b[2 + 1]), -119);
  EXPECT_EQ(static_cast<int8_t>(b[2 + 16]), 0);
  EXPECT_EQ(static_cast<int8_t>(b[2 + 17]), 8);
  EXPECT_EQ(static_cast<int8_t>(b[2 + 31]), 119);
  const std::vector<float> y = dequantize(GgufType::Q8_0, b, 32);
  EXPECT_EQ(y[0], -127 * 0.1259765625f);
  EXPECT_EQ(y[31], 119 * 0.1259765625f);
  // roundf rounds halves away from zero: 0.5/127*127... use d = 1: x = 127 and 2.5.
  std::vector<float> h(32, 0.0f);
  h[0] = 127.0f;
  h[1] = 2.5f;
  h[2] = -2.5f;
  const std::vector<uint8_t> hb = quantize(GgufType::Q8_0, h);
  EXPECT_EQ(u16(&hb[0]), 0x3C00); // d = 1
  EXPECT_EQ(static_cast<int8_t>(hb[3]), 3);
  EXPECT_EQ(static_cast<int8_t>(hb[4]), -3);
}

TEST(Gguf, Q4_0HandWorked) {
  // x = -16..15. The largest magnitude is -16, so d = -16 / -8 = 2 (0x4000), id = 0.5,
  // q = min(15, (int8)(x/2 + 8.5)): x=-16 -> 0, x=-13 -> 2, x=-1 -> 8, x=0 -> 8,
  // x=1 -> 9 (9.0 exactly: halves round up), x=15 -> 16 -> clamped 15.
  const std::vector<float> x = ramp(-16.0f, 1.0f);
  const std::vector<uint8_t> b = quantize(GgufType::Q4_0, x);
  EXPECT_EQ(u16(&b[0]), 0x4000);
  EXPECT_EQ(b[2 + 0], 0x80);  // code[0] = 0 | code[16] = 8 << 4
  EXPECT_EQ(b[2 + 1], 0x91);  // code[1] (x=-15: -7.5 + 8.5 = 1) | code[17] (x=1) = 9 << 4
  EXPECT_EQ(b[2 + 15], 0xF8); // code[15] (x=-1) = 8 | code[31] = 15 << 4
  const std::vector<float> y = dequantize(GgufType::Q4_0, b, 32);
  EXPECT_EQ(y[0], -16.0f);
  EXPECT_EQ(y[3], -12.0f); // x=-13 -> code 2 -> (2-8)*2
  EXPECT_EQ(y[17], 2.0f);  // x=1 -> 2
  EXPECT_EQ(y[31], 14.0f); // x=15 -> 14 (clamped)
  // A positive extreme flips the sign of d: x[0] = 8 -> d = -1, code 0 -> (0 - 8) * -1 = 8.
  std::vector<float> p(32, 0.0f);
  p[0] = 8.0f;
  p[1] = 3.0f;
  const std::vector<uint8_t> pb = quantize(GgufType::Q4_0, p);
  EXPECT_EQ(u16(&pb[0]), 0xBC00); // -1
  const std::vector<float> py = dequantize(GgufType::Q4_0, pb, 32);
  EXPECT_EQ(py[0], 8.0f);
  EXPECT_EQ(py[1], 3.0f); // -3 + 8.5 = 5.5 -> 5 -> (5-8)*-1
  EXPECT_EQ(py[2], 0.0f);
}

// llama.cpp keeps the first of equal largest magnitudes: its sign decides d's.
TEST(Gguf, Q4_0AndQ5_0TakeTheFirstLargestMagnitude) {
  for (int lane : {0, 5, 9, 31}) { // inside and across the 8-wide SIMD steps
    std::vector<float> p(32, 0.25f);
    p[size_t(lane)] = -3.0f;
    p[size_t((lane + 7) % 32)] = 3.0f;
    const bool negativeFirst = lane < (lane + 7) % 32;
    const uint16_t d4 = negativeFirst ? 0x3600 : 0xB600; // -3 / -8 = 0.375, or 3 / -8
    const uint16_t d5 = negativeFirst ? 0x3200 : 0xB200; // -3 / -16 = 0.1875, or 3 / -16
    EXPECT_EQ(u16(&quantize(GgufType::Q4_0, p)[0]), d4) << lane;
    EXPECT_EQ(u16(&quantize(GgufType::Q5_0, p)[0]), d5) << lane;
  }
}

TEST(Gguf, Q4_1HandWorked) {
  // x = 0, 0.5, ..., 15.5: min 0, d = 15.5/15 = 1.0333, fp16 1058/1024 = 1.033203125
  // (0x3C22), m = 0. q = min(15, (int8)(x/d + 0.5)): 0 -> 0, 0.5 -> 0, 1 -> 1, 15.5 -> 15.
  const std::vector<float> x = ramp(0.0f, 0.5f);
  const std::vector<uint8_t> b = quantize(GgufType::Q4_1, x);
  EXPECT_EQ(u16(&b[0]), 0x3C22);
  EXPECT_EQ(u16(&b[2]), 0x0000);
  EXPECT_EQ(b[4 + 0] & 0xF, 0);
  EXPECT_EQ(b[4 + 1] & 0xF, 0);
  EXPECT_EQ(b[4 + 2] & 0xF, 1);
  EXPECT_EQ(b[4 + 15] >> 4, 15);
  const std::vector<float> y = dequantize(GgufType::Q4_1, b, 32);
  EXPECT_EQ(y[31], 15 * 1.033203125f);
  // A negative minimum is stored in m: x = -3 + j*0.25 -> m = -3 (0xC200).
  const std::vector<uint8_t> nb = quantize(GgufType::Q4_1, ramp(-3.0f, 0.25f));
  EXPECT_EQ(u16(&nb[2]), 0xC200);
}

TEST(Gguf, Q5_0AndQ5_1HandWorked) {
  // Q5_0, x = -16..15: d = -16 / -16 = 1, q = (int8)(x + 16.5) = x + 16, so
  // codes 0..15 in the first half and 16..31 in the second: qh = 0xFFFF0000.
  const std::vector<float> x = ramp(-16.0f, 1.0f);
  const std::vector<uint8_t> b = quantize(GgufType::Q5_0, x);
  EXPECT_EQ(u16(&b[0]), 0x3C00);
  EXPECT_EQ(u32(&b[2]), 0xFFFF0000u);
  EXPECT_EQ(b[6 + 3], 0x33); // code 3 | (code 19 & 15) << 4
  EXPECT_EQ(dequantize(GgufType::Q5_0, b, 32), x);
  // Q5_1, x = 0, 0.25, ..., 7.75: d = 7.75/31 = 0.25 (0x3400), codes = j, exact.
  const std::vector<float> x1 = ramp(0.0f, 0.25f);
  const std::vector<uint8_t> b1 = quantize(GgufType::Q5_1, x1);
  EXPECT_EQ(u16(&b1[0]), 0x3400);
  EXPECT_EQ(u16(&b1[2]), 0x0000);
  EXPECT_EQ(u32(&b1[4]), 0xFFFF0000u);
  EXPECT_EQ(dequantize(GgufType::Q5_1, b1, 32), x1);
}

TEST(Gguf, AllZeroBlocks) {
  const std::vector<float> z(256, 0.0f);
  for (GgufType t : {GgufType::Q8_0, GgufType::Q4_0, GgufType::Q4_1, GgufType::Q5_0, GgufType::Q5_1,
                     GgufType::Q4_K, GgufType::Q6_K})
    EXPECT_EQ(dequantize(t, quantize(t, z), z.size()), z) << ggufTypeInfo(t).name;
}

// Packs 6-bit scales/mins the way ggml-common.h documents block_q4_K.scales:
// bytes 0-3 hold scales 0-3 (low 6 bits) and the top 2 bits of scales 4-7,
// bytes 4-7 the same for the mins, bytes 8-11 the low nibbles of scales 4-7
// (low) and mins 4-7 (high).
void packScalesK4(const int sc[8], const int mn[8], uint8_t out[12]) {
  std::memset(out, 0, 12);
  for (int j = 0; j < 4; ++j) {
    out[j] = static_cast<uint8_t>(sc[j] | ((sc[j + 4] >> 4) << 6));
    out[j + 4] = static_cast<uint8_t>(mn[j] | ((mn[j + 4] >> 4) << 6));
    out[j + 8] = static_cast<uint8_t>((sc[j + 4] & 0xF) | ((mn[j + 4] & 0xF) << 4));
  }
}

TEST(Gguf, Q4_KDequantizeHandPacked) {
  // d = 1, dmin = 0.5; sub-block j has scale sc[j] and min mn[j]; element l of
  // sub-block j is the low nibble (even j) or high nibble (odd j) of qs[32*(j/2) + l].
  const int sc[8] = {1, 2, 3, 4, 63, 17, 32, 5};
  const int mn[8] = {0, 2, 4, 6, 47, 16, 63, 1};
  std::vector<uint8_t> blk(144);
  const uint16_t d = 0x3C00, dmin = 0x3800;
  std::memcpy(&blk[0], &d, 2);
  std::memcpy(&blk[2], &dmin, 2);
  packScalesK4(sc, mn, &blk[4]);
  std::vector<int> q(256);
  for (int i = 0; i < 256; ++i)
    q[static_cast<size_t>(i)] = (i * 7 + 3) % 16;
  for (int c = 0; c < 4; ++c)
    for (int l = 0; l < 32; ++l)
      blk[16 + 32 * static_cast<size_t>(c) + static_cast<size_t>(l)] = static_cast<uint8_t>(
          q[static_cast<size_t>(64 * c + l)] | (q[static_cast<size_t>(64 * c + 32 + l)] << 4));
  const std::vector<float> y = dequantize(GgufType::Q4_K, blk, 256);
  for (int i = 0; i < 256; ++i) {
    const int j = i / 32;
    EXPECT_EQ(y[static_cast<size_t>(i)],
              1.0f * static_cast<float>(sc[j]) * static_cast<float>(q[static_cast<size_t>(i)]) -
                  0.5f * static_cast<float>(mn[j]))
        << i;
  }
}

TEST(Gguf, Q6_KDequantizeHandPacked) {
  // 6-bit values L in 0..63 (value L - 32), 16 int8 scales (one per 16 values),
  // d = 0.5. Layout per 128 values: ql[l] = low nibbles of L[l] | L[l+64] << 4,
  // ql[l+32] = L[l+32] | L[l+96] << 4, qh[l] = the top 2 bits of L[l], L[l+32],
  // L[l+64], L[l+96] at bit 0, 2, 4, 6.
  std::vector<int> L(256);
  for (int i = 0; i < 256; ++i)
    L[static_cast<size_t>(i)] = (i * 37 + 11) % 64;
  int8_t scales[16];
  for (int i = 0; i < 16; ++i)
    scales[i] = static_cast<int8_t>(i * 9 - 70);
  std::vector<uint8_t> blk(210, 0);
  for (int half = 0; half < 2; ++half) {
    uint8_t* ql = &blk[64 * static_cast<size_t>(half)];
    uint8_t* qh = &blk[128 + 32 * static_cast<size_t>(half)];
    const int* Lh = &L[128 * static_cast<size_t>(half)];
    for (int l = 0; l < 32; ++l) {
      ql[l] = static_cast<uint8_t>((Lh[l] & 0xF) | ((Lh[l + 64] & 0xF) << 4));
      ql[l + 32] = static_cast<uint8_t>((Lh[l + 32] & 0xF) | ((Lh[l + 96] & 0xF) << 4));
      qh[l] = static_cast<uint8_t>((Lh[l] >> 4) | ((Lh[l + 32] >> 4) << 2) | ((Lh[l + 64] >> 4) << 4) |
                                   ((Lh[l + 96] >> 4) << 6));
    }
  }
  std::memcpy(&blk[192], scales, 16);
  const uint16_t d = 0x3800;
  std::memcpy(&blk[208], &d, 2);
  const std::vector<float> y = dequantize(GgufType::Q6_K, blk, 256);
  for (int i = 0; i < 256; ++i)
    EXPECT_EQ(y[static_cast<size_t>(i)],
              0.5f * scales[i / 16] * static_cast<float>(L[static_cast<size_t>(i)] - 32))
        << i;
}

// Quantize -> dequantize on Gaussian rows: error is bounded by the block's
// step, and the formats rank as their bit budgets say.
TEST(Gguf, RoundTripErrorOrdering) {
  std::mt19937 rng(5);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> x(256 * 64);
  for (float& v : x)
    v = nd(rng);
  auto rmse = [&](GgufType t) {
    const std::vector<float> y = dequantize(t, quantize(t, x), x.size());
    double s = 0;
    for (size_t i = 0; i < x.size(); ++i)
      s += (static_cast<double>(x[i]) - y[i]) * (static_cast<double>(x[i]) - y[i]);
    return std::sqrt(s / static_cast<double>(x.size()));
  };
  const double q8 = rmse(GgufType::Q8_0), q6k = rmse(GgufType::Q6_K), q5_1 = rmse(GgufType::Q5_1),
               q5_0 = rmse(GgufType::Q5_0), q4k = rmse(GgufType::Q4_K), q4_1 = rmse(GgufType::Q4_1),
               q4_0 = rmse(GgufType::Q4_0);
  EXPECT_LT(q8, 0.01);
  EXPECT_LT(q8, q6k);
  EXPECT_LT(q6k, q5_0);
  EXPECT_LT(q5_1, q4_1);
  EXPECT_LT(q5_0, q4_0);
  EXPECT_LT(q4k, q4_0);
  EXPECT_LT(q4_0, 0.15);
  EXPECT_EQ(dequantize(GgufType::F16, quantize(GgufType::F16, x), x.size())[7], fp16Format().round(x[7]));
  EXPECT_EQ(dequantize(GgufType::BF16, quantize(GgufType::BF16, x), x.size())[9], bf16Format().round(x[9]));
  EXPECT_EQ(dequantize(GgufType::F32, quantize(GgufType::F32, x), x.size()), x);
  // Q8_0: every value within half a step of its block scale (plus fp16 rounding of d).
  const std::vector<float> y = dequantize(GgufType::Q8_0, quantize(GgufType::Q8_0, x), x.size());
  for (size_t b = 0; b < x.size(); b += 32) {
    float amax = 0;
    for (size_t j = 0; j < 32; ++j)
      amax = std::max(amax, std::fabs(x[b + j]));
    for (size_t j = 0; j < 32; ++j)
      ASSERT_LE(std::fabs(x[b + j] - y[b + j]), amax / 127.0f * 0.5f + amax * 0x1p-10f) << b + j;
  }
}

// The quantizers against an independent NumPy port of llama.cpp's reference
// kernels (tests/data/gen_gguf_quant_refs.py), byte for byte, on blocks that
// include zeros, constants, outliers and exact ties.
TEST(Gguf, QuantizersMatchNumpyPort) {
  const std::string out = std::string(QS_TEST_OUT_DIR) + "/gguf_quant_refs";
  const std::string cmd =
      std::string(QS_PYTHON) + " " + QS_SOURCE_DIR + "/tests/data/gen_gguf_quant_refs.py " + out;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto read = [](const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  };
  const std::vector<uint8_t> raw = read(out + "/input.f32");
  ASSERT_EQ(raw.size(), 400u * 32u * 4u);
  std::vector<float> x(raw.size() / 4);
  std::memcpy(x.data(), raw.data(), raw.size());
  const std::pair<const char*, GgufType> types[] = {{"q8_0", GgufType::Q8_0},
                                                    {"q4_0", GgufType::Q4_0},
                                                    {"q4_1", GgufType::Q4_1},
                                                    {"q5_0", GgufType::Q5_0},
                                                    {"q5_1", GgufType::Q5_1}};
  auto compare = [&](const char* name, GgufType type, const std::vector<float>& in) {
    const std::vector<uint8_t> want = read(out + "/" + name + ".bin");
    const std::vector<uint8_t> got = quantize(type, in);
    ASSERT_EQ(got.size(), want.size()) << name;
    const size_t bb = static_cast<size_t>(ggufTypeInfo(type).blockBytes);
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_EQ(got[i], want[i]) << name << " block " << i / bb << " byte " << i % bb;
  };
  for (const auto& [name, type] : types)
    compare(name, type, x);
  // k-quants: the scale searches (make_qkx2_quants, make_qx_quants) ported
  // element by element; rows with zeros, all-positive values, an outlier.
  const std::vector<uint8_t> rawK = read(out + "/input_k.f32");
  ASSERT_EQ(rawK.size(), 12u * 256u * 4u);
  std::vector<float> xk(rawK.size() / 4);
  std::memcpy(xk.data(), rawK.data(), rawK.size());
  compare("q4_k", GgufType::Q4_K, xk);
  compare("q6_k", GgufType::Q6_K, xk);
}

TEST(Gguf, RowLengthMustBeWholeBlocks) {
  std::vector<float> x(40, 1.0f);
  std::vector<uint8_t> b(1024);
  EXPECT_THROW(ggufQuantizeRow(GgufType::Q4_0, x.data(), b.data(), 40), Error);
  EXPECT_THROW(ggufDequantizeRow(GgufType::Q6_K, b.data(), x.data(), 32), Error);
}

} // namespace
} // namespace qs
