// GPTQ: the Hessian formula, the inverse Cholesky factor and the whole
// algorithm against a PyTorch transcription of the reference fasterquant().
#include "core/error.h"
#include "core/layer/gptq.h"
#include "core/layer/synthetic_layer.h"
#include "core/pipeline/quantize.h"
#include "layer_test_util.h"

#include <cmath>
#include <cstdio>
#include <gtest/gtest.h>

namespace qs {
namespace {

using layertest::outPath;
using layertest::readRaw;
using layertest::runRef;
using layertest::writeRaw;

QuantConfig int4Group(int64_t group) {
  QuantConfig c;
  c.format = "int4";
  c.symmetric = true;
  if (group > 0)
    c.granularity = Granularity{GranularityKind::Group, 0, group};
  else
    c.granularity = Granularity{GranularityKind::Channel, 0, 128};
  return c;
}

TEST(GptqHessian, IsTwiceXtXOverN) {
  SyntheticLayerSpec spec;
  spec.outFeatures = 8;
  spec.inFeatures = 37;
  spec.tokens = 301; // more than one 256-token chunk, not a multiple
  spec.outlierChannels = 2;
  const SyntheticLayer L = makeSyntheticLayer(spec);
  const std::vector<double> h = gptqHessian(L.input);
  const int64_t n = spec.tokens, in = spec.inFeatures;
  ASSERT_EQ(h.size(), size_t(in * in));
  for (int64_t i = 0; i < in; ++i)
    for (int64_t j = 0; j < in; ++j) {
      double want = 0;
      for (int64_t t = 0; t < n; ++t)
        want += double(L.input.values[size_t(t * in + i)]) * double(L.input.values[size_t(t * in + j)]);
      want *= 2.0 / double(n);
      // Float GEMM per 256-token chunk: error relative to sqrt(H_ii H_jj) (Cauchy-Schwarz).
      double ii = 0, jj = 0;
      for (int64_t t = 0; t < n; ++t) {
        ii += double(L.input.values[size_t(t * in + i)]) * double(L.input.values[size_t(t * in + i)]);
        jj += double(L.input.values[size_t(t * in + j)]) * double(L.input.values[size_t(t * in + j)]);
      }
      EXPECT_NEAR(h[size_t(i * in + j)], want, 1e-6 * std::sqrt(ii * jj) * 2.0 / double(n)) << i << "," << j;
      EXPECT_EQ(h[size_t(i * in + j)], h[size_t(j * in + i)]);
    }
}

TEST(GptqInverseCholesky, MatchesTorchChain) {
  SyntheticLayerSpec spec;
  spec.inFeatures = 300; // > one recursion level of the blocked triangular inverse
  spec.outFeatures = 4;
  spec.tokens = 400;
  const SyntheticLayer L = makeSyntheticLayer(spec);
  const std::vector<double> h = gptqHessian(L.input);
  double meanDiag = 0;
  for (int64_t i = 0; i < 300; ++i)
    meanDiag += h[size_t(i * 300 + i)] / 300.0;
  const double lambda = 0.01 * meanDiag;
  writeRaw(outPath("invchol_h.f64"), h);
  runRef("invchol " + outPath("invchol_h.f64") + " 300 " + std::to_string(lambda) + " " +
         outPath("invchol_u.f64"));
  const std::vector<double> want = readRaw<double>(outPath("invchol_u.f64"));
  const std::vector<double> got = gptqInverseCholesky(h, 300, lambda);
  ASSERT_EQ(want.size(), got.size());
  double maxAbs = 0;
  for (double v : want)
    maxAbs = std::max(maxAbs, std::fabs(v));
  // The torch chain forms the explicit inverse and is itself good to ~1e-7 here.
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], 1e-6 * maxAbs) << "element " << i;
  // Ours: U upper and U (H + lambda I) U^T = I (from U^T U = (H + lambda I)^-1).
  const int n = 300;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < i; ++j)
      ASSERT_EQ(got[size_t(i * n + j)], 0.0);
  std::vector<double> uh(size_t(n * n), 0.0);
  for (int i = 0; i < n; ++i)
    for (int k = i; k < n; ++k)
      for (int j = 0; j < n; ++j)
        uh[size_t(i * n + j)] += got[size_t(i * n + k)] * (h[size_t(k * n + j)] + (k == j ? lambda : 0.0));
  double worst = 0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double v = 0;
      for (int k = j; k < n; ++k)
        v += uh[size_t(i * n + k)] * got[size_t(j * n + k)];
      worst = std::max(worst, std::fabs(v - (i == j ? 1.0 : 0.0)));
    }
  EXPECT_LT(worst, 1e-10);
}

TEST(GptqInverseCholesky, RefusesIndefinite) {
  std::vector<double> h = {1, 2, 2, 1}; // eigenvalues 3, -1
  EXPECT_THROW(gptqInverseCholesky(h, 2, 0.0), Error);
}

