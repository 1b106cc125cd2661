// Integer quantization against PyTorch on fixed vectors, and the properties
// every uniform grid must have.
#include "core/pipeline/quantize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace qs {
namespace {

Tensor small3x6() {
  Tensor t;
  t.name = "w";
  t.shape = {3, 6};
  t.values = {-1.5f,  -0.33f, 0.0f,    0.25f, 0.9f,  2.2f,  0.01f, -0.02f,  0.03f,
              -0.04f, 0.05f,  0.0625f, 3.0f,  -7.5f, 1.25f, 0.5f,  -0.125f, 6.0f};
  return t;
}

QuantConfig cfg(const char* format, GranularityKind kind = GranularityKind::Channel, int axis = 0,
                int64_t group = 128) {
  QuantConfig c;
  c.format = format;
  c.granularity = Granularity{kind, axis, group};
  return c;
}

// /usr/bin/python3:
//   x = torch.tensor(<small3x6>); scale = x.abs().amax(dim=1) / 127
//   torch.fake_quantize_per_channel_affine(x, scale, torch.zeros(3, dtype=torch.int32), 0, -128, 127)
TEST(QuantizeInt, Int8PerChannelMatchesTorch) {
  const float expected[] = {-1.5070866346359253f,
                            -0.32913386821746826f,
                            0.0f,
                            0.24251967668533325f,
                            0.9007874131202698f,
                            2.200000047683716f,
                            0.009842519648373127f,
                            -0.020177165046334267f,
                            0.030019685626029968f,
                            -0.03986220434308052f,
                            0.050196848809719086f,
                            0.0625f,
                            3.0118110179901123f,
                            -7.5f,
                            1.2401574850082397f,
                            0.4724409580230713f,
                            -0.11811023950576782f,
                            6.023622035980225f};
  const float scales[] = {0.017322834581136703f, 0.0004921259824186563f, 0.05905511975288391f};
  auto r = quantize(small3x6(), cfg("int8"));
  ASSERT_EQ(r->dequantized.size(), 18u);
  for (int i = 0; i < 18; ++i)
    EXPECT_EQ(r->dequantized[size_t(i)], expected[i]) << i;
  ASSERT_EQ(r->scales.size(), 3u);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(r->scales[size_t(i)], scales[i]);
  EXPECT_EQ(r->scaleShape, (Shape{3}));
  EXPECT_TRUE(r->zeroPoints.empty());
  EXPECT_EQ(r->codes[0], -87);
  EXPECT_EQ(fakeQuantize(small3x6(), cfg("int8")), r->dequantized);
}

// obs = MinMaxObserver(dtype=torch.quint8, qscheme=torch.per_tensor_affine, quant_min=0, quant_max=15)
// obs(x); s, z = obs.calculate_qparams()                       -> 0.8999999761581421, 8
// torch.fake_quantize_per_tensor_affine(x, s, z, 0, 15); torch.quantize_per_tensor(...).int_repr()
TEST(QuantizeInt, Uint4AffinePerTensorMatchesTorch) {
  const float expected[] = {-1.7999999523162842f,
                            0,
                            0,
                            0,
                            0.8999999761581421f,
                            1.7999999523162842f,
                            0,
                            0,
                            0,
                            0,
                            0,
                            0,
                            2.6999998092651367f,
                            -7.199999809265137f,
                            0.8999999761581421f,
                            0.8999999761581421f,
                            0,
                            6.299999713897705f};
  const int32_t codes[] = {6, 8, 8, 8, 9, 10, 8, 8, 8, 8, 8, 8, 11, 0, 9, 9, 8, 15};
  QuantConfig c = cfg("int4", GranularityKind::Tensor);
  c.symmetric = false;
  auto r = quantize(small3x6(), c);
  for (int i = 0; i < 18; ++i) {
    EXPECT_EQ(r->dequantized[size_t(i)], expected[i]) << i;
    EXPECT_EQ(r->codes[size_t(i)], codes[i]) << i;
  }
  ASSERT_EQ(r->scales.size(), 1u);
  EXPECT_EQ(r->scales[0], 0.8999999761581421f);
  ASSERT_EQ(r->zeroPoints.size(), 1u);
  EXPECT_EQ(r->zeroPoints[0], 8);
  EXPECT_EQ(r->codeMin, 0);
  ASSERT_EQ(r->codeCounts.size(), 16u);
  EXPECT_EQ(r->codeCounts[8], 10.0);
}

Tensor gaussian(Shape shape, uint32_t seed) {
  Tensor t;
  t.name = "g";
  t.shape = shape;
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, 1.0f);
  t.values.resize(size_t(shapeNumel(shape)));
  for (float& v : t.values)
    v = d(rng);
  return t;
}

class IntBits : public ::testing::TestWithParam<std::tuple<int, bool>> {};

// q(q(x)) == q(x); |x - q(x)| <= scale/2 inside the clip range; monotonic.
TEST_P(IntBits, GridProperties) {
  const auto [bits, symmetric] = GetParam();
  Tensor t = gaussian({16, 64}, 7u + unsigned(bits));
  QuantConfig c = cfg(("int" + std::to_string(bits)).c_str());
  c.symmetric = symmetric;
  auto r = quantize(t, c);
  Tensor again = t;
  again.values = r->dequantized;
  // Re-quantizing with the same scales: fixed scales come from the same ranges
  // only for symmetric grids whose amax is a level; compare with the first scales.
  for (int64_t row = 0; row < 16; ++row) {
    const float s = r->scales[size_t(row)];
    const int32_t zp = symmetric ? 0 : r->zeroPoints[size_t(row)];
    for (int64_t j = 0; j < 64; ++j) {
      const size_t i = size_t(row * 64 + j);
      const float x = t.values[i], q = r->dequantized[i];
      EXPECT_LE(std::fabs(x - q), s / 2 * (1 + 1e-6f) + 1e-7f) << "bits " << bits << " at " << i;
      const float code = std::nearbyint(q / s) + float(zp);
      EXPECT_EQ(float(r->codes[i]), code);
      EXPECT_EQ((float(r->codes[i]) - float(zp)) * s, q);
      for (int64_t k = 0; k < 64; ++k) { // monotonic within the row
        const size_t i2 = size_t(row * 64 + k);
        if (t.values[i2] > x) {
          EXPECT_GE(r->dequantized[i2], q);
        }
      }
    }
  }
  if (symmetric) { // idempotent: the row absmax stays a level, so scales and values repeat
    auto r2 = quantize(again, c);
    EXPECT_EQ(r2->dequantized, r->dequantized);
  }
}

INSTANTIATE_TEST_SUITE_P(All, IntBits,
                         ::testing::Combine(::testing::Values(2, 3, 4, 5, 6, 7, 8), ::testing::Bool()));

TEST(QuantizeInt, Int16AndInt1) {
  Tensor t = gaussian({4, 32}, 3);
  auto r16 = quantize(t, cfg("int16"));
  EXPECT_GT(r16->metrics.sqnrDb, 90.0);
  EXPECT_EQ(r16->codeCounts.size(), 65536u);
  // int1 symmetric: codes {-1, 0} times scale = amax (the registry's definition).
  auto r1 = quantize(t, cfg("int1"));
  for (size_t i = 0; i < t.values.size(); ++i)
    EXPECT_TRUE(r1->codes[i] == -1 || r1->codes[i] == 0);
}

} // namespace
} // namespace qs
