// NVFP4: both levels exhaustively (every E2M1 code under every E4M3 scale
// code), the edge cases, and the whole pipeline against an independent NumPy
// implementation of Model Optimizer's formulas (tests/data/nvfp4_scale_refs.py).
#include "core/formats/format_registry.h"
#include "core/formats/nvfp4_block.h"
#include "core/pipeline/quantize.h"
#include "core/quant/format_config.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace qs {
namespace {

// E2M1 from its bit layout: sign | 2 exponent bits (bias 1) | 1 mantissa bit.
float e2m1FromBits(int c) {
  const int e = (c >> 1) & 3, m = c & 1;
  const float mag = e == 0 ? 0.5f * float(m) : (1.0f + 0.5f * float(m)) * std::ldexp(1.0f, e - 1);
  return (c & 8) ? -mag : mag;
}

// OCP E4M3FN from its bit layout (positive codes 0x00..0x7E).
float e4m3FromBits(int c) {
  const int e = (c >> 3) & 15, m = c & 7;
  return e == 0 ? std::ldexp(float(m) / 8.0f, -6) : std::ldexp(1.0f + float(m) / 8.0f, e - 7);
}

TEST(Nvfp4, E2M1EveryCode) {
  for (int c = 0; c < 16; ++c) {
    EXPECT_EQ(e2m1Value(uint8_t(c)), e2m1FromBits(c)) << c;
    if (c != 8) { // -0 is stored as +0 (sign from x < 0, as Model Optimizer)
      EXPECT_EQ(e2m1Code(e2m1Value(uint8_t(c))), c) << c;
    }
  }
  EXPECT_EQ(e2m1Code(-0.0f), 0);
  // Every midpoint goes to the even code: 0.25->0, 0.75->1, 1.25->1, 1.75->2, 2.5->2, 3.5->4, 5->4.
  const float mids[] = {0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5.0f};
  const float want[] = {0.0f, 1.0f, 1.0f, 2.0f, 2.0f, 4.0f, 4.0f};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(e2m1Value(e2m1Code(mids[i])), want[i]) << mids[i];
    EXPECT_EQ(e2m1Value(e2m1Code(-mids[i])), -want[i]) << mids[i];
    EXPECT_EQ(e2m1Value(e2m1Code(std::nextafter(mids[i], 10.0f))), e2m1Value(e2m1Code(mids[i] + 0.2f)));
  }
  EXPECT_EQ(e2m1Value(e2m1Code(1e30f)), 6.0f); // saturates
  EXPECT_EQ(e2m1Value(e2m1Code(-7.0f)), -6.0f);
}

TEST(Nvfp4, E4M3ScaleEveryCode) {
  for (int c = 1; c <= 0x7E; ++c) {
    const float v = e4m3FromBits(c);
    EXPECT_EQ(e4m3Value(uint8_t(c)), v) << c;
    EXPECT_EQ(e4m3ScaleCode(v), c) << c;
    if (c < 0x7E) { // the midpoint to the next code goes to the even one
      const float mid = (v + e4m3FromBits(c + 1)) / 2.0f;
      EXPECT_EQ(e4m3ScaleCode(mid), (c % 2 == 0) ? c : c + 1) << c;
    }
  }
  EXPECT_TRUE(std::isnan(e4m3Value(0x7F)));
  EXPECT_EQ(e4m3ScaleCode(0.0f), 0x38);     // an all-zero block: scale 1
  EXPECT_EQ(e4m3ScaleCode(1e-30f), 0x01);   // below the smallest subnormal: 2^-9, never 0
  EXPECT_EQ(e4m3ScaleCode(0x1p-11f), 0x01); // would round to 0
  EXPECT_EQ(e4m3ScaleCode(1000.0f), 0x7E);  // saturates at 448
  EXPECT_EQ(e4m3Value(0x7E), 448.0f);
}