// Compares with the PyTorch transcription of fasterquant().
void checkAgainstReference(int64_t group, bool actOrder, int64_t block) {
  SyntheticLayerSpec spec;
  spec.outFeatures = 48;
  spec.inFeatures = 160;
  spec.tokens = 512;
  spec.outlierChannels = 3;
  spec.seed = 7;
  const SyntheticLayer L = makeSyntheticLayer(spec);
  const std::string tag =
      std::to_string(group) + "_" + std::to_string(actOrder) + "_" + std::to_string(block);
  writeRaw(outPath("gptq_w.f32"), L.weight.values);
  writeRaw(outPath("gptq_x.f32"), L.input.values);
  runRef("gptq " + outPath("gptq_w.f32") + " " + outPath("gptq_x.f32") + " " +
         outPath("gptq_q" + tag + ".f32") + " 48 160 512 4 " + std::to_string(group) + " " +
         std::to_string(actOrder ? 1 : 0) + " " + std::to_string(block));
  const std::vector<float> want = readRaw<float>(outPath("gptq_q" + tag + ".f32"));
  GptqOptions opt;
  opt.actOrder = actOrder;
  opt.blockSize = block;
  const GptqResult got = gptqQuantize(L.weight, L.input, int4Group(group), opt);
  ASSERT_EQ(want.size(), got.dequantized.size());
  // float32 column loops in both; allow a rounding-boundary flip in a few rows.
  int64_t differ = 0;
  for (size_t i = 0; i < want.size(); ++i)
    if (std::fabs(want[i] - got.dequantized[i]) > 1e-5f * (1.0f + std::fabs(want[i])))
      ++differ;
  EXPECT_LE(differ, int64_t(want.size() / 200)) << differ << " of " << want.size() << " differ";
}

TEST(Gptq, MatchesReferencePerChannel) {
  checkAgainstReference(0, false, 128);
}
TEST(Gptq, MatchesReferenceGroup32Block64) {
  checkAgainstReference(32, false, 64);
}
TEST(Gptq, MatchesReferenceGroup64ActOrder) {
  checkAgainstReference(64, true, 128);
}
TEST(Gptq, MatchesReferenceGroup128Block32) {
  checkAgainstReference(128, false, 32);
}

// With H = c I nothing is fed back: GPTQ is round-to-nearest, and its grid
// must be exactly the engine's (qs::fakeQuantize).
void checkIdentityHessianIsRtn(const QuantConfig& config) {
  SyntheticLayerSpec spec;
  spec.outFeatures = 24;
  spec.inFeatures = 96;
  spec.tokens = 4;
  spec.seed = 3;
  const SyntheticLayer L = makeSyntheticLayer(spec);
  std::vector<double> h(96 * 96, 0.0);
  for (int i = 0; i < 96; ++i)
    h[size_t(i * 96 + i)] = 2.0;
  const GptqResult g = gptqQuantizeWithHessian(L.weight, h, config);
  const std::vector<float> rtn = fakeQuantize(L.weight, config);
  ASSERT_EQ(rtn.size(), g.dequantized.size());
  for (size_t i = 0; i < rtn.size(); ++i)
    ASSERT_EQ(rtn[i], g.dequantized[i]) << config.format << " element " << i;
}

TEST(Gptq, IdentityHessianIsRtnInt4Group) {
  checkIdentityHessianIsRtn(int4Group(32));
}
TEST(Gptq, IdentityHessianIsRtnInt8Channel) {
  QuantConfig c = int4Group(0);
  c.format = "int8";
  checkIdentityHessianIsRtn(c);
}
TEST(Gptq, IdentityHessianIsRtnInt4AsymGroup) {
  QuantConfig c = int4Group(48);
  c.symmetric = false;
  checkIdentityHessianIsRtn(c);
}
TEST(Gptq, IdentityHessianIsRtnNf4Group) {
  QuantConfig c = int4Group(32);
  c.format = "nf4";
  checkIdentityHessianIsRtn(c);
}
TEST(Gptq, IdentityHessianIsRtnFp8Channel) {
  QuantConfig c = int4Group(0);
  c.format = "fp8_e4m3fn";
  checkIdentityHessianIsRtn(c);
}
TEST(Gptq, IdentityHessianIsRtnInt4Tensor) {
  QuantConfig c = int4Group(0);
  c.granularity = Granularity{GranularityKind::Tensor, 0, 128};
  checkIdentityHessianIsRtn(c);
}

TEST(Gptq, DeadInputsAreZeroed) {
  SyntheticLayerSpec spec;
  spec.outFeatures = 8;
  spec.inFeatures = 16;
  spec.tokens = 64;
  SyntheticLayer L = makeSyntheticLayer(spec);
  for (int64_t t = 0; t < 64; ++t)
    L.input.values[size_t(t * 16 + 5)] = 0.0f;
  const GptqResult g = gptqQuantize(L.weight, L.input, int4Group(0));
  EXPECT_EQ(g.deadColumns, 1);
  for (int64_t r = 0; r < 8; ++r)
    EXPECT_EQ(g.dequantized[size_t(r * 16 + 5)], 0.0f);
}

TEST(Gptq, RejectsUnsupported) {
  SyntheticLayerSpec spec;
  spec.outFeatures = 8;
  spec.inFeatures = 32;
  spec.tokens = 16;
  const SyntheticLayer L = makeSyntheticLayer(spec);
  QuantConfig c = int4Group(0);
  c.format = "q4_0";
  EXPECT_THROW(gptqQuantize(L.weight, L.input, c), Error);
  c = int4Group(0);
  c.granularity = Granularity{GranularityKind::Group, 1, 4};
  EXPECT_THROW(gptqQuantize(L.weight, L.input, c), Error);
  Tensor x = L.input;
  x.shape = {8, 64};
  EXPECT_THROW(gptqQuantize(L.weight, x, int4Group(0)), Error);
}

} // namespace
} // namespace qs
