// OCP MX v1.0 blocks: hand-worked blocks, special blocks, fast vs reference.
#include "core/formats/block_formats.h"

#include "core/error.h"

#include <gtest/gtest.h>

#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace qs {
namespace {

struct Block {
  std::vector<float> x = std::vector<float>(kMxBlock, 0.0f);
  std::vector<uint8_t> codes = std::vector<uint8_t>(kMxBlock, 0xAA);
  std::vector<float> dq = std::vector<float>(kMxBlock, -1.0f);
  MxBlockOut run(MxElement e) { return mxQuantizeBlock(e, x.data(), kMxBlock, codes.data(), dq.data()); }
};

TEST(Mx, ElementTables) {
  EXPECT_EQ(mxElementBits(MxElement::Fp8E4M3), 8);
  EXPECT_EQ(mxElementBits(MxElement::Fp6E2M3), 6);
  EXPECT_EQ(mxElementBits(MxElement::Fp4E2M1), 4);
  EXPECT_EQ(mxElementBits(MxElement::Int8), 8);
  EXPECT_EQ(mxElementEmax(MxElement::Fp8E4M3), 8);
  EXPECT_EQ(mxElementEmax(MxElement::Fp8E5M2), 15);
  EXPECT_EQ(mxElementEmax(MxElement::Fp6E3M2), 4);
  EXPECT_EQ(mxElementEmax(MxElement::Fp6E2M3), 2);
  EXPECT_EQ(mxElementEmax(MxElement::Fp4E2M1), 2);
  EXPECT_EQ(mxElementEmax(MxElement::Int8), 0);
  EXPECT_EQ(e8m0ToFloat(127), 1.0f);
  EXPECT_EQ(e8m0ToFloat(0), 0x1p-127f);
  EXPECT_EQ(e8m0ToFloat(254), 0x1p127f);
  EXPECT_TRUE(std::isnan(e8m0ToFloat(255)));
  EXPECT_EQ(mxDecodeElement(MxElement::Int8, 0x81), -127.0f / 64.0f);
}

TEST(Mx, HandWorkedFp8E4M3Block) {
  Block b;
  std::fill(b.x.begin(), b.x.end(), 0.5f);
  b.x[0] = 1000.0f;
  b.x[1] = 1.0f;
  b.x[2] = -3.0f;
  b.x[3] = 0.0f;
  // amax 1000: floor(log2 1000) = 9, emax(E4M3) = 8 -> X = 2^1, E8M0 code 128.
  EXPECT_EQ(b.run(MxElement::Fp8E4M3).scaleE8M0, 128);
  EXPECT_EQ(b.codes[0], 0x7E); // 1000/2 = 500 > 448: saturates to 448 (S.1111.110)
  EXPECT_EQ(b.dq[0], 896.0f);
  EXPECT_EQ(b.codes[1], 0x30); // 0.5 = 2^-1: E = -1 + 7 = 6 -> 0.0110.000
  EXPECT_EQ(b.dq[1], 1.0f);
  EXPECT_EQ(b.codes[2], 0xBC); // -1.5: S=1, E = 7, M = 100
  EXPECT_EQ(b.dq[2], -3.0f);
  EXPECT_EQ(b.codes[3], 0x00);
  EXPECT_EQ(b.dq[3], 0.0f);
  EXPECT_EQ(b.codes[4], 0x28); // 0.25: E = 5
  EXPECT_EQ(b.dq[4], 0.5f);
}

TEST(Mx, HandWorkedFp4Block) {
  Block b;
  b.x[0] = 6.0f;   // amax 6: floor(log2 6) = 2, emax(E2M1) = 2 -> X = 1 (code 127)
  b.x[1] = 5.0f;   // tie between 4 (code 110) and 6 (code 111): even -> 4
  b.x[2] = 0.3f;   // above the 0.25 midpoint -> 0.5 (code 001)
  b.x[3] = -0.25f; // tie between 0 and 0.5 -> -0 (code 1000)
  b.x[4] = 2.5f;   // tie between 2 (100) and 3 (101) -> 2
  b.x[5] = -5.5f;  // nearer 6 -> code 1111
  EXPECT_EQ(b.run(MxElement::Fp4E2M1).scaleE8M0, 127);
  const uint8_t codes[] = {0x7, 0x6, 0x1, 0x8, 0x4, 0xF};
  const float values[] = {6.0f, 4.0f, 0.5f, -0.0f, 2.0f, -6.0f};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(b.codes[static_cast<size_t>(i)], codes[i]) << i;
    EXPECT_EQ(std::bit_cast<uint32_t>(b.dq[static_cast<size_t>(i)]), std::bit_cast<uint32_t>(values[i])) << i;
  }
  // amax 7: still X = 1, and 7 saturates to 6 (it does not round to 8).
  b.x[0] = 7.0f;
  EXPECT_EQ(b.run(MxElement::Fp4E2M1).scaleE8M0, 127);
  EXPECT_EQ(b.dq[0], 6.0f);
  // amax 8: floor(log2 8) = 3 -> X = 2; 5/2 = 2.5 -> 2 -> 4.
  b.x[0] = 8.0f;
  EXPECT_EQ(b.run(MxElement::Fp4E2M1).scaleE8M0, 128);
  EXPECT_EQ(b.dq[0], 8.0f);
  EXPECT_EQ(b.dq[1], 4.0f);
}