// Every E2M1 code under every E4M3 scale code, for two tensor scales: the
// block's amax picks exactly that scale, every element comes back exactly.
TEST(Nvfp4, BothLevelsExhaustive) {
  for (const float tensorScale : {1.0f, 0x1p-10f}) {
    for (int sc = 1; sc <= 0x7E; ++sc) {
      const float d = e4m3FromBits(sc) * tensorScale;
      float x[kNvfp4Block], dq[kNvfp4Block];
      uint8_t codes[kNvfp4Block];
      x[0] = 6.0f * d; // the amax: maps to 6 under scale sc
      for (int c = 0; c < 15; ++c)
        x[1 + c] = e2m1FromBits(c < 8 ? c : c + 1) * d; // every code but -0
      const Nvfp4BlockOut out =
          nvfp4QuantizeBlock(Nvfp4ScaleRule::Rne, x, kNvfp4Block, tensorScale, codes, dq);
      ASSERT_EQ(out.scaleCode, sc) << "scale code " << sc << " tensor scale " << tensorScale;
      ASSERT_EQ(out.fitted, e4m3FromBits(sc));
      for (int i = 0; i < kNvfp4Block; ++i) {
        ASSERT_EQ(dq[i], x[i]) << "scale code " << sc << " element " << i;
        ASSERT_EQ(e2m1Value(codes[i]), x[i] / d) << "scale code " << sc << " element " << i;
      }
    }
  }
}

TEST(Nvfp4, TensorScale) {
  EXPECT_EQ(nvfp4TensorScale(2688.0f, Nvfp4ScaleRule::Rne), 1.0f);
  EXPECT_EQ(nvfp4TensorScale(1536.0f, Nvfp4ScaleRule::FourOverSix), 1.0f);
  EXPECT_EQ(nvfp4TensorScale(3.0f, Nvfp4ScaleRule::Rne), 3.0f / 2688.0f);
  EXPECT_EQ(nvfp4TensorScale(0.0f, Nvfp4ScaleRule::Rne), 1.0f);   // all-zero tensor
  EXPECT_EQ(nvfp4TensorScale(1e-45f, Nvfp4ScaleRule::Rne), 1.0f); // the quotient underflows
}

TEST(Nvfp4, RegistryAndStorage) {
  for (const char* name : {"nvfp4", "nvfp4_mse", "nvfp4_4over6"}) {
    const FormatInfo& f = findFormat(name);
    EXPECT_EQ(f.family, "block");
    EXPECT_EQ(f.bits, 4);
    EXPECT_EQ(f.fixedBlock, 16);
    EXPECT_EQ(f.bitsPerElement, 4.5);
  }
}

Tensor tensorOf(Shape shape, std::vector<float> values) {
  Tensor t;
  t.name = "w";
  t.shape = std::move(shape);
  t.values = std::move(values);
  return t;
}

TEST(Nvfp4, EdgeCases) {
  QuantConfig c;
  c.format = "nvfp4";
  // All zero: tensor scale 1, every block scale 1, everything 0.
  auto zero = quantize(tensorOf({2, 32}, std::vector<float>(64, 0.0f)), c);
  EXPECT_EQ(zero->storedScales.tensorScale, 1.0f);
  EXPECT_EQ(zero->storedScales.format, "e4m3");
  ASSERT_EQ(zero->storedScales.codes.size(), 4u);
  for (int32_t code : zero->storedScales.codes)
    EXPECT_EQ(code, 0x38);
  for (float v : zero->dequantized)
    EXPECT_EQ(v, 0.0f);
  // NaN and inf pass through with code 0 and stay out of both scales.
  std::vector<float> x(32, 0.5f);
  x[0] = 3.0f;
  x[3] = NAN;
  x[4] = INFINITY;
  x[20] = -INFINITY;
  auto r = quantize(tensorOf({1, 32}, x), c);
  EXPECT_EQ(r->storedScales.tensorScale, 3.0f / 2688.0f);
  EXPECT_TRUE(std::isnan(r->dequantized[3]));
  EXPECT_EQ(r->dequantized[4], INFINITY);
  EXPECT_EQ(r->dequantized[20], -INFINITY);
  EXPECT_EQ(r->codes[3], 0);
  EXPECT_NEAR(r->dequantized[0], 3.0f, 1e-6f); // the amax maps to 6 x 448 x s_tensor
  EXPECT_EQ(r->storedScales.codes[0], 0x7E);
  EXPECT_EQ(r->metrics.nonFinite, 3);
  // A block far below the tensor's amax: its scale clamps at 2^-9 (code 1).
  std::vector<float> y(32, 1e-9f);
  y[16] = 1000.0f;
  auto u = quantize(tensorOf({1, 32}, y), c);
  EXPECT_EQ(u->storedScales.codes[0], 0x01);
  EXPECT_EQ(u->dequantized[0], 0.0f); // 1e-9 / (2^-9 * 1000/2688) rounds to 0
  EXPECT_EQ(u->metrics.bitsPerElement, 4.5);
}

