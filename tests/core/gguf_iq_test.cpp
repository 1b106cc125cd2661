// GGUF IQ4_NL, IQ4_XS, TQ1_0, TQ2_0, MXFP4 and NVFP4 against an independent
// NumPy port of llama.cpp's quantizers and dequantizers
// (tests/data/gguf_iq_refs.py): bytes compared byte for byte, values bit for
// bit, the scale codecs exhaustively; hand-worked blocks for the quirks; the
// pipeline's codes and scales.
#include "core/error.h"
#include "core/formats/block_formats.h"
#include "core/formats/format_registry.h"
#include "core/pipeline/quantize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace qs {
namespace {

std::vector<uint8_t> readBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

std::vector<float> readFloats(const std::string& path) {
  const std::vector<uint8_t> raw = readBytes(path);
  std::vector<float> v(raw.size() / 4);
  std::memcpy(v.data(), raw.data(), v.size() * 4);
  return v;
}

uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

size_t bytesFor(GgufType t, size_t n) {
  const GgufTypeInfo& info = ggufTypeInfo(t);
  return n / size_t(info.blockElements) * size_t(info.blockBytes);
}

class GgufIq : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    dir_ = std::string(QS_TEST_OUT_DIR) + "/gguf_iq_refs";
    const std::string cmd =
        std::string(QS_PYTHON) + " " + QS_SOURCE_DIR + "/tests/data/gguf_iq_refs.py " + dir_;
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static std::string path(const std::string& name) { return dir_ + "/" + name; }

  // Our bytes of `x` equal the port's `name.bin`, and our dequantization of
  // the port's bytes equals its `name.deq.f32` bit for bit.
  static void expectSame(const std::string& name, GgufType type, const std::vector<float>& x,
                         const std::vector<uint8_t>& ours) {
    const std::vector<uint8_t> want = readBytes(path(name + ".bin"));
    ASSERT_EQ(ours.size(), bytesFor(type, x.size())) << name;
    ASSERT_EQ(want.size(), ours.size()) << name;
    const size_t bb = size_t(ggufTypeInfo(type).blockBytes);
    size_t differing = 0;
    for (size_t i = 0; i < ours.size(); ++i)
      if (ours[i] != want[i] && differing++ < 5)
        ADD_FAILURE() << name << " block " << i / bb << " byte " << i % bb << ": ours " << int(ours[i])
                      << ", reference " << int(want[i]);
    EXPECT_EQ(differing, 0u) << name;

    const std::vector<float> wantValues = readFloats(path(name + ".deq.f32"));
    ASSERT_EQ(wantValues.size(), x.size()) << name;
    std::vector<float> got(x.size());
    ggufDequantizeRow(type, want.data(), got.data(), int64_t(got.size()));
    differing = 0;
    for (size_t i = 0; i < got.size(); ++i)
      if (bitsOf(got[i]) != bitsOf(wantValues[i]) && differing++ < 5)
        ADD_FAILURE() << name << " value " << i << ": ours " << got[i] << ", reference " << wantValues[i];
    EXPECT_EQ(differing, 0u) << name;
  }

  static std::vector<uint8_t> ours(GgufType type, const std::vector<float>& x,
                                   const float* weights = nullptr) {
    std::vector<uint8_t> b(bytesFor(type, x.size()));
    ggufQuantizeRowWeighted(type, x.data(), b.data(), int64_t(x.size()), weights);
    return b;
  }

  static std::string dir_;
};
std::string GgufIq::dir_;

constexpr size_t kIqRows32 = 640, kIqRows256 = 96; // as IQ_ROWS32 / IQ_ROWS256 in the script

TEST_F(GgufIq, Iq4NlMatchesPort) {
  std::vector<float> x = readFloats(path("input32.f32"));
  ASSERT_EQ(x.size(), (kIqRows32 + 24) * 32);
  x.resize(kIqRows32 * 32);
  expectSame("iq4_nl", GgufType::IQ4_NL, x, ours(GgufType::IQ4_NL, x));
  std::vector<uint8_t> ref(bytesFor(GgufType::IQ4_NL, x.size()));
  ggufQuantizeRowIQ4NLRef(x.data(), ref.data(), int64_t(x.size()));
  expectSame("iq4_nl_ref", GgufType::IQ4_NL, x, ref);
  EXPECT_NE(ref, ours(GgufType::IQ4_NL, x)); // the search changes some blocks
  const std::vector<float> w = readFloats(path("weights32.f32"));
  ASSERT_EQ(w.size(), x.size());
  expectSame("iq4_nl_w", GgufType::IQ4_NL, x, ours(GgufType::IQ4_NL, x, w.data()));
}

