// Layer inputs: weight/activation flattening, the seeded token split, the
// HistogramObserver L2 search against PyTorch, activation statistics and
// static / dynamic activation quantization.
#include "core/calib/histogram_l2.h"
#include "core/error.h"
#include "core/layer/activation_quant.h"
#include "core/layer/activation_stats.h"
#include "core/layer/layer_input.h"
#include "core/layer/synthetic_layer.h"
#include "core/pipeline/quantize.h"
#include "layer_test_util.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>

namespace qs {
namespace {

Tensor iota(const Shape& shape) {
  Tensor t;
  t.name = "t";
  t.shape = shape;
  t.values.resize(size_t(shapeNumel(shape)));
  std::iota(t.values.begin(), t.values.end(), 0.0f);
  return t;
}

TEST(LayerInput, ConvOneByOneIsLinear) {
  const Tensor w = linearWeight(iota({6, 4, 1, 1}));
  EXPECT_EQ(w.shape, (Shape{6, 4}));
  EXPECT_EQ(w.values, iota({6, 4}).values);
  EXPECT_EQ(linearWeight(iota({6, 4})).shape, (Shape{6, 4}));
  EXPECT_THROW(linearWeight(iota({6, 4, 3, 3})), Error);
  EXPECT_THROW(linearWeight(iota({6})), Error);
}

TEST(LayerInput, BatchSeqFlattens) {
  const FlatActivations f = flattenActivations(iota({2, 3, 4}), 4);
  EXPECT_EQ(f.layout, ActivationLayout::BatchSeq);
  EXPECT_EQ(f.tokens.shape, (Shape{6, 4}));
  EXPECT_EQ(f.tokens.values, iota({6, 4}).values);
  EXPECT_NE(f.how.find("[B*S, C]"), std::string::npos);
  EXPECT_THROW(flattenActivations(iota({2, 3, 5}), 4), Error);
}

TEST(LayerInput, NchwPermutesChannelsLast) {
  const Tensor x = iota({2, 3, 2, 2}); // N=2, C=3, H=W=2
  const FlatActivations f = flattenActivations(x, 3);
  EXPECT_EQ(f.layout, ActivationLayout::Nchw);
  ASSERT_EQ(f.tokens.shape, (Shape{8, 3}));
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t p = 0; p < 4; ++p)
        EXPECT_EQ(f.tokens.values[size_t((n * 4 + p) * 3 + c)], x.values[size_t((n * 3 + c) * 4 + p)]);
  // [N, H, W, C] when only the last dimension matches.
  const FlatActivations g = flattenActivations(iota({2, 2, 2, 5}), 5);
  EXPECT_EQ(g.layout, ActivationLayout::Nhwc);
  EXPECT_EQ(g.tokens.values, iota({8, 5}).values);
}

TEST(LayerInput, SplitIsSeededDisjointAndComplete) {
  const TokenSplit a = splitTokens(1000, 0.25, 0, 42);
  const TokenSplit b = splitTokens(1000, 0.25, 0, 42);
  const TokenSplit c = splitTokens(1000, 0.25, 0, 43);
  EXPECT_EQ(a.calibration, b.calibration);
  EXPECT_NE(a.calibration, c.calibration);
  EXPECT_EQ(a.calibration.size(), 250u);
  EXPECT_EQ(a.evaluation.size(), 750u);
  std::set<int64_t> all(a.calibration.begin(), a.calibration.end());
  all.insert(a.evaluation.begin(), a.evaluation.end());
  EXPECT_EQ(all.size(), 1000u);
  EXPECT_TRUE(std::is_sorted(a.calibration.begin(), a.calibration.end()));
  EXPECT_EQ(splitTokens(10, 0.5, 3, 0).calibration.size(), 3u);  // count wins
  EXPECT_EQ(splitTokens(10, 0.01, 0, 0).calibration.size(), 1u); // at least one each
  EXPECT_THROW(splitTokens(1, 0.5, 0, 0), Error);
  EXPECT_THROW(splitTokens(10, 1.5, 0, 0), Error);
}

TEST(HistogramL2, MatchesTorchHistogramObserver) {
  for (int seedBits : {0, 2}) {
    SyntheticLayerSpec spec;
    spec.inFeatures = 64;
    spec.tokens = 600;
    spec.outlierChannels = 2;
    spec.seed = uint64_t(seedBits);
    const SyntheticLayer L = makeSyntheticLayer(spec);
    const int bits = seedBits == 2 ? 4 : 8;
    const std::string in = layertest::outPath("hl2_x.f32"), out = layertest::outPath("hl2.json");
    layertest::writeRaw(in, L.input.values);
    layertest::runRef("hist_l2 " + in + " " + std::to_string(bits) + " " + out);
    std::ifstream f(out);
    const auto want = nlohmann::json::parse(f);
    const HistogramL2Range got = histogramL2Range(L.input.values.data(), L.input.numel(), 1 << bits);
    EXPECT_FLOAT_EQ(got.min, want["min"].get<float>()) << "seed " << seedBits;
    EXPECT_FLOAT_EQ(got.max, want["max"].get<float>()) << "seed " << seedBits;
    // The outliers make the search clip: the range is narrower than min/max.
    const auto [mn, mx] = std::minmax_element(L.input.values.begin(), L.input.values.end());
    EXPECT_LT(got.max - got.min, *mx - *mn);
  }
}

TEST(HistogramL2, HistcBinsLikeTorch) {
  // Bins of width 0.75 over [1, 4]; 0, 0.5 and 5 are outside; 4 (the max) goes to the last bin.
  const std::vector<float> x = {0.0f, 0.5f, 1.0f, 1.7f, 1.8f, 3.0f, 4.0f, 5.0f};
  const std::vector<float> h = histc(x.data(), int64_t(x.size()), 4, 1.0f, 4.0f);
  EXPECT_EQ(h, (std::vector<float>{2, 1, 1, 1}));
}

TEST(ActivationStats, ChannelsTokensAndOutliers) {
  SyntheticLayerSpec spec;
  spec.inFeatures = 128;
  spec.tokens = 256;
  spec.outlierChannels = 3;
  const SyntheticLayer L = makeSyntheticLayer(spec);
  const ActivationStats st = activationStats(L.input);
  EXPECT_EQ(st.outlierChannels, L.outlierChannels);
  for (int64_t j = 0; j < 128; j += 17) {
    float m = 0;
    double s = 0;
    for (int64_t t = 0; t < 256; ++t) {
      m = std::max(m, std::fabs(L.input.values[size_t(t * 128 + j)]));
      s += std::fabs(L.input.values[size_t(t * 128 + j)]);
    }
    EXPECT_EQ(st.channelAbsMax[size_t(j)], m);
    EXPECT_NEAR(st.channelMeanAbs[size_t(j)], s / 256, 1e-5 * s / 256);
  }
  const auto [lo, hi] = std::minmax_element(L.input.values.begin(), L.input.values.begin() + 128);
  EXPECT_EQ(st.tokenMin[0], *lo);
  EXPECT_EQ(st.tokenMax[0], *hi);
  // LLM.int8 rule: any |x| > 6.
  const ActivationStats abs6 = activationStats(L.input, OutlierRule::Absolute, 6.0);
  for (int64_t j : abs6.outlierChannels)
    EXPECT_GT(abs6.channelAbsMax[size_t(j)], 6.0f);
  for (int64_t j : L.outlierChannels)
    EXPECT_TRUE(std::binary_search(abs6.outlierChannels.begin(), abs6.outlierChannels.end(), j));
}

TEST(ActivationQuant, StaticRangeClipsHeldOutValues) {
  SyntheticLayerSpec spec;
  spec.inFeatures = 64;
  spec.tokens = 400;
  const SyntheticLayer L = makeSyntheticLayer(spec);
  const TokenSplit split = splitTokens(400, 0.5, 0, 1);
  const Tensor xc = gatherRows(L.input, split.calibration), xe = gatherRows(L.input, split.evaluation);
  ActQuantConfig cfg;
  cfg.format = "int8";
  cfg.mode = ActMode::Static;
  const ActCalibration cal = calibrateActivations(xc, cfg);
  const auto [mn, mx] = std::minmax_element(xc.values.begin(), xc.values.end());
  EXPECT_EQ(cal.lo, *mn);
  EXPECT_EQ(cal.hi, *mx);
  const ActQuantized q = quantizeActivations(xe, cfg, cal);
  const float amax = std::max(-cal.lo, cal.hi);
  int64_t outside = 0;
  for (float v : xe.values)
    outside += std::fabs(v) > amax;
  EXPECT_EQ(q.clipped, outside);
  EXPECT_EQ(q.count, xe.numel());
  const float scale = amax / 127.0f;
  for (size_t i = 0; i < xe.values.size(); ++i) {
    const float want = std::clamp(std::nearbyint(xe.values[i] * (1.0f / scale)), -128.0f, 127.0f) * scale;
    ASSERT_NEAR(q.values[i], want, 1e-6f * amax) << i;
  }
  // Percentile calibration narrows the range and clips more.
  cfg.range = ActRange::Percentile;
  cfg.percentile = 99.0;
  const ActQuantized qp = quantizeActivations(xe, cfg, calibrateActivations(xc, cfg));
  EXPECT_GT(qp.clipped, q.clipped);
}

TEST(ActivationQuant, DynamicPerTokenUsesRowScales) {
  SyntheticLayerSpec spec;
  spec.inFeatures = 32;
  spec.tokens = 16;
  const SyntheticLayer L = makeSyntheticLayer(spec);
  ActQuantConfig cfg;
  cfg.format = "int8";
  cfg.mode = ActMode::DynamicToken;
  const ActQuantized q = quantizeActivations(L.input, cfg, {});
  EXPECT_EQ(q.clipped, 0);
  for (int64_t t = 0; t < 16; ++t) {
    float amax = 0;
    for (int64_t j = 0; j < 32; ++j)
      amax = std::max(amax, std::fabs(L.input.values[size_t(t * 32 + j)]));
    const float scale = amax / 127.0f;
    for (int64_t j = 0; j < 32; ++j) {
      const float x = L.input.values[size_t(t * 32 + j)];
      EXPECT_NEAR(q.values[size_t(t * 32 + j)], std::nearbyint(x * (1.0f / scale)) * scale, 1e-6f * amax);
    }
  }
  ActQuantConfig none;
  EXPECT_FALSE(none.quantized());
  EXPECT_EQ(quantizeActivations(L.input, none, {}).values, L.input.values);
  EXPECT_THROW(actModeFromString("sometimes"), Error);
}

TEST(ActivationQuant, EveryStaticRangeMethodRuns) {
  SyntheticLayerSpec spec;
  spec.inFeatures = 64;
  spec.tokens = 300;
  spec.outlierChannels = 2;
  const SyntheticLayer L = makeSyntheticLayer(spec);
  ActQuantConfig cfg;
  cfg.format = "int8";
  const ActCalibration mm = calibrateActivations(L.input, cfg);
  for (ActRange r : {ActRange::Percentile, ActRange::Mse, ActRange::Kl, ActRange::HistogramL2}) {
    cfg.range = r;
    const ActCalibration c = calibrateActivations(L.input, cfg);
    EXPECT_LE(c.hi, mm.hi) << toString(r);
    EXPECT_GE(c.lo, mm.lo) << toString(r);
    EXPECT_GT(c.hi, 0.0f) << toString(r);
    EXPECT_EQ(actRangeFromString(toString(r)), r);
  }
}

} // namespace
} // namespace qs