TEST(Mx, HandWorkedInt8Block) {
  Block b;
  b.x[0] = 1.0f;       // amax 1: floor(log2 1) = 0, emax 0 -> X = 1; 1.0 * 64 = 64
  b.x[1] = -0.5f;      // -32 = 0xE0
  b.x[2] = 0.01f;      // 0.64 -> 1 -> 1/64
  b.x[3] = 0.0234375f; // 1.5/64: tie -> 2 (even)
  EXPECT_EQ(b.run(MxElement::Int8).scaleE8M0, 127);
  EXPECT_EQ(b.codes[0], 64);
  EXPECT_EQ(b.codes[1], 0xE0);
  EXPECT_EQ(b.dq[1], -0.5f);
  EXPECT_EQ(b.codes[2], 1);
  EXPECT_EQ(b.dq[2], 0.015625f);
  EXPECT_EQ(b.codes[3], 2);
  // amax 1.99: X = 1, 127.36 -> clamps to 127 -> 1.984375.
  b.x[0] = 1.99f;
  b.run(MxElement::Int8);
  EXPECT_EQ(b.codes[0], 127);
  EXPECT_EQ(b.dq[0], 1.984375f);
  // amax -3: floor(log2 3) = 1 -> X = 2; -1.5 * 64 = -96 -> -3 exactly.
  b.x[0] = -3.0f;
  EXPECT_EQ(b.run(MxElement::Int8).scaleE8M0, 128);
  EXPECT_EQ(b.codes[0], static_cast<uint8_t>(-96));
  EXPECT_EQ(b.dq[0], -3.0f);
}

TEST(Mx, ZeroTinyHugeAndNanBlocks) {
  Block b;
  // All zero: amax taken as FP32_MIN_NORMAL: 2^(-126 - emax) clamped to 2^-127.
  EXPECT_EQ(b.run(MxElement::Fp8E4M3).scaleE8M0, 0);
  EXPECT_EQ(b.run(MxElement::Int8).scaleE8M0, 1);
  for (float v : b.dq)
    EXPECT_EQ(v, 0.0f);
  // A subnormal amax 2^-130: exponent -138 clamps to -127; 2^-130 / 2^-127 = 0.125 is exact.
  b.x[0] = 0x1p-130f;
  EXPECT_EQ(b.run(MxElement::Fp8E4M3).scaleE8M0, 0);
  EXPECT_EQ(b.codes[0], 0x20);
  EXPECT_EQ(b.dq[0], 0x1p-130f);
  // FLT_MAX: floor(log2) = 127, E5M2 emax 15 -> X = 2^112; 65535.99 saturates to 57344.
  b.x[0] = FLT_MAX;
  EXPECT_EQ(b.run(MxElement::Fp8E5M2).scaleE8M0, 127 + 112);
  EXPECT_EQ(b.dq[0], 57344.0f * 0x1p112f);
  // NaN or inf anywhere: NaN scale, every value NaN.
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::infinity()}) {
    b.x[7] = bad;
    for (MxElement e : {MxElement::Fp8E4M3, MxElement::Fp4E2M1, MxElement::Int8}) {
      EXPECT_EQ(b.run(e).scaleE8M0, 255);
      for (float v : b.dq)
        EXPECT_TRUE(std::isnan(v));
    }
  }
}

TEST(Mx, BadArguments) {
  float x[33] = {};
  uint8_t c[33];
  float d[33];
  EXPECT_THROW(mxQuantizeBlock(MxElement::Fp4E2M1, x, 33, c, d), Error);
  EXPECT_THROW(mxQuantizeBlock(MxElement::Fp4E2M1, x, -1, c, d), Error);
  EXPECT_NO_THROW(mxQuantizeBlock(MxElement::Fp4E2M1, x, 5, c, d));
}