TEST_F(GgufIq, Iq4XsMatchesPort) {
  std::vector<float> x = readFloats(path("input256.f32"));
  ASSERT_EQ(x.size(), (kIqRows256 + 3) * 256);
  x.resize(kIqRows256 * 256);
  expectSame("iq4_xs", GgufType::IQ4_XS, x, ours(GgufType::IQ4_XS, x));
  const std::vector<float> w = readFloats(path("weights256.f32"));
  ASSERT_EQ(w.size(), x.size());
  expectSame("iq4_xs_w", GgufType::IQ4_XS, x, ours(GgufType::IQ4_XS, x, w.data()));
  EXPECT_NE(ours(GgufType::IQ4_XS, x, w.data()), ours(GgufType::IQ4_XS, x)); // the weights matter
}

TEST_F(GgufIq, TernaryMatchesPort) {
  const std::vector<float> x = readFloats(path("input256.f32"));
  expectSame("tq1_0", GgufType::TQ1_0, x, ours(GgufType::TQ1_0, x));
  expectSame("tq2_0", GgufType::TQ2_0, x, ours(GgufType::TQ2_0, x));
}

TEST_F(GgufIq, Fp4MatchesPort) {
  const std::vector<float> x32 = readFloats(path("input32.f32"));
  expectSame("mxfp4", GgufType::MXFP4, x32, ours(GgufType::MXFP4, x32));
  const std::vector<float> x256 = readFloats(path("input256.f32"));
  expectSame("nvfp4", GgufType::NVFP4, x256, ours(GgufType::NVFP4, x256));
}

TEST_F(GgufIq, ScaleCodecsExhaustive) {
  // Every E8M0 and UE4M3 byte decoded, against 2^(e - 128) and the UE4M3
  // formula / 2 evaluated in double by the script.
  const std::vector<float> e8m0 = readFloats(path("e8m0.f32")), ue4m3 = readFloats(path("ue4m3.f32"));
  ASSERT_EQ(e8m0.size(), 256u);
  ASSERT_EQ(ue4m3.size(), 256u);
  for (int c = 0; c < 256; ++c) {
    EXPECT_EQ(bitsOf(ggufE8m0Half(uint8_t(c))), bitsOf(e8m0[size_t(c)])) << c;
    EXPECT_EQ(bitsOf(ggufUe4m3Half(uint8_t(c))), bitsOf(ue4m3[size_t(c)])) << c;
  }
  EXPECT_EQ(ggufE8m0Half(0), 0x1p-128f);
  EXPECT_EQ(ggufE8m0Half(127), 0.5f);
  EXPECT_EQ(ggufE8m0Half(254), 0x1p126f);
  EXPECT_EQ(ggufUe4m3Half(0x7E), 224.0f); // 448 / 2
  EXPECT_EQ(ggufUe4m3Half(0x7F), 0.0f);
  EXPECT_EQ(ggufUe4m3Half(0x01), 0x1p-10f); // 2^-9 / 2
  // The encoder on ~340k floats of [2^-12, 512), every decoded value and its
  // neighbours, and specials.
  const std::vector<float> in = readFloats(path("ue4m3_in.f32"));
  const std::vector<uint8_t> out = readBytes(path("ue4m3_out.u8"));
  ASSERT_EQ(in.size(), out.size());
  ASSERT_GT(in.size(), 300000u);
  size_t differing = 0;
  for (size_t i = 0; i < in.size(); ++i)
    if (ggufFloatToUe4m3(in[i]) != out[i] && differing++ < 5)
      ADD_FAILURE() << in[i] << ": ours " << int(ggufFloatToUe4m3(in[i])) << ", reference " << int(out[i]);
  EXPECT_EQ(differing, 0u);
  // Every code the encoder emits comes back from its value.
  for (int c = 1; c <= 0x77; ++c)
    EXPECT_EQ(ggufFloatToUe4m3(2.0f * ggufUe4m3Half(uint8_t(c))), c) << c;
  EXPECT_EQ(ggufFloatToUe4m3(448.0f), 0x7E);
}

// ---- hand-worked blocks for the quirks the descriptions name

std::vector<uint8_t> quantizeRow(GgufType t, const std::vector<float>& x) {
  std::vector<uint8_t> b(bytesFor(t, x.size()));
  ggufQuantizeRow(t, x.data(), b.data(), int64_t(x.size()));
  return b;
}

