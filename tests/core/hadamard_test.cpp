// The randomized Hadamard rotation (core/quant/hadamard.h) and quantize() with
// QuantConfig::rotation, against the numpy references of
// tests/data/hadamard_refs.py (the explicit Sylvester matrix in float64).
#include "core/error.h"
#include "core/pipeline/quantize.h"
#include "core/quant/hadamard.h"
#include "core/util/simd.h"
#include "layer_test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace qs {
namespace {

using layertest::outPath;
using layertest::readRaw;
using layertest::writeRaw;

void runRef(const std::string& args) {
  const std::string cmd =
      std::string(QS_PYTHON) + " " + QS_SOURCE_DIR + "/tests/data/hadamard_refs.py " + args;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

std::vector<float> gaussian(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g;
  std::vector<float> v;
  v.reserve(size_t(n));
  for (int64_t i = 0; i < n; ++i)
    v.push_back(g(rng));
  return v;
}

// A weight [rows, cols] with a few input columns 30x larger (the outlier
// channels rotations are for) over Student-t (3) noise: heavy tails.
Tensor heavyTailed(int64_t rows, int64_t cols, uint32_t seed) {
  std::mt19937 rng(seed);
  std::student_t_distribution<float> t(3.0f);
  Tensor w;
  w.name = "heavy";
  w.shape = {rows, cols};
  w.values.resize(size_t(rows * cols));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      w.values[size_t(r * cols + c)] = t(rng) * (c % 37 == 5 ? 30.0f : 1.0f);
  return w;
}

TEST(Hadamard, BlockIsTheLargestPowerOfTwoDivisor) {
  EXPECT_EQ(hadamardBlock(1), 1);
  EXPECT_EQ(hadamardBlock(7), 1);
  EXPECT_EQ(hadamardBlock(12), 4);
  EXPECT_EQ(hadamardBlock(96), 32);
  EXPECT_EQ(hadamardBlock(11008), 256); // LLaMA-7B's MLP width: 43 x 256
  EXPECT_EQ(hadamardBlock(4096), 4096);
  EXPECT_THROW(hadamardBlock(0), Error);
}

TEST(Hadamard, SignsMatchPython) {
  for (uint64_t seed : {0ull, 7ull, 123456789ull}) {
    const std::string path = outPath("had_signs_" + std::to_string(seed) + ".f32");
    runRef("signs " + std::to_string(seed) + " 2000 " + path);
    const std::vector<float> ref = readRaw<float>(path);
    const std::vector<float> d = hadamardSigns(seed, 2000);
    ASSERT_EQ(ref.size(), d.size());
    int plus = 0;
    for (size_t j = 0; j < d.size(); ++j) {
      ASSERT_EQ(d[j], ref[j]) << "seed " << seed << " j " << j;
      plus += d[j] > 0;
    }
    EXPECT_GT(plus, 900); // fair coins
    EXPECT_LT(plus, 1100);
  }
  EXPECT_NE(hadamardSigns(0, 64), hadamardSigns(1, 64));
}

// Error bound of the float32 transform against the exact product: x·d is
// exact, each of the k = log2 b butterfly stages rounds once (|error| <=
// k·u·sum|x| over the block, first order), and the scaling by the rounded
// 1/sqrt(b) adds two roundings on |y| <= sum|x|/sqrt(b): (k + 2)·u·sum|x| /
// sqrt(b), with one u more for second-order terms. u = 2^-24.
TEST(Hadamard, RotationMatchesTheMatrixReference) {
  for (int64_t n : {1, 2, 8, 12, 96, 256, 1024, 1000, 7}) {
    const int64_t rows = 5;
    const std::vector<float> x = gaussian(rows * n, uint32_t(n));
    const std::string in = outPath("had_x_" + std::to_string(n) + ".f32");
    const std::string out = outPath("had_y_" + std::to_string(n) + ".f64");
    writeRaw(in, x);
    runRef("matrix " + in + " " + std::to_string(rows) + " " + std::to_string(n) + " 42 " + out);
    const std::vector<double> ref = readRaw<double>(out);
    ASSERT_EQ(ref.size(), x.size());
    const HadamardRotation h = makeHadamardRotation(n, 42);
    std::vector<float> y = x;
    h.rotateRows(y.data(), rows, false);
    const int64_t b = h.block;
    const double k = std::log2(double(b)), u = std::ldexp(1.0, -24);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t blk = 0; blk < n; blk += b) {
        double l1 = 0;
        for (int64_t j = blk; j < blk + b; ++j)
          l1 += std::fabs(x[size_t(r * n + j)]);
        const double bound = (k + 3) * u * l1 / std::sqrt(double(b));
        for (int64_t j = blk; j < blk + b; ++j)
          ASSERT_LE(std::fabs(double(y[size_t(r * n + j)]) - ref[size_t(r * n + j)]), bound)
              << "n " << n << " row " << r << " col " << j;
      }
    if (b == 1) {
      EXPECT_EQ(y, x) << "a block of 1 is not rotated";
    }
  }
}

// Rotate then inverse: with e1 the forward error (bound above) and e2 the
// inverse's, x' - x = R^T e1 + e2; |(R^T e1)_i| <= sum|e1|/sqrt(b) <=
// (k+3)·u·sum|x| and |e2_i| <= (k+3)·u·sum|y|/sqrt(b) <= (k+3)·u·||x||_2·...
// <= (k+3)·u·sum|x|: together 2(k+3)·u·sum|x| over the block.
TEST(Hadamard, InverseUndoesTheRotation) {
  double worstUlps = 0;
  for (int64_t n : {16, 96, 1024, 4096}) {
    const int64_t rows = 7;
    const std::vector<float> x = gaussian(rows * n, 3);
    const HadamardRotation h = makeHadamardRotation(n, 9);
    std::vector<float> y = x;
    h.rotateRows(y.data(), rows, false);
    EXPECT_NE(y, x);
    h.rotateRows(y.data(), rows, true);
    const double k = std::log2(double(h.block)), u = std::ldexp(1.0, -24);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t blk = 0; blk < n; blk += h.block) {
        double l1 = 0, amax = 0;
        for (int64_t j = blk; j < blk + h.block; ++j) {
          l1 += std::fabs(x[size_t(r * n + j)]);
          amax = std::max(amax, double(std::fabs(x[size_t(r * n + j)])));
        }
        for (int64_t j = blk; j < blk + h.block; ++j) {
          const double e = std::fabs(double(y[size_t(r * n + j)]) - x[size_t(r * n + j)]);
          ASSERT_LE(e, 2 * (k + 3) * u * l1);
          worstUlps = std::max(worstUlps, e / (amax * u));
        }
      }
  }
  // Measured: a few units of the largest value's rounding, far below the bound.
  EXPECT_LT(worstUlps, 16.0);
  std::printf("round trip: worst error %.2f x 2^-24 x block absmax\n", worstUlps);
}