std::vector<uint8_t> readBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

template <typename T> std::vector<T> readArray(const std::string& path) {
  const std::vector<uint8_t> raw = readBytes(path);
  std::vector<T> v(raw.size() / sizeof(T));
  std::memcpy(v.data(), raw.data(), v.size() * sizeof(T));
  return v;
}

// A 4096 x 4096 weight with outlier columns, an all-zero block, a block below
// E4M3's range, NaN/inf and halfway cases; every rule bit-exact.
TEST(Nvfp4, MatchesNumpyReference) {
  const std::string out = std::string(QS_TEST_OUT_DIR) + "/nvfp4_refs";
  const std::string cmd =
      std::string(QS_PYTHON) + " " + QS_SOURCE_DIR + "/tests/data/nvfp4_scale_refs.py nvfp4 " + out;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const Tensor t = tensorOf({4096, 4096}, readArray<float>(out + "/nvfp4_input.f32"));
  ASSERT_EQ(t.values.size(), size_t(4096) * 4096);
  double rneMse = 0;
  for (const auto& [rule, format] : {std::pair<const char*, const char*>{"rne", "nvfp4"},
                                     {"mse", "nvfp4_mse"},
                                     {"4over6", "nvfp4_4over6"}}) {
    SCOPED_TRACE(format);
    QuantConfig c;
    c.format = format;
    const auto r = quantize(t, c);
    const std::string base = out + "/nvfp4_" + rule;
    const std::vector<float> want = readArray<float>(base + ".f32");
    const std::vector<uint8_t> codes = readBytes(base + ".codes");
    const std::vector<uint8_t> scaleCodes = readBytes(base + ".scale_codes");
    ASSERT_EQ(want.size(), t.values.size());
    ASSERT_EQ(scaleCodes.size(), t.values.size() / 16);
    EXPECT_EQ(r->storedScales.tensorScale, readArray<float>(base + ".tensor_scale").at(0));
    ASSERT_EQ(r->storedScales.codes.size(), scaleCodes.size());
    for (size_t b = 0; b < scaleCodes.size(); ++b)
      ASSERT_EQ(r->storedScales.codes[b], scaleCodes[b]) << "block " << b;
    for (size_t i = 0; i < want.size(); ++i) {
      if (std::isnan(want[i])) {
        ASSERT_TRUE(std::isnan(r->dequantized[i])) << i;
        continue;
      }
      ASSERT_EQ(r->dequantized[i], want[i]) << "element " << i << " x " << t.values[i];
      ASSERT_EQ(r->codes[i], codes[i]) << "element " << i;
    }
    EXPECT_EQ(r->metrics.bitsPerElement, 4.5);
    if (std::string(rule) == "rne") {
      rneMse = r->metrics.mse;
    } else if (std::string(rule) == "mse") {
      EXPECT_LT(r->metrics.mse, rneMse); // the search never loses a block, and wins some
    }
  }
  for (const auto& entry : std::filesystem::directory_iterator(out)) // 400 MB of references
    std::filesystem::remove(entry.path());
}

} // namespace
} // namespace qs
