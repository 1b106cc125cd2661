// Every registered format through quantize(), checked against the formats'
// own primitives and PyTorch casts; codebooks, binary/ternary, k-means,
// MX/GGUF blocks, stochastic rounding, and the SIMD integer kernel against
// its scalar reference.
#include "core/error.h"
#include "core/formats/block_formats.h"
#include "core/formats/codebook.h"
#include "core/formats/float_format.h"
#include "core/formats/format_registry.h"
#include "core/formats/int_kernel.h"
#include "core/pipeline/quantize.h"

#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstring>
#include <random>

namespace qs {
namespace {

Tensor gaussian(Shape shape, uint32_t seed, float sigma = 1.0f) {
  Tensor t;
  t.name = "g";
  t.shape = shape;
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, sigma);
  t.values.resize(size_t(shapeNumel(shape)));
  for (float& v : t.values)
    v = d(rng);
  return t;
}

QuantConfig cfg(const std::string& format, std::optional<Granularity> g = std::nullopt) {
  QuantConfig c;
  c.format = format;
  c.granularity = g;
  c.codebook = {-1.0f, -0.3f, 0.0f, 0.4f, 1.0f};
  return c;
}

TEST(QuantizeFormats, EveryRegisteredFormatRuns) {
  const Tensor t = gaussian({8, 256}, 1); // whole K-quant super-blocks
  for (const FormatInfo& f : allFormats()) {
    SCOPED_TRACE(f.name);
    const auto r = quantize(t, cfg(f.name));
    EXPECT_EQ(r->dequantized.size(), t.values.size());
    EXPECT_TRUE(std::isfinite(r->metrics.mse));
    // int1 symmetric is the registry's {-scale, 0} grid: half the values become 0.
    EXPECT_GT(r->metrics.cosine, f.name == "int1" ? 0.4 : 0.5);
    // At least the code's own bits; TQ1_0 packs five 3-level codes into a byte,
    // so there only their information, log2(3) bits each.
    EXPECT_GE(r->metrics.bitsPerElement, f.name == "gguf:tq1_0" ? std::log2(3.0) : double(r->codeBits));
    EXPECT_FALSE(r->formatLabel.empty());
    if (f.family == "block") {
      EXPECT_NEAR(r->metrics.bitsPerElement, f.bitsPerElement, 1e-9);
    }
    for (size_t i = 0; i < t.values.size(); ++i)
      ASSERT_TRUE(std::isfinite(r->dequantized[i])) << i;
  }
}

// torch.tensor([...]).half().float() and .bfloat16().float()
TEST(QuantizeFormats, CastsMatchTorch) {
  Tensor t;
  t.name = "c";
  t.shape = {11};
  t.values = {1.0f,  -2.0f,       3.0f,     0.5f,           65519.0f,      65520.0f,
              1e-8f, -3.1415927f, 70000.0f, 1.00048828125f, 1.50146484375f};
  const std::vector<float> half = {1.0f, -2.0f,      3.0f,     0.5f, 65504.0f,    INFINITY,
                                   0.0f, -3.140625f, INFINITY, 1.0f, 1.501953125f};
  const std::vector<float> bf16 = {
      1.0f, -2.0f, 3.0f, 0.5f, 65536.0f, 65536.0f, 1.0011717677116394e-08f, -3.140625f, 70144.0f, 1.0f, 1.5f};
  const auto h = quantize(t, cfg("fp16"));
  EXPECT_EQ(h->dequantized, half);
  EXPECT_EQ(h->granularity.kind, GranularityKind::None);
  EXPECT_EQ(h->metrics.clippedFraction, 3.0 / 11); // beyond +-65504: 65519, 65520 and 70000
  EXPECT_EQ(h->codes[0], 0x3C00);
  EXPECT_EQ(quantize(t, cfg("bf16"))->dequantized, bf16);
  EXPECT_EQ(quantize(t, cfg("bf16"))->codes[1], 0xC000);
}

TEST(QuantizeFormats, ScaledFp8PerTensor) {
  const Tensor t = gaussian({4, 100}, 2, 3.0f);
  const auto r = quantize(t, cfg("fp8_e4m3"));
  float amax = 0;
  for (float v : t.values)
    amax = std::max(amax, std::fabs(v));
  const float scale = float(double(amax) / 448.0);
  ASSERT_EQ(r->scales.size(), 1u);
  EXPECT_EQ(r->scales[0], scale);
  for (size_t i = 0; i < t.values.size(); ++i)
    EXPECT_EQ(r->dequantized[i], fp8E4M3Format().round(t.values[i] / scale) * scale) << i;
  EXPECT_EQ(r->levels.size(), 253u); // 126 positive finite E4M3 values, their negatives, zero
}

// The blocked SIMD path for scaled floats against a per-element encode/decode
// of clamp(x) / scale, codes included: groups that straddle the kernel's
// 1024-value blocks, a clipping range that clamps, NaN and inf inputs.
TEST(QuantizeFormats, ScaledFloatsEqualElementwiseReference) {
  const std::pair<const char*, const FloatFormat*> formats[] = {{"fp8_e4m3", &fp8E4M3Format()},
                                                                {"fp8_e5m2", &fp8E5M2Format()},
                                                                {"fp8_e4m3fnuz", &fp8E4M3FnuzFormat()},
                                                                {"fp8_e5m2fnuz", &fp8E5M2FnuzFormat()},
                                                                {"fp6_e3m2", &fp6E3M2Format()},
                                                                {"fp6_e2m3", &fp6E2M3Format()},
                                                                {"fp4_e2m1", &fp4E2M1Format()},
                                                                {"fp16", &fp16Format()},
                                                                {"bf16", &bf16Format()}};
  Tensor t = gaussian({3, 3000}, 11, 2.0f);
  t.values[5] = NAN;
  t.values[2048] = INFINITY;
  t.values[7000] = -INFINITY;
  t.values[100] = 1e-30f; // subnormal after scaling in every format
  for (const auto& [name, format] : formats) {
    for (const auto& g :
         {Granularity{GranularityKind::Tensor, 0, 1}, Granularity{GranularityKind::Group, 0, 1500}}) {
      QuantConfig c = cfg(name, g);
      c.clipping.method = ClipMethod::Percentile;
      c.clipping.percentile = 99.0;
      const auto r = quantize(t, c);
      const int64_t groupLen = g.kind == GranularityKind::Tensor ? 9000 : 1500;
      for (size_t i = 0; i < t.values.size(); ++i) {
        const float x = t.values[i];
        const size_t s = i / size_t(groupLen);
        if (!std::isfinite(x)) {
          EXPECT_TRUE(std::memcmp(&r->dequantized[i], &x, 4) == 0) << name << " " << i;
          EXPECT_EQ(r->codes[i], 0) << name << " " << i;
          continue;
        }
        const float y = std::min(std::max(x, r->clipLo[s]), r->clipHi[s]) / r->scales[s];
        const uint32_t code = format->encode(y);
        ASSERT_EQ(uint32_t(r->codes[i]), code) << name << " " << i;
        ASSERT_EQ(r->dequantized[i], format->decode(code) * r->scales[s]) << name << " " << i;
      }
    }
  }
}

TEST(QuantizeFormats, CodebookIsNearestLevelTimesAbsmax) {
  const Tensor t = gaussian({6, 40}, 3);
  for (const char* name : {"nf4", "fp4_bnb", "iq4_nl_grid", "codebook"}) {
    const auto r = quantize(t, cfg(name, Granularity{GranularityKind::Group, 0, 16}));
    const Codebook cb = std::string(name) == "codebook"  ? makeUserCodebook(cfg(name).codebook)
                        : std::string(name) == "nf4"     ? nf4Codebook()
                        : std::string(name) == "fp4_bnb" ? fp4BnbCodebook()
                                                         : iq4nlCodebook();
    for (size_t i = 0; i < t.values.size(); ++i) {
      const size_t row = i / 40, group = (i % 40) / 16;
      const float s = r->scales[row * 3 + group];
      float best = INFINITY;
      for (float l : cb.levels)
        best = std::min(best, std::fabs(t.values[i] - l * s));
      EXPECT_EQ(std::fabs(t.values[i] - r->dequantized[i]), best) << name << " " << i;
    }
  }
}

TEST(QuantizeFormats, BinaryAndTernaryTwn) {
  const Tensor t = gaussian({3, 50}, 4);
  const auto b = quantize(t, cfg("binary"));
  const auto tw = quantize(t, cfg("ternary"));
  for (int row = 0; row < 3; ++row) {
    double mean = 0;
    for (int j = 0; j < 50; ++j)
      mean += std::fabs(t.values[size_t(row * 50 + j)]);
    mean /= 50;
    const double delta = 0.7 * mean;
    double s = 0;
    int c = 0;
    for (int j = 0; j < 50; ++j) {
      const float a = std::fabs(t.values[size_t(row * 50 + j)]);
      if (a > float(delta)) {
        s += a;
        ++c;
      }
    }
    const float alpha = float(s / c);
    EXPECT_FLOAT_EQ(b->scales[size_t(row)], float(mean));
    EXPECT_FLOAT_EQ(tw->scales[size_t(row)], alpha);
    for (int j = 0; j < 50; ++j) {
      const size_t i = size_t(row * 50 + j);
      const float x = t.values[i];
      EXPECT_EQ(b->dequantized[i], x >= 0 ? b->scales[size_t(row)] : -b->scales[size_t(row)]);
      const float expect = x > float(delta)    ? tw->scales[size_t(row)]
                           : x < -float(delta) ? -tw->scales[size_t(row)]
                                               : 0.0f;
      EXPECT_EQ(tw->dequantized[i], expect);
    }
  }
}

TEST(QuantizeFormats, KMeansLevelsPerSegment) {
  const Tensor t = gaussian({4, 200}, 5);
  const auto r = quantize(t, cfg("kmeans3"));
  ASSERT_EQ(r->segmentLevels.size(), 4u * 8u);
  for (size_t i = 0; i < t.values.size(); ++i) {
    const float* lv = r->segmentLevels.data() + (i / 200) * 8;
    float best = INFINITY;
    for (int k = 0; k < 8; ++k)
      best = std::min(best, std::fabs(t.values[i] - lv[k]));
    EXPECT_EQ(std::fabs(t.values[i] - r->dequantized[i]), best);
  }
  EXPECT_EQ(quantize(t, cfg("kmeans3"))->dequantized, r->dequantized); // deterministic
  EXPECT_DOUBLE_EQ(r->metrics.bitsPerElement, 3 + 8 * 32.0 / 200);
}

GgufType ggufTypeNamed(const std::string& name) {
  for (GgufType t : {GgufType::Q8_0, GgufType::Q4_0, GgufType::Q4_1, GgufType::Q5_0, GgufType::Q5_1})
    if (findFormat(ggufTypeInfo(t).name).name == findFormat(name).name)
      return t;
  throw Error("not a legacy GGUF type: " + name);
}

TEST(QuantizeFormats, BlocksMatchTheFormatPrimitives) {
  const Tensor t = gaussian({3, 96}, 6);
  for (const char* name : {"q8_0", "q4_0", "q4_1", "q5_0", "q5_1"}) {
    QuantConfig c = cfg(name, Granularity{GranularityKind::Channel, 0, 1}); // overridden by the format
    const auto r = quantize(t, c);
    EXPECT_NE(r->formatLabel.find("fixed by the format"), std::string::npos);
    EXPECT_EQ(r->scaleShape, (Shape{3, 3}));
    const GgufType type = ggufTypeNamed(name);
    std::vector<uint8_t> bytes(3 * 96 * 2);
    std::vector<float> expect(t.values.size());
    for (int row = 0; row < 3; ++row) {
      ggufQuantizeRow(type, t.values.data() + row * 96, bytes.data(), 96);
      ggufDequantizeRow(type, bytes.data(), expect.data() + row * 96, 96);
    }
    EXPECT_EQ(r->dequantized, expect) << name;
    // Codes reproduce the values through the levels of each block.
    const int bias = std::string(name) == "q4_0" ? 8 : std::string(name) == "q5_0" ? 16 : 0;
    for (size_t i = 0; i < 96; ++i) {
      const float d = r->scales[i / 32];
      const float m = r->offsets.empty() ? 0.0f : r->offsets[i / 32];
      EXPECT_EQ(float(r->codes[i] - bias) * d + m, r->dequantized[i]) << name << " " << i;
    }
  }
  for (MxElement e : {MxElement::Fp8E4M3, MxElement::Fp4E2M1, MxElement::Int8}) {
    const char* name = e == MxElement::Fp8E4M3 ? "mxfp8_e4m3" : e == MxElement::Fp4E2M1 ? "mxfp4" : "mxint8";
    const auto r = quantize(t, cfg(name));
    std::vector<float> expect(t.values.size());
    uint8_t codes[32];
    for (size_t b = 0; b < t.values.size() / 32; ++b)
      mxQuantizeBlock(e, t.values.data() + b * 32, 32, codes, expect.data() + b * 32);
    EXPECT_EQ(r->dequantized, expect) << name;
  }
}

// q(q(x)) == q(x) where the grid of q(x) is the grid of x: casts, and
// absmax-scaled grids whose top level is +-1 (the absmax stays a level).
TEST(QuantizeFormats, IdempotentSchemes) {
  const Tensor t = gaussian({16, 128}, 9);
  for (const auto& c :
       {cfg("fp16"), cfg("bf16"), cfg("nf4", Granularity{GranularityKind::Group, 0, 32}),
        cfg("int4", Granularity{GranularityKind::Group, 0, 32}), cfg("fp8_e5m2", Granularity{})}) {
    const auto once = quantize(t, c);
    Tensor again = t;
    again.values = once->dequantized;
    EXPECT_EQ(fakeQuantize(again, c), once->dequantized) << c.format;
  }
}

TEST(QuantizeFormats, SimdIntKernelEqualsReference) {
#if QS_HAVE_AVX2
  if (!simd::useAvx2())
    GTEST_SKIP() << "no AVX2 on this CPU";
  std::mt19937 rng(7);
  std::normal_distribution<float> d(0, 50);
  std::vector<float> x(1003);
  for (float& v : x)
    v = d(rng);
  x[5] = NAN;
  x[100] = INFINITY;
  x[101] = -INFINITY;
  x[200] = 1e30f;
  x[201] = -1e30f;
  x[300] = 0.5f * 0.37f; // exact half-way cases for scale 0.37
  x[301] = 1.5f * 0.37f;
  for (int32_t zp : {0, 3, 200}) {
    SegmentParams p;
    p.scale = 0.37f;
    p.invScale = 1.0f / p.scale;
    p.zeroPoint = zp;
    std::vector<float> a(x.size()), b(x.size());
    std::vector<int32_t> ca(x.size()), cb(x.size());
    applyIntNearest(p, zp ? 0 : -128, zp ? 255 : 127, x.data(), int64_t(x.size()), a.data(), ca.data());
    applyIntNearestScalar(p, zp ? 0 : -128, zp ? 255 : 127, x.data(), int64_t(x.size()), b.data(), cb.data());
    EXPECT_EQ(ca, cb);
    for (size_t i = 0; i < x.size(); ++i)
      EXPECT_TRUE(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))) << i;
  }