// Small integers and a block that is a power of four: every sum is an integer
// below 2^24 and 1/sqrt(b) is a power of two, so nothing rounds.
TEST(Hadamard, RoundTripIsExactWhenNothingRounds) {
  const int64_t n = 256, rows = 3;
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> v(-100, 100);
  std::vector<float> x(size_t(n * rows));
  for (float& e : x)
    e = float(v(rng));
  const HadamardRotation h = makeHadamardRotation(n, 11);
  std::vector<float> y = x;
  h.rotateRows(y.data(), rows, false);
  h.rotateRows(y.data(), rows, true);
  EXPECT_EQ(y, x);
}

TEST(Hadamard, SimdTwinsAgreeBitForBit) {
  if (!simd::useAvx2())
    GTEST_SKIP() << "scalar build or CPU";
  for (int64_t b = 1; b <= 8192; b *= 2) {
    std::vector<float> a = gaussian(b, uint32_t(b)), s = a;
    fwhtAvx2(a.data(), b);
    fwhtScalar(s.data(), b);
    ASSERT_EQ(a, s) << "b " << b;
  }
}

// A Keras kernel [in, out] (output channels last): the rows are its columns.
TEST(Hadamard, TensorRowsFollowTheOutputAxis) {
  const int64_t in = 64, out = 5;
  const std::vector<float> k = gaussian(in * out, 8);
  std::vector<float> rotated = k;
  const HadamardRotation h = tensorRotation({in, out}, 1, 4);
  ASSERT_EQ(h.length, in);
  rotateTensor(h, {in, out}, 1, rotated.data(), false);
  std::vector<float> t(size_t(in * out)); // the transpose [out, in], rotated row by row
  for (int64_t i = 0; i < in; ++i)
    for (int64_t o = 0; o < out; ++o)
      t[size_t(o * in + i)] = k[size_t(i * out + o)];
  h.rotateRows(t.data(), out, false);
  for (int64_t i = 0; i < in; ++i)
    for (int64_t o = 0; o < out; ++o)
      ASSERT_EQ(rotated[size_t(i * out + o)], t[size_t(o * in + i)]);
}

QuantConfig int4Rotated(uint64_t seed) {
  QuantConfig c;
  c.format = "int4";
  c.granularity = Granularity{GranularityKind::Channel, kAutoAxis, 128};
  c.rotation = Rotation::Hadamard;
  c.seed = seed;
  return c;
}

