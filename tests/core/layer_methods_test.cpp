// Layer methods on synthetic layers: SmoothQuant scales against the reference
// formula (PyTorch), the smoothing identity, and the behaviour the methods
// exist for: with planted activation outlier channels SmoothQuant and AWQ
// beat RTN, GPTQ beats RTN at 4 bits; with an identity-like W and no
// outliers all methods agree.
#include "core/error.h"
#include "core/layer/activation_stats.h"
#include "core/layer/awq.h"
#include "core/layer/layer_compare.h"
#include "core/layer/smoothquant.h"
#include "core/layer/synthetic_layer.h"
#include "layer_test_util.h"

#include <cmath>
#include <gtest/gtest.h>

namespace qs {
namespace {

SyntheticLayer outlierLayer(uint64_t seed = 11) {
  SyntheticLayerSpec spec;
  spec.outFeatures = 256;
  spec.inFeatures = 512;
  spec.tokens = 1024;
  spec.outlierChannels = 6;
  spec.seed = seed;
  return makeSyntheticLayer(spec);
}

const LayerMethodResult& find(const LayerReport& r, LayerMethod m) {
  for (const auto& x : r.methods)
    if (x.method == m)
      return x;
  throw Error("method missing");
}

TEST(SmoothQuant, ScalesMatchReferenceFormula) {
  std::vector<float> act, w;
  for (int i = 0; i < 200; ++i) {
    act.push_back(i == 3 ? 0.0f : 0.01f + 0.37f * float(i % 23) + (i % 50 == 0 ? 80.0f : 0.0f));
    w.push_back(i == 5 ? 0.0f : 0.002f + 0.013f * float(i % 17));
  }
  layertest::writeRaw(layertest::outPath("sq_act.f32"), act);
  layertest::writeRaw(layertest::outPath("sq_w.f32"), w);
  const std::vector<double> alphas = {0.0, 0.5, 0.85, 1.0};
  const std::string out = layertest::outPath("sq_s.f32");
  layertest::runRef("smooth " + layertest::outPath("sq_act.f32") + " " + layertest::outPath("sq_w.f32") +
                    " 0,0.5,0.85,1 " + out);
  const std::vector<float> want = layertest::readRaw<float>(out);
  ASSERT_EQ(want.size(), alphas.size() * act.size());
  for (size_t a = 0; a < alphas.size(); ++a) {
    const std::vector<float> got = smoothQuantScales(act, w, alphas[a]);
    for (size_t j = 0; j < got.size(); ++j) {
      const float ref = want[a * act.size() + j];
      EXPECT_NEAR(got[j], ref, 1e-6f * ref) << "alpha " << alphas[a] << " channel " << j;
    }
  }
  EXPECT_THROW(smoothQuantScales(act, w, 1.5), Error);
  EXPECT_THROW(smoothQuantScales(act, {1.0f}, 0.5), Error);
}

TEST(SmoothQuant, MigrationKeepsTheProduct) {
  const SyntheticLayer L = outlierLayer();
  const int64_t out = 256, in = 512, n = 64;
  std::vector<float> actMax(in, 0.0f), wMax = columnAbsMax(L.weight.values.data(), out, in);
  for (int64_t t = 0; t < n; ++t)
    for (int64_t j = 0; j < in; ++j)
      actMax[size_t(j)] = std::max(actMax[size_t(j)], std::fabs(L.input.values[size_t(t * in + j)]));
  const std::vector<float> s = smoothQuantScales(actMax, wMax, 0.5);
  std::vector<float> x(L.input.values.begin(), L.input.values.begin() + n * in), w = L.weight.values;
  scaleColumns(x, n, in, s, true);
  scaleColumns(w, out, in, s, false);
  // After smoothing the outlier channels are tame: max|X_j/s_j| = sqrt(max|X_j| max|W_j|).
  for (int64_t j : L.outlierChannels) {
    float m = 0;
    for (int64_t t = 0; t < n; ++t)
      m = std::max(m, std::fabs(x[size_t(t * in + j)]));
    EXPECT_NEAR(m, std::sqrt(actMax[size_t(j)] * wMax[size_t(j)]), 1e-4f * m);
  }
  for (int64_t t = 0; t < n; t += 7)
    for (int64_t o = 0; o < out; o += 5) {
      double a = 0, b = 0, mag = 0;
      for (int64_t j = 0; j < in; ++j) {
        a += double(L.input.values[size_t(t * in + j)]) * L.weight.values[size_t(o * in + j)];
        b += double(x[size_t(t * in + j)]) * w[size_t(o * in + j)];
        mag += std::fabs(double(L.input.values[size_t(t * in + j)]) * L.weight.values[size_t(o * in + j)]);
      }
      EXPECT_NEAR(a, b, 1e-6 * mag);
    }
}

TEST(Awq, AlphaZeroIsRtnAndScalesAreNormalised) {
  const std::vector<float> mean = {0.5f, 2.0f, 8.0f, 0.0f};
  for (float v : awqScales(mean, 0.0))
    EXPECT_EQ(v, 1.0f);
  const std::vector<float> s = awqScales(mean, 1.0);
  // s = max(mean, 1e-4) / sqrt(max * min)
  const float norm = std::sqrt(8.0f * 1e-4f);
  EXPECT_NEAR(s[0], 0.5f / norm, 1e-6f * s[0]);
  EXPECT_NEAR(s[2], 8.0f / norm, 1e-6f * s[2]);
  EXPECT_NEAR(s[3], 1e-4f / norm, 1e-6f * s[3]);
}

TEST(LayerCompare, SmoothQuantBeatsRtnAtW8A8WithOutliers) {
  const SyntheticLayer L = outlierLayer();
  LayerOptions opt;
  opt.weight.format = "int8";
  opt.weight.granularity = Granularity{GranularityKind::Channel, 0, 128};
  opt.activation.format = "int8";
  opt.activation.mode = ActMode::Static;
  opt.methods = {LayerMethod::Rtn, LayerMethod::SmoothQuant};
  const LayerReport r = runLayerComparison(L.weight, L.input, opt);
  const double rtn = find(r, LayerMethod::Rtn).output.sqnrDb;
  const double sq = find(r, LayerMethod::SmoothQuant).output.sqnrDb;
  EXPECT_GT(sq, rtn + 6.0) << "RTN " << rtn << " dB, SmoothQuant " << sq << " dB";
  // The outliers are what the calibration statistics show, and smoothing shrinks them.
  EXPECT_EQ(r.calibration.outlierChannels, L.outlierChannels);
  const auto& s = find(r, LayerMethod::SmoothQuant);
  for (int64_t j : L.outlierChannels)
    EXPECT_LT(s.smoothedAbsMax[size_t(j)], 0.2f * r.calibration.channelAbsMax[size_t(j)]);
}

TEST(LayerCompare, AwqAndGptqBeatRtnAtW4A16) {
  const SyntheticLayer L = outlierLayer(12);
  LayerOptions opt; // int4 sym, group 128, activations float
  opt.methods = {LayerMethod::Rtn, LayerMethod::Awq, LayerMethod::Gptq};
  const LayerReport r = runLayerComparison(L.weight, L.input, opt);
  const double rtn = find(r, LayerMethod::Rtn).output.sqnrDb;
  const auto& awq = find(r, LayerMethod::Awq);
  const auto& gptq = find(r, LayerMethod::Gptq);
  EXPECT_GT(awq.output.sqnrDb, rtn + 1.0) << "RTN " << rtn << " AWQ " << awq.output.sqnrDb;
  EXPECT_GT(gptq.output.sqnrDb, rtn + 1.0) << "RTN " << rtn << " GPTQ " << gptq.output.sqnrDb;
  EXPECT_GT(awq.alpha, 0.0);
  ASSERT_EQ(awq.gridAlpha.size(), 21u);
  EXPECT_DOUBLE_EQ(awq.gridAlpha.back(), 1.0);
  // The grid's alpha-0 point is RTN on the calibration tokens; the chosen one is the minimum.
  const double best = *std::min_element(awq.gridLoss.begin(), awq.gridLoss.end());
  EXPECT_LE(best, awq.gridLoss[0]);
  // GPTQ trades weight error for output error.
  EXPECT_GT(gptq.weight.mse, find(r, LayerMethod::Rtn).weight.mse);
}

TEST(LayerCompare, GptqBeatsRtnAtFourBitsPerChannel) {
  const SyntheticLayer L = outlierLayer(13);
  LayerOptions opt;
  opt.weight.granularity = Granularity{GranularityKind::Channel, 0, 128};
  opt.methods = {LayerMethod::Rtn, LayerMethod::Gptq};
  opt.gptq.actOrder = true;
  const LayerReport r = runLayerComparison(L.weight, L.input, opt);
  EXPECT_GT(find(r, LayerMethod::Gptq).output.sqnrDb, find(r, LayerMethod::Rtn).output.sqnrDb + 2.0);
}

TEST(LayerCompare, IdentityLikeLayerWithoutOutliersIsNeutral) {
  SyntheticLayerSpec spec;
  spec.outFeatures = spec.inFeatures = 256;
  spec.tokens = 2048; // GPTQ needs calibration tokens >> inputs not to fit noise
  spec.identityLike = true;
  const SyntheticLayer L = makeSyntheticLayer(spec);
  LayerOptions opt;
  opt.weight.format = "int8";
  opt.activation.format = "int8";
  opt.activation.mode = ActMode::DynamicToken;
  // Not the Hadamard rotation: it spreads W's diagonal over whole rows, which
  // per-channel INT8 then resolves far better (+10 dB), so it is not neutral here.
  opt.methods = {LayerMethod::Rtn, LayerMethod::SmoothQuant, LayerMethod::Awq, LayerMethod::Gptq};
  const LayerReport r = runLayerComparison(L.weight, L.input, opt);
  ASSERT_EQ(r.methods.size(), 4u);
  EXPECT_TRUE(r.calibration.outlierChannels.empty());
  const double rtn = r.methods[0].output.sqnrDb;
  for (const auto& m : r.methods) {
    EXPECT_NEAR(m.output.sqnrDb, rtn, 1.0) << m.label;
    EXPECT_GT(m.output.cosine, 0.999) << m.label;
  }
}

TEST(LayerCompare, ReportShapesAndHistograms) {
  SyntheticLayerSpec spec;
  spec.outFeatures = 64;
  spec.inFeatures = 128;
  spec.tokens = 200;
  const SyntheticLayer L = makeSyntheticLayer(spec);
  LayerOptions opt;
  opt.calibFraction = 0.25;
  opt.weight.granularity = Granularity{GranularityKind::Group, 0, 32};
  opt.activation.format = "int8";
  opt.activation.range = ActRange::HistogramL2;
  const LayerReport r = runLayerComparison(L.weight, L.input, opt);
  EXPECT_EQ(r.calibrationTokens, 50);
  EXPECT_EQ(r.evaluationTokens, 150);
  EXPECT_EQ(r.tokenMin.size(), 150u);
  EXPECT_EQ(r.calibration.channelAbsMax.size(), 128u);
  for (const auto& m : r.methods) {
    EXPECT_EQ(m.channelMse.size(), 64u);
    double total = 0, mseSum = 0;
    for (double c : m.outputError.counts)
      total += c;
    for (float c : m.channelMse)
      mseSum += c;
    EXPECT_EQ(total, 150.0 * 64.0) << m.label;
    EXPECT_NEAR(mseSum / 64.0, m.output.mse, 1e-4 * m.output.mse) << m.label;
    EXPECT_EQ(m.outputError.lo, r.methods[0].outputError.lo);
    EXPECT_EQ(m.actCount, 150 * 128);
  }
}

TEST(LayerCompare, AMethodThatCannotRunKeepsAnErrorRow) {
  SyntheticLayerSpec spec;
  spec.outFeatures = 32;
  spec.inFeatures = 64;
  spec.tokens = 128;
  const SyntheticLayer L = makeSyntheticLayer(spec);
  LayerOptions opt;
  opt.weight.format = "q4_0"; // a GGUF block format: RTN works, GPTQ has no per-group grid for it
  opt.weight.granularity.reset();
  const LayerReport r = runLayerComparison(L.weight, L.input, opt);
  ASSERT_EQ(r.methods.size(), 5u);
  EXPECT_TRUE(find(r, LayerMethod::Rtn).error.empty());
  EXPECT_GT(find(r, LayerMethod::Rtn).output.sqnrDb, 10.0);
  EXPECT_NE(find(r, LayerMethod::Gptq).error.find("q4_0"), std::string::npos);
  opt.methods = {LayerMethod::Gptq};
  EXPECT_THROW(runLayerComparison(L.weight, L.input, opt), Error);
}

TEST(LayerCompare, BadInputsAndCancel) {
  const SyntheticLayer L = outlierLayer();
  LayerOptions opt;
  Tensor x = L.input;
  x.shape = {2048, 256};
  EXPECT_THROW(runLayerComparison(L.weight, x, opt), Error);
  opt.smoothAlpha = 2.0;
  EXPECT_THROW(runLayerComparison(L.weight, L.input, opt), Error);
  opt = LayerOptions();
  opt.activation.format = "int99";
  EXPECT_THROW(runLayerComparison(L.weight, L.input, opt), Error);
  opt = LayerOptions();
  opt.weight.format = "int77";
  EXPECT_THROW(runLayerComparison(L.weight, L.input, opt), Error);
  std::atomic<bool> cancel{true};
  EXPECT_THROW(runLayerComparison(L.weight, L.input, LayerOptions(), &cancel), Cancelled);
  EXPECT_THROW(layerMethodFromString("magic"), Error);
}

} // namespace
} // namespace qs