TEST(GgufIqHand, Mxfp4TiesGoToTheSmallerMagnitude) {
  // amax 6: e = floor(log2 6) - 2 + 127 = 127, X = 1. 0.75 lies between 0.5
  // (index 1) and 1 (index 2): llama.cpp keeps the first, 0.5; OCP rounds to
  // even, 1.0. Likewise 1.75 -> 1.5 (not 2) and 3.5 -> 3 (not 4).
  std::vector<float> x(32, 0.0f);
  x[0] = 6.0f;
  x[1] = 0.75f;
  x[2] = 1.75f;
  x[3] = 3.5f;
  x[4] = -0.75f;
  const std::vector<uint8_t> b = quantizeRow(GgufType::MXFP4, x);
  EXPECT_EQ(b[0], 127);
  std::vector<float> y(32);
  ggufDequantizeRow(GgufType::MXFP4, b.data(), y.data(), 32);
  EXPECT_EQ(y[0], 6.0f);
  EXPECT_EQ(y[1], 0.5f);
  EXPECT_EQ(y[2], 1.5f);
  EXPECT_EQ(y[3], 3.0f);
  EXPECT_EQ(y[4], -0.5f);
  EXPECT_EQ(b[1] & 0xF, 7);     // 6 = kvalues_mxfp4[7] / 2
  EXPECT_EQ(b[1 + 4] & 0xF, 9); // -0.5: index 9
  const std::unique_ptr<FormatKernel> ocp = findFormat("mxfp4").makeKernel({});
  std::vector<float> z(32);
  ocp->applyBlock(x.data(), 32, z.data(), nullptr, BlockWeights{});
  EXPECT_EQ(z[1], 1.0f); // the OCP format rounds the same tie to even
}

TEST(GgufIqHand, Mxfp4ExponentFromLog2f) {
  // amax just below 8: log2f rounds 2.99999999 up to 3, so e = 128 (X = 2),
  // where OCP's exact floor gives X = 1.
  std::vector<float> x(32, 0.0f);
  x[5] = std::nextafter(8.0f, 0.0f);
  const std::vector<uint8_t> b = quantizeRow(GgufType::MXFP4, x);
  EXPECT_EQ(std::floor(std::log2(x[5])), 3.0f);
  EXPECT_EQ(b[0], 128);
  // An all-zero block: e = 0, every nibble 0.
  const std::vector<uint8_t> z = quantizeRow(GgufType::MXFP4, std::vector<float>(32, 0.0f));
  for (uint8_t v : z)
    EXPECT_EQ(v, 0);
}

TEST(GgufIqHand, Nvfp4SubScalesAreUe4m3OfAmaxOverSix) {
  // Sub-block 0: amax 6 -> scale 1 (0x38); sub-block 1: amax 1500 -> 250,
  // which rounds past 240 and saturates to 448 (0x7E); sub-block 2: zeros ->
  // 0; sub-block 3: amax 0.09 -> 0.015 = 7.68 * 2^-9, a subnormal clamped to 7.
  std::vector<float> x(64, 0.0f);
  x[0] = 6.0f;
  x[1] = 3.0f;
  x[16] = 1500.0f;
  x[48] = 0.09f;
  const std::vector<uint8_t> b = quantizeRow(GgufType::NVFP4, x);
  EXPECT_EQ(b[0], 0x38);
  EXPECT_EQ(b[1], 0x7E);
  EXPECT_EQ(b[2], 0);
  EXPECT_EQ(b[3], 7);
  std::vector<float> y(64);
  ggufDequantizeRow(GgufType::NVFP4, b.data(), y.data(), 64);
  EXPECT_EQ(y[0], 6.0f);
  EXPECT_EQ(y[1], 3.0f);
  EXPECT_EQ(y[16], 1344.0f); // 1500 / 448 = 3.35 -> 3 x 448
  EXPECT_EQ(y[48], 6.0f * 7.0f * 0x1p-9f);
}