// quantize() with rotation is "rotate, fake-quant INT4 per channel, rotate
// back", every number measured in the original basis.
TEST(Hadamard, QuantizeEqualsNumpyRotateQuantizeRotateBack) {
  for (int64_t cols : {256, 96}) {
    const Tensor w = heavyTailed(48, cols, uint32_t(cols));
    const std::string in = outPath("had_w_" + std::to_string(cols) + ".f32");
    const std::string ref = outPath("had_q_" + std::to_string(cols) + ".f32");
    const std::string mom = outPath("had_m_" + std::to_string(cols) + ".f64");
    writeRaw(in, w.values);
    runRef("quant " + in + " 48 " + std::to_string(cols) + " 17 4 " + ref);
    runRef("moments " + in + " " + mom);
    const std::vector<float> expected = readRaw<float>(ref);
    const std::vector<double> moments = readRaw<double>(mom);
    const auto r = quantize(w, int4Rotated(17));
    ASSERT_EQ(r->dequantized.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i)
      ASSERT_EQ(r->dequantized[i], expected[i]) << "cols " << cols << " i " << i;
    EXPECT_EQ(fakeQuantize(w, int4Rotated(17)), r->dequantized);

    // Metrics in the original basis.
    double se = 0, maxErr = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
      const double e = double(w.values[i]) - double(expected[i]);
      se += e * e;
      maxErr = std::max(maxErr, std::fabs(e));
    }
    EXPECT_NEAR(r->metrics.mse, se / double(expected.size()), 1e-9 * se);
    EXPECT_NEAR(r->metrics.maxAbsError, maxErr, 1e-6 * maxErr);
    double histTotal = 0;
    for (double c : r->histError.counts)
      histTotal += c;
    EXPECT_EQ(histTotal, double(w.numel()));

    // The rotated input beside the original: kurtosis drops, absmax shrinks.
    const RotationReport& rot = r->rotation;
    ASSERT_TRUE(rot.applied);
    EXPECT_EQ(rot.rowLength, cols);
    EXPECT_EQ(rot.block, cols == 256 ? 256 : 32);
    EXPECT_EQ(rot.note.empty(), cols == 256) << rot.note;
    EXPECT_NEAR(rot.kurtosisOriginal, moments[0], 1e-9 * std::fabs(moments[0]));
    EXPECT_EQ(rot.absMaxOriginal, moments[1]);
    EXPECT_GT(rot.kurtosisOriginal, 10.0);
    EXPECT_LT(rot.kurtosisRotated, 3.0);
    EXPECT_LT(rot.kurtosisRotated, 0.2 * rot.kurtosisOriginal);
    EXPECT_LT(rot.absMaxRotated, 0.5 * rot.absMaxOriginal);
    EXPECT_EQ(rot.channelsRotated.kurtosis.size(), 48u);
    EXPECT_EQ(r->channels.kurtosis.size(), 48u);
    EXPECT_EQ(rot.histRotated.counts.size(), r->histOriginal.counts.size());
    EXPECT_LT(rot.histRotated.hi, r->histOriginal.hi);
    EXPECT_NE(r->formatLabel.find("Hadamard"), std::string::npos);
    EXPECT_EQ(r->config.rotation, Rotation::Hadamard);

    // On this tensor the rotation beats plain per-channel INT4.
    QuantConfig plain = int4Rotated(17);
    plain.rotation = Rotation::None;
    const auto p = quantize(w, plain);
    EXPECT_FALSE(p->rotation.applied);
    EXPECT_LT(r->metrics.mse, 0.5 * p->metrics.mse);
  }
}

TEST(Hadamard, OddRowsAreNotRotatedAndSaySo) {
  const Tensor w = heavyTailed(6, 7, 1);
  QuantConfig plain = int4Rotated(3);
  plain.rotation = Rotation::None;
  const auto r = quantize(w, int4Rotated(3));
  EXPECT_EQ(r->rotation.block, 1);
  EXPECT_NE(r->rotation.note.find("nothing was rotated"), std::string::npos);
  EXPECT_EQ(r->dequantized, quantize(w, plain)->dequantized);
  EXPECT_EQ(r->rotation.kurtosisRotated, r->rotation.kurtosisOriginal);
}

TEST(Hadamard, NonFiniteInputIsRefused) {
  Tensor w = heavyTailed(4, 16, 2);
  w.values[5] = NAN;
  EXPECT_THROW(quantize(w, int4Rotated(0)), Error);
}

TEST(Hadamard, ConfigJsonCarriesTheRotation) {
  QuantConfig c = int4Rotated(5);
  const std::string json = configToJson(c);
  EXPECT_NE(json.find("\"rotation\": \"hadamard\""), std::string::npos);
  EXPECT_EQ(configFromJson(json), c);
  EXPECT_EQ(configToJson(QuantConfig{}).find("rotation"), std::string::npos);
  EXPECT_EQ(configFromJson(R"({"rotation": "none"})").rotation, Rotation::None);
  EXPECT_THROW(configFromJson(R"({"rotation": "givens"})"), Error);
}

} // namespace
} // namespace qs