// Against an independent NumPy implementation of OCP MX v1.0 section 6.3
// (tests/data/gen_float_refs.py mx): E8M0 scale from floor(log2 amax),
// brute-force nearest element value with ties to the even code, saturation.
TEST(Mx, MatchesNumpySpecImplementation) {
  const std::string out = std::string(QS_TEST_OUT_DIR) + "/float_refs";
  const std::string cmd =
      std::string(QS_PYTHON) + " " + QS_SOURCE_DIR + "/tests/data/gen_float_refs.py mx " + out;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto read = [](const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  };
  const std::vector<uint8_t> raw = read(out + "/input_mx.f32");
  ASSERT_EQ(raw.size(), 600u * 32u * 4u);
  std::vector<float> x(raw.size() / 4);
  std::memcpy(x.data(), raw.data(), raw.size());
  const std::pair<const char*, MxElement> elements[] = {
      {"fp8_e4m3", MxElement::Fp8E4M3}, {"fp8_e5m2", MxElement::Fp8E5M2}, {"fp6_e3m2", MxElement::Fp6E3M2},
      {"fp6_e2m3", MxElement::Fp6E2M3}, {"fp4_e2m1", MxElement::Fp4E2M1}, {"int8", MxElement::Int8}};
  for (const auto& [name, element] : elements) {
    const std::vector<uint8_t> dqRaw = read(out + "/mx_" + name + ".f32");
    const std::vector<uint8_t> scales = read(out + "/mx_" + name + ".scale");
    ASSERT_EQ(dqRaw.size(), raw.size()) << name;
    ASSERT_EQ(scales.size(), 600u) << name;
    for (size_t b = 0; b < 600; ++b) {
      uint8_t codes[kMxBlock];
      float dq[kMxBlock];
      const MxBlockOut o = mxQuantizeBlock(element, x.data() + b * kMxBlock, kMxBlock, codes, dq);
      ASSERT_EQ(o.scaleE8M0, scales[b]) << name << " block " << b;
      for (int i = 0; i < kMxBlock; ++i) {
        uint32_t want;
        std::memcpy(&want, dqRaw.data() + (b * kMxBlock + static_cast<size_t>(i)) * 4, 4);
        ASSERT_EQ(std::bit_cast<uint32_t>(dq[i]), want) << name << " block " << b << " element " << i;
      }
    }
  }
}

// Fast == reference bit for bit; dequantized == scale * element; errors bounded.
TEST(Mx, FastMatchesReferenceAndDecodes) {
  std::mt19937 rng(77);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::uniform_int_distribution<int> len(1, kMxBlock), sc(-140, 120);
  const MxElement all[] = {MxElement::Fp8E4M3, MxElement::Fp8E5M2, MxElement::Fp6E3M2,
                           MxElement::Fp6E2M3, MxElement::Fp4E2M1, MxElement::Int8};
  for (int trial = 0; trial < 3000; ++trial) {
    const int n = trial % 2 ? kMxBlock : len(rng); // full blocks take the SIMD path
    const float scale = std::ldexp(1.0f, sc(rng));
    std::vector<float> x(static_cast<size_t>(n));
    for (float& v : x)
      v = nd(rng) * scale * ((rng() % 8) == 0 ? 30.0f : 1.0f);
    for (MxElement e : all) {
      std::vector<uint8_t> c1(static_cast<size_t>(n)), c2(static_cast<size_t>(n));
      std::vector<float> d1(static_cast<size_t>(n)), d2(static_cast<size_t>(n));
      const MxBlockOut o1 = mxQuantizeBlock(e, x.data(), n, c1.data(), d1.data());
      const MxBlockOut o2 = mxQuantizeBlockRef(e, x.data(), n, c2.data(), d2.data());
      ASSERT_EQ(o1.scaleE8M0, o2.scaleE8M0);
      ASSERT_EQ(c1, c2) << "element " << static_cast<int>(e) << " trial " << trial;
      const float X = e8m0ToFloat(o1.scaleE8M0);
      float amax = 0;
      for (float v : x)
        amax = std::max(amax, std::fabs(v));
      if (amax > 0 && o1.scaleE8M0 > 0) { // amax lands in the element's top binade unless clamped at 2^-127
        EXPECT_GE(amax / X, std::ldexp(1.0f, mxElementEmax(e))) << trial;
        EXPECT_LT(amax / X, std::ldexp(2.0f, mxElementEmax(e))) << trial;
      }
      for (int i = 0; i < n; ++i) {
        const size_t k = static_cast<size_t>(i);
        ASSERT_EQ(std::bit_cast<uint32_t>(d1[k]), std::bit_cast<uint32_t>(d2[k]));
        ASSERT_EQ(d1[k], mxDecodeElement(e, c1[k]) * X);
        // Within half an element step of the block's top binade, or saturated:
        // the gap from max to 2^(emax+1) is at most 2 steps (E4M3: 448..512).
        const int mbits = e == MxElement::Int8 ? 6 : mxElementFloatFormat(e)->mantissaBits;
        const double step = std::ldexp(static_cast<double>(X), mxElementEmax(e) - mbits);
        EXPECT_LE(std::fabs(static_cast<double>(x[k]) - d1[k]), step * 2.0) << trial;
      }
    }
  }
}

} // namespace
} // namespace qs