#else
  GTEST_SKIP() << "built without SIMD";
#endif
}

TEST(QuantizeStochastic, UnbiasedReproducibleThreadIndependent) {
  // A fixed grid (step 0.01 from the 1.27 anchor) and many copies of 0.3033:
  // the average must approach 0.3033, not the nearest level 0.30.
  Tensor t;
  t.name = "s";
  t.shape = {300000};
  t.values.assign(300000, 0.3033f);
  t.values[0] = 1.27f;
  QuantConfig c = cfg("int8", Granularity{GranularityKind::Tensor, 0, 1});
  c.rounding = Rounding::Stochastic;
  c.seed = 42;
  const auto r = quantize(t, c);
  double sum = 0;
  for (size_t i = 1; i < t.values.size(); ++i) {
    const float q = r->dequantized[i];
    EXPECT_TRUE(q == 0.3f || q == 0.31f || std::fabs(q - 0.3f) < 1e-6f || std::fabs(q - 0.31f) < 1e-6f) << q;
    sum += q;
  }
  const double mean = sum / double(t.values.size() - 1);
  EXPECT_NEAR(mean, 0.3033, 3 * 0.01 * 0.5 / std::sqrt(300000.0) + 1e-6);
  // Same seed: identical, whatever the thread count; another seed: different.
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = quantize(t, c);
  omp_set_num_threads(std::max(2, threads));
  const auto two = quantize(t, c);
  omp_set_num_threads(threads);
  EXPECT_EQ(one->dequantized, r->dequantized);
  EXPECT_EQ(two->dequantized, r->dequantized);
  c.seed = 43;
  EXPECT_NE(quantize(t, c)->dequantized, r->dequantized);
  // Other families round stochastically too and stay on their grids.
  for (const char* f : {"nf4", "fp8_e4m3", "bf16", "ternary", "binary"}) {
    QuantConfig s = cfg(f);
    s.rounding = Rounding::Stochastic;
    const Tensor g = gaussian({16, 64}, 8);
    const auto a = quantize(g, s), b = quantize(g, s);
    EXPECT_EQ(a->dequantized, b->dequantized) << f;
    EXPECT_GT(a->metrics.cosine, 0.5) << f;
  }
}

} // namespace
} // namespace qs
