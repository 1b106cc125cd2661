// Scale formats (core/quant/scale_format.h): every format against NumPy /
// torch casts (tests/data/nvfp4_scale_refs.py), ue8m0 over all 256 codes,
// int8dq against a NumPy port of bitsandbytes, and the pipeline quantizing
// with the stored scale, counting its bits and refusing what cannot apply.
#include "core/pipeline/quantize.h"
#include "core/quant/config_check.h"
#include "core/quant/quant_config.h"
#include "core/quant/scale_format.h"

#include "core/error.h"

#include <gtest/gtest.h>

#include <bit>
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

template <typename T> std::vector<T> readArray(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  const std::vector<char> raw((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<T> v(raw.size() / sizeof(T));
  std::memcpy(v.data(), raw.data(), v.size() * sizeof(T));
  return v;
}

std::string runReference(const char* mode) {
  const std::string out = std::string(QS_TEST_OUT_DIR) + "/scale_refs";
  const std::string cmd =
      std::string(QS_PYTHON) + " " + QS_SOURCE_DIR + "/tests/data/nvfp4_scale_refs.py " + mode + " " + out;
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return out;
}

TEST(ScaleFormat, PerValueFormatsMatchNumpy) {
  const std::string out = runReference("scales");
  const std::vector<float> s = readArray<float>(out + "/scales_input.f32");
  ASSERT_GT(s.size(), 400000u);
  for (ScaleFormat f : {ScaleFormat::Fp16, ScaleFormat::Bf16, ScaleFormat::E4m3, ScaleFormat::Ue8m0Floor,
                        ScaleFormat::Ue8m0Ceil, ScaleFormat::Ue8m0Round}) {
    SCOPED_TRACE(toString(f));
    const std::vector<float> want = readArray<float>(out + "/scales_" + toString(f) + ".f32");
    const std::vector<uint32_t> codes = readArray<uint32_t>(out + "/scales_" + toString(f) + ".codes");
    ASSERT_EQ(want.size(), s.size());
    ASSERT_EQ(codes.size(), s.size());
    for (size_t i = 0; i < s.size(); ++i) {
      const float stored = storeScale(f, s[i]);
      ASSERT_EQ(std::bit_cast<uint32_t>(stored), std::bit_cast<uint32_t>(want[i])) << "scale " << s[i];
      ASSERT_EQ(scaleCode(f, stored), codes[i]) << "scale " << s[i];
      if (s[i] > 0) {
        ASSERT_GT(stored, 0.0f) << "never 0 for a non-zero scale: " << s[i];
      }
    }
  }
}

TEST(ScaleFormat, Ue8m0EveryCode) {
  for (int c = 0; c < 255; ++c) {
    const float v = ue8m0Value(uint8_t(c));
    EXPECT_EQ(v, std::ldexp(1.0f, c - 127)) << c;
    for (ScaleFormat f : {ScaleFormat::Ue8m0Floor, ScaleFormat::Ue8m0Ceil, ScaleFormat::Ue8m0Round}) {
      EXPECT_EQ(storeScale(f, v), v) << c; // powers of two are exact in every rounding
      EXPECT_EQ(scaleCode(f, v), uint32_t(c)) << c;
    }
    if (c > 0 && c < 254) { // just above 2^k: floor keeps it, ceil and round (below 2^(k+1/2)) differ
      const float up = std::nextafter(v, INFINITY);
      EXPECT_EQ(storeScale(ScaleFormat::Ue8m0Floor, up), v) << c;
      EXPECT_EQ(storeScale(ScaleFormat::Ue8m0Ceil, up), 2.0f * v) << c;
      EXPECT_EQ(storeScale(ScaleFormat::Ue8m0Round, up), v) << c;
      const float high = std::nextafter(2.0f * v, 0.0f); // just below 2^(k+1): round goes up
      EXPECT_EQ(storeScale(ScaleFormat::Ue8m0Round, high), 2.0f * v) << c;
    }
  }
  EXPECT_TRUE(std::isnan(ue8m0Value(255)));
  EXPECT_EQ(storeScale(ScaleFormat::Ue8m0Ceil, 1e-45f), std::ldexp(1.0f, -127)); // clamped exponent
  EXPECT_EQ(storeScale(ScaleFormat::Ue8m0Ceil, 0.0f), 0.0f);
  EXPECT_EQ(scaleFormatFromString("ue8m0"), ScaleFormat::Ue8m0Ceil);
  EXPECT_THROW(scaleFormatFromString("fp8"), Error);
}

TEST(ScaleFormat, Int8DqMatchesBitsandbytesPort) {
  const std::string out = runReference("int8dq");
  const std::vector<float> s = readArray<float>(out + "/int8dq_input.f32");
  const std::vector<float> map = readArray<float>(out + "/int8dq.map.f32");
  ASSERT_EQ(map.size(), 256u);
  for (size_t i = 0; i < 256; ++i)
    ASSERT_EQ(bnbDynamicMap()[i], map[i]) << i;
  const DoubleQuantized dq = doubleQuantize(s.data(), int64_t(s.size()));
  EXPECT_EQ(dq.offset, readArray<float>(out + "/int8dq.offset.f32").at(0));
  EXPECT_EQ(dq.absmax, readArray<float>(out + "/int8dq.absmax.f32"));
  const std::vector<uint8_t> codes = readArray<uint8_t>(out + "/int8dq.codes");
  const std::vector<float> stored = readArray<float>(out + "/int8dq.stored.f32");
  ASSERT_EQ(dq.codes.size(), s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    ASSERT_EQ(dq.codes[i], codes[i]) << i;
    ASSERT_EQ(dq.stored[i], stored[i]) << i;
  }
  EXPECT_EQ(dq.absmax.size(), (s.size() + 255) / 256); // a short last block
}

Tensor gaussian(Shape shape, uint32_t seed) {
  Tensor t;
  t.name = "w";
  t.shape = shape;
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, 0.02f);
  t.values.resize(size_t(shapeNumel(shape)));
  for (float& v : t.values)
    v = d(rng);
  return t;
}

QuantConfig grouped(const std::string& format, int64_t group, ScaleFormat sf) {
  QuantConfig c;
  c.format = format;
  c.granularity = Granularity{GranularityKind::Group, kAutoAxis, group};
  c.scaleFormat = sf;
  return c;
}

// INT4 groups of 32: every element is the INT4 code times the STORED scale,
// codes from x * (1 / stored); the stored scale is the format's value of the fitted one.
TEST(ScaleFormat, ElementsUseTheStoredScale) {
  const Tensor t = gaussian({64, 256}, 3);
  const auto fitted = quantize(t, grouped("int4", 32, ScaleFormat::Fp32));
  for (ScaleFormat f : {ScaleFormat::Fp16, ScaleFormat::Bf16, ScaleFormat::E4m3, ScaleFormat::Ue8m0Floor,
                        ScaleFormat::Ue8m0Ceil, ScaleFormat::Ue8m0Round}) {
    SCOPED_TRACE(toString(f));
    const auto r = quantize(t, grouped("int4", 32, f));
    ASSERT_EQ(r->scales.size(), 64u * 8u);
    ASSERT_EQ(r->storedScales.fitted.size(), r->scales.size());
    EXPECT_EQ(r->storedScales.format, toString(f));
    for (size_t g = 0; g < r->scales.size(); ++g) {
      ASSERT_EQ(r->storedScales.fitted[g], fitted->scales[g]);
      ASSERT_EQ(r->scales[g], storeScale(f, fitted->scales[g]));
      ASSERT_EQ(uint32_t(r->storedScales.codes[g]), scaleCode(f, r->scales[g]));
    }
    for (size_t i = 0; i < t.values.size(); ++i) {
      const float s = r->scales[i / 32];
      const float q = std::min(std::max(std::nearbyint(t.values[i] * (1.0f / s)), -8.0f), 7.0f);
      ASSERT_EQ(r->dequantized[i], q * s) << i;
    }
  }
  // ue8m0-floor shrinks the grid: values beyond it clip (counted), ceil never clips.
  EXPECT_GT(quantize(t, grouped("int4", 32, ScaleFormat::Ue8m0Floor))->metrics.clippedFraction, 0.0);
  EXPECT_EQ(quantize(t, grouped("int4", 32, ScaleFormat::Ue8m0Ceil))->metrics.clippedFraction, 0.0);
}

// NF4 in blocks of 64 with int8dq, as bitsandbytes: codes from the fitted
// absmax, values from the double-quantized one; 4 + 8/64 + 32/(64*256) bits.
TEST(ScaleFormat, Nf4WithDoubleQuant) {
  const Tensor t = gaussian({64, 4096}, 5);
  const auto plain = quantize(t, grouped("nf4", 64, ScaleFormat::Fp32));
  const auto r = quantize(t, grouped("nf4", 64, ScaleFormat::Int8Dq));
  const size_t segments = 64 * 64;
  ASSERT_EQ(r->scales.size(), segments);
  const DoubleQuantized dq = doubleQuantize(plain->scales.data(), int64_t(segments));
  EXPECT_EQ(r->storedScales.absmax, dq.absmax);
  EXPECT_EQ(r->storedScales.offset, dq.offset);
  EXPECT_EQ(r->storedScales.absmax.size(), 16u);
  for (size_t g = 0; g < segments; ++g) {
    ASSERT_EQ(r->scales[g], dq.stored[g]) << g;
    ASSERT_EQ(r->storedScales.codes[g], dq.codes[g]) << g;
  }
  ASSERT_EQ(r->codes, plain->codes);             // coded with the fitted absmax
  const std::vector<float>& nf4 = plain->levels; // the first block's levels: code k -> levels[k] / scale
  for (size_t i = 0; i < t.values.size(); ++i) {
    const float level = nf4[size_t(plain->codes[i])] / plain->scales[0];
    ASSERT_EQ(r->dequantized[i], level * r->scales[i / 64]) << i;
  }
  EXPECT_DOUBLE_EQ(r->metrics.bitsPerElement, 4.0 + 8.0 / 64 + 32.0 / (64 * 256));
  EXPECT_DOUBLE_EQ(plain->metrics.bitsPerElement, 4.0 + 32.0 / 64);
}

TEST(ScaleFormat, BitsPerElementCountTheStoredScale) {
  const Tensor t = gaussian({16, 128}, 7);
  EXPECT_DOUBLE_EQ(quantize(t, grouped("int4", 32, ScaleFormat::E4m3))->metrics.bitsPerElement, 4.25);
  EXPECT_DOUBLE_EQ(quantize(t, grouped("int4", 32, ScaleFormat::Fp16))->metrics.bitsPerElement, 4.5);
  QuantConfig asym = grouped("int4", 32, ScaleFormat::Bf16);
  asym.symmetric = false; // the zero point stays a 4-bit integer
  EXPECT_DOUBLE_EQ(quantize(t, asym)->metrics.bitsPerElement, 4.0 + (16.0 + 4.0) / 32);
  QuantConfig fp4 =
      grouped("fp4_e2m1", 16, ScaleFormat::E4m3); // NVFP4's block scale without its tensor scale
  EXPECT_DOUBLE_EQ(quantize(t, fp4)->metrics.bitsPerElement, 4.5);
}

TEST(ScaleFormat, JsonRoundTripAndChecks) {
  for (const std::string& name : scaleFormatNames()) {
    QuantConfig c;
    c.format = "nf4";
    c.scaleFormat = scaleFormatFromString(name);
    const QuantConfig back = configFromJson(configToJson(c));
    EXPECT_EQ(back, c) << name;
  }
  EXPECT_EQ(configFromJson(R"({"format": "int4", "scale_format": "ue8m0"})").scaleFormat,
            ScaleFormat::Ue8m0Ceil);
  EXPECT_EQ(configFromJson(R"({"format": "int4"})").scaleFormat, ScaleFormat::Fp32);
  EXPECT_THROW(configFromJson(R"({"format": "int4", "scale_format": "e5m2"})"), Error);
  EXPECT_THROW(configFromJson(R"({"format": "int4", "scale_format": 8})"), Error);
  QuantConfig mx;
  mx.format = "mxfp4";
  mx.scaleFormat = ScaleFormat::E4m3;
  const auto problems = configProblems(mx);
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems.front().key, "scale_format");
  EXPECT_NE(problems.front().message().find("own format"), std::string::npos) << problems.front().message();
  EXPECT_THROW(quantize(gaussian({4, 64}, 1), mx), Error);
  mx.format = "kmeans3";
  EXPECT_FALSE(configProblems(mx).empty());
  for (const char* ok : {"int4", "nf4", "fp8_e4m3", "binary", "iq4_nl_grid"}) {
    mx.format = ok;
    EXPECT_TRUE(configProblems(mx).empty()) << ok;
  }
}

} // namespace
} // namespace qs