TEST(GgufIqHand, TernaryTritsAndTies) {
  // d = amax = 2; x / d = +-0.5 rounds away from zero (lroundf) to +-1, 0.125 to 0.
  std::vector<float> x(256, 1.0f);
  x[0] = 2.0f;
  x[1] = -1.0f;
  x[2] = 0.25f;
  for (GgufType t : {GgufType::TQ1_0, GgufType::TQ2_0}) {
    const std::vector<uint8_t> b = quantizeRow(t, x);
    std::vector<float> y(256);
    ggufDequantizeRow(t, b.data(), y.data(), 256);
    EXPECT_EQ(y[0], 2.0f);
    EXPECT_EQ(y[1], -2.0f);
    EXPECT_EQ(y[2], 0.0f);
    EXPECT_EQ(y[3], 2.0f);
    EXPECT_EQ(y[255], 2.0f);
  }
  // TQ2_0: element m + 32n of each 128 in bits 2n of byte m; trits 2, 0, 1, 2
  // for elements 0, 32, 64, 96 of this row... all 2 except 1 (0) and 2 (1).
  const std::vector<uint8_t> b2 = quantizeRow(GgufType::TQ2_0, x);
  EXPECT_EQ(b2[0], 0xAA); // elements 0, 32, 64, 96: trit 2 each
  EXPECT_EQ(b2[1], 0xA8); // element 1: trit 0
  EXPECT_EQ(b2[2], 0xA9); // element 2: trit 1
  // TQ1_0: byte m holds elements m + 32n as the base-3 number t0..t4 scaled
  // by 256/243 rounded up: all 2 -> 242 -> ceil(242 * 256 / 243) = 255.
  const std::vector<uint8_t> b1 = quantizeRow(GgufType::TQ1_0, x);
  EXPECT_EQ(b1[0], 255);
  EXPECT_EQ(b1[1], (uint16_t(0 * 81 + 2 * 27 + 2 * 9 + 2 * 3 + 2) * 256 + 242) / 243);
}

TEST(GgufIqHand, Iq4NlSearchBeatsAbsmaxGrid) {
  // The searched scale never has a larger x^2-weighted error than the plain
  // absmax grid of iq4_nl_grid on Gaussian blocks, and is smaller on average.
  std::mt19937 rng(7);
  std::normal_distribution<float> nd;
  std::vector<float> x(32 * 200);
  for (float& v : x)
    v = nd(rng);
  std::vector<float> y(x.size()), ref(x.size());
  const std::vector<uint8_t> b = quantizeRow(GgufType::IQ4_NL, x);
  ggufDequantizeRow(GgufType::IQ4_NL, b.data(), y.data(), int64_t(y.size()));
  std::vector<uint8_t> r(b.size());
  ggufQuantizeRowIQ4NLRef(x.data(), r.data(), int64_t(x.size()));
  ggufDequantizeRow(GgufType::IQ4_NL, r.data(), ref.data(), int64_t(ref.size()));
  double searched = 0, quick = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    searched += double(x[i]) * x[i] * (x[i] - y[i]) * (x[i] - y[i]);
    quick += double(x[i]) * x[i] * (x[i] - ref[i]) * (x[i] - ref[i]);
  }
  EXPECT_LT(searched, quick);
}

TEST(GgufIqHand, BadInput) {
  std::vector<float> x(48, 1.0f);
  std::vector<uint8_t> b(1024);
  EXPECT_THROW(ggufQuantizeRow(GgufType::IQ4_XS, x.data(), b.data(), 48), Error);
  EXPECT_THROW(ggufQuantizeRow(GgufType::NVFP4, x.data(), b.data(), 48), Error);
  EXPECT_THROW(ggufDequantizeRow(GgufType::TQ1_0, b.data(), x.data(), 32), Error);
  EXPECT_THROW(ggufQuantizeRowWeighted(GgufType::IQ4_XS, x.data(), b.data(), 48, x.data()), Error);
  EXPECT_TRUE(ggufHasWeightedPath(GgufType::IQ4_NL) && ggufHasWeightedPath(GgufType::IQ4_XS));
  EXPECT_FALSE(ggufHasWeightedPath(GgufType::TQ1_0) || ggufHasWeightedPath(GgufType::MXFP4) ||
               ggufHasWeightedPath(GgufType::NVFP4)); // llama.cpp ignores quant_weights for these
  EXPECT_TRUE(ggufTypeSupported(20) && ggufTypeSupported(23) && ggufTypeSupported(34) &&
              ggufTypeSupported(35) && ggufTypeSupported(39) && ggufTypeSupported(40));
  EXPECT_EQ(ggufTypeInfo(GgufType::IQ4_XS).blockBytes, 136);
  EXPECT_EQ(ggufTypeInfo(GgufType::TQ1_0).blockBytes, 54);
  EXPECT_EQ(ggufTypeInfo(GgufType::TQ2_0).blockBytes, 66);
  EXPECT_EQ(ggufTypeInfo(GgufType::MXFP4).blockBytes, 17);
  EXPECT_EQ(ggufTypeInfo(GgufType::NVFP4).blockBytes, 36);
  EXPECT_EQ(ggufTypeInfo(GgufType::IQ4_NL).blockBytes, 18);
}

