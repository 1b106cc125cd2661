// The layer workbench's Hadamard method: W and X rotated alike along the
// inputs keep X·W^T; on a layer with outlier input channels the rotation beats
// RTN at W4A4; the method's numbers against tests/data/hadamard_refs.py.
#include "core/error.h"
#include "core/layer/layer_compare.h"
#include "core/layer/layer_input.h"
#include "core/layer/synthetic_layer.h"
#include "core/quant/hadamard.h"
#include "layer_test_util.h"

#include <cmath>
#include <gtest/gtest.h>

namespace qs {
namespace {

SyntheticLayer outlierLayer(int64_t in) {
  SyntheticLayerSpec spec;
  spec.outFeatures = 128;
  spec.inFeatures = in;
  spec.tokens = 512;
  spec.outlierChannels = 6;
  spec.seed = 23;
  return makeSyntheticLayer(spec);
}

const LayerMethodResult& find(const LayerReport& r, LayerMethod m) {
  for (const auto& x : r.methods)
    if (x.method == m)
      return x;
  throw Error("method missing");
}

LayerOptions w4a4() {
  LayerOptions opt;
  opt.weight.format = "int4";
  opt.weight.granularity = Granularity{GranularityKind::Channel, 0, 128};
  opt.activation.format = "int4";
  opt.activation.mode = ActMode::DynamicToken;
  opt.methods = {LayerMethod::Rtn, LayerMethod::SmoothQuant, LayerMethod::Hadamard};
  opt.seed = 5;
  return opt;
}

// x·w against (R x)·(R w), both in double: only the rotation rounds. Each
// rotated vector is off by at most (k+3)·u·sum|x|/sqrt(b) per element
// (hadamard_test.cpp), so by (k+3)·u·||x||_1 in 2-norm, and the dot product
// by (k+3)·u·(||x||_1 ||w||_2 + ||w||_1 ||x||_2) to first order.
TEST(LayerHadamard, RotatingBothFactorsKeepsTheProduct) {
  for (int64_t in : {512, 384}) {
    const SyntheticLayer L = outlierLayer(in);
    const HadamardRotation h = makeHadamardRotation(in, 3);
    std::vector<float> wr = L.weight.values, xr = L.input.values;
    const int64_t out = L.weight.shape[0], tokens = L.input.shape[0];
    h.rotateRows(wr.data(), out, false);
    h.rotateRows(xr.data(), tokens, false);
    const double k = std::log2(double(h.block)), u = std::ldexp(1.0, -24);
    double worst = 0;
    for (int64_t t = 0; t < tokens; t += 7)
      for (int64_t o = 0; o < out; o += 5) {
        double y = 0, yr = 0, x1 = 0, x2 = 0, w1 = 0, w2 = 0;
        for (int64_t j = 0; j < in; ++j) {
          const double x = L.input.values[size_t(t * in + j)], w = L.weight.values[size_t(o * in + j)];
          y += x * w;
          yr += double(xr[size_t(t * in + j)]) * double(wr[size_t(o * in + j)]);
          x1 += std::fabs(x);
          x2 += x * x;
          w1 += std::fabs(w);
          w2 += w * w;
        }
        const double bound = (k + 3) * u * (x1 * std::sqrt(w2) + w1 * std::sqrt(x2));
        ASSERT_LE(std::fabs(y - yr), bound) << "in " << in << " t " << t << " o " << o;
        worst = std::max(worst, std::fabs(y - yr) / bound);
      }
    EXPECT_GT(worst, 0.0); // the rotation did round somewhere: the check is not vacuous
  }
}

TEST(LayerHadamard, BeatsRtnAtW4A4WithOutlierChannels) {
  const SyntheticLayer L = outlierLayer(512);
  const LayerReport r = runLayerComparison(L.weight, L.input, w4a4());
  const LayerMethodResult& rtn = find(r, LayerMethod::Rtn);
  const LayerMethodResult& had = find(r, LayerMethod::Hadamard);
  ASSERT_TRUE(had.error.empty()) << had.error;
  EXPECT_EQ(had.rotationBlock, 512);
  EXPECT_EQ(had.label, "Hadamard rotation (block 512)");
  EXPECT_GT(had.output.sqnrDb, rtn.output.sqnrDb + 0.5) // measured: 14.75 -> 15.89 dB
      << "RTN " << rtn.output.sqnrDb << " dB, Hadamard " << had.output.sqnrDb << " dB";
  // The rotation spreads the outlier channels: the rotated input's absmax per channel is flat.
  ASSERT_EQ(had.smoothedAbsMax.size(), 512u);
  float rotatedMax = 0;
  for (float v : had.smoothedAbsMax)
    rotatedMax = std::max(rotatedMax, v);
  float outlierMax = 0;
  for (int64_t j : L.outlierChannels)
    outlierMax = std::max(outlierMax, r.calibration.channelAbsMax[size_t(j)]);
  EXPECT_LT(rotatedMax, 0.5f * outlierMax);
  std::printf("W4A4 output SQNR: RTN %.2f dB, SmoothQuant %.2f dB, Hadamard %.2f dB\n", rtn.output.sqnrDb,
              find(r, LayerMethod::SmoothQuant).output.sqnrDb, had.output.sqnrDb);
}

TEST(LayerHadamard, MatchesTheNumpyReference) {
  for (int64_t in : {256, 384}) { // a full block and blocks of 128
    const SyntheticLayer L = outlierLayer(in);
    const LayerOptions opt = w4a4();
    const LayerReport r = runLayerComparison(L.weight, L.input, opt);
    const TokenSplit split = splitTokens(L.input.shape[0], opt.calibFraction, opt.calibCount, opt.seed);
    const Tensor eval = gatherRows(L.input, split.evaluation);
    const std::string tag = std::to_string(in);
    const std::string wPath = layertest::outPath("lh_w" + tag + ".f32");
    const std::string xPath = layertest::outPath("lh_x" + tag + ".f32");
    const std::string out = layertest::outPath("lh_out" + tag + ".f64");
    layertest::writeRaw(wPath, L.weight.values);
    layertest::writeRaw(xPath, eval.values);
    const std::string cmd = std::string(QS_PYTHON) + " " + QS_SOURCE_DIR +
                            "/tests/data/hadamard_refs.py layer " + wPath + " " + xPath + " " +
                            std::to_string(L.weight.shape[0]) + " " + tag + " " +
                            std::to_string(eval.shape[0]) + " 5 4 " + out;
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    const std::vector<double> ref = layertest::readRaw<double>(out);
    ASSERT_EQ(ref.size(), 2u);
    const LayerMethodResult& had = find(r, LayerMethod::Hadamard);
    // The output goes through float matmuls here and float64 ones there.
    EXPECT_NEAR(had.output.mse, ref[0], 1e-4 * ref[0]) << "in " << in;
    EXPECT_NEAR(had.weight.mse, ref[1], 1e-6 * ref[1]) << "in " << in;
  }
}

} // namespace
} // namespace qs