// ---- through the pipeline: values as the row functions, codes and scales kept

TEST(GgufIqPipeline, CodesAndScalesReproduceTheValues) {
  Tensor t;
  t.name = "w";
  t.shape = {3, 256};
  std::mt19937 rng(11);
  std::normal_distribution<float> nd;
  for (int i = 0; i < 3 * 256; ++i)
    t.values.push_back(nd(rng));
  struct Case {
    const char* name;
    GgufType type;
    std::vector<float> grid; // code -> value / scale where one scale holds the block
  };
  const std::vector<float> iq4 = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
  const std::vector<float> e2m1 = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6, -0.0f, -0.5f, -1, -1.5f, -2, -3, -4, -6};
  const Case cases[] = {{"gguf:iq4_nl", GgufType::IQ4_NL, iq4}, {"iq4_xs", GgufType::IQ4_XS, {}},
                        {"tq1_0", GgufType::TQ1_0, {-1, 0, 1}}, {"gguf:tq2_0", GgufType::TQ2_0, {-1, 0, 1}},
                        {"gguf:mxfp4", GgufType::MXFP4, e2m1},  {"gguf:nvfp4", GgufType::NVFP4, {}}};
  for (const Case& c : cases) {
    QuantConfig config;
    config.format = c.name;
    const auto r = quantize(t, config);
    const GgufTypeInfo& info = ggufTypeInfo(c.type);
    std::vector<float> expect(t.values.size());
    std::vector<uint8_t> bytes(bytesFor(c.type, 256));
    for (int row = 0; row < 3; ++row) {
      ggufQuantizeRow(c.type, t.values.data() + row * 256, bytes.data(), 256);
      ggufDequantizeRow(c.type, bytes.data(), expect.data() + row * 256, 256);
    }
    EXPECT_EQ(r->dequantized, expect) << c.name;
    ASSERT_EQ(r->codes.size(), t.values.size()) << c.name;
    ASSERT_EQ(r->scales.size(), size_t(3 * 256 / info.blockElements)) << c.name;
    for (size_t i = 0; i < t.values.size(); ++i) {
      ASSERT_GE(r->codes[i], 0);
      ASSERT_LT(r->codes[i], int(c.grid.empty() ? 16 : c.grid.size()));
      if (!c.grid.empty()) {
        ASSERT_EQ(c.grid[size_t(r->codes[i])] * r->scales[i / size_t(info.blockElements)], r->dequantized[i])
            << c.name << " " << i;
      }
    }
  }
}

TEST(GgufIqPipeline, ImportanceReachesTheIq4Quantizers) {
  // A tensor carrying an imatrix entry (one weight per input column): the
  // pipeline's values are quantize_iq4_{nl,xs}(row, weights) of each row.
  Tensor t;
  t.name = "w";
  t.shape = {4, 512};
  std::mt19937 rng(5);
  std::normal_distribution<float> nd;
  std::gamma_distribution<float> gd(0.7f, 2.0f);
  for (int i = 0; i < 4 * 512; ++i)
    t.values.push_back(nd(rng));
  auto w = std::make_shared<std::vector<float>>();
  for (int c = 0; c < 512; ++c)
    w->push_back(gd(rng));
  t.importance = w;
  for (GgufType type : {GgufType::IQ4_NL, GgufType::IQ4_XS}) {
    QuantConfig config;
    config.format = std::string("gguf:") + (type == GgufType::IQ4_NL ? "iq4_nl" : "iq4_xs");
    const auto r = quantize(t, config);
    std::vector<float> weighted(t.values.size()), plain(t.values.size());
    std::vector<uint8_t> bytes(bytesFor(type, 512));
    for (int row = 0; row < 4; ++row) {
      ggufQuantizeRowWeighted(type, t.values.data() + row * 512, bytes.data(), 512, w->data());
      ggufDequantizeRow(type, bytes.data(), weighted.data() + row * 512, 512);
      ggufQuantizeRow(type, t.values.data() + row * 512, bytes.data(), 512);
      ggufDequantizeRow(type, bytes.data(), plain.data() + row * 512, 512);
    }
    EXPECT_EQ(r->dequantized, weighted) << config.format;
    EXPECT_NE(weighted, plain) << config.format;
  }
}

} // namespace
} // namespace qs
