// HQQ (core/calib/hqq.h) against an independent NumPy port of the hqq
// library's solvers (tests/data/hqq_refs.py), value for value, and the
// property it is for: a lower l_p error than round-to-nearest.
#include "core/pipeline/quantize.h"
#include "core/quant/config_check.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

namespace qs {
namespace {

std::vector<float> readFloats(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  const std::vector<char> raw((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<float> v(raw.size() / 4);
  std::memcpy(v.data(), raw.data(), v.size() * 4);
  return v;
}

std::string refs() {
  static const std::string out = [] {
    const std::string dir = std::string(QS_TEST_OUT_DIR) + "/hqq_refs";
    const std::string cmd = std::string(QS_PYTHON) + " " + QS_SOURCE_DIR + "/tests/data/hqq_refs.py " + dir;
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return dir;
  }();
  return out;
}

QuantConfig hqqConfig(int bits, int64_t group, int iterations, double p, bool scale) {
  QuantConfig c;
  c.format = "int" + std::to_string(bits);
  c.symmetric = false;
  c.granularity = Granularity{GranularityKind::Group, 0, group};
  c.clipping.method = ClipMethod::Hqq;
  c.clipping.hqqIterations = iterations;
  c.clipping.hqqP = p;
  c.clipping.hqqOptimizeScale = scale;
  return c;
}

Tensor input() {
  Tensor t;
  t.name = "w";
  t.shape = {48, 256};
  t.values = readFloats(refs() + "/input.f32");
  return t;
}

bool sameBits(float a, float b) {
  return std::memcmp(&a, &b, 4) == 0 || (std::isnan(a) && std::isnan(b));
}

struct Case {
  const char* name;
  int bits;
  int64_t group;
  int iterations;
  double p;
  bool scale;
};

TEST(Hqq, MatchesNumpyPortOfTheLibrary) {
  const Tensor t = input();
  ASSERT_EQ(t.values.size(), 48u * 256u);
  const Case cases[] = {{"int4_g64", 4, 64, 20, 0.7, false},        {"int3_g32", 3, 32, 20, 0.7, false},
                        {"int2_g16_p05", 2, 16, 20, 0.5, false},    {"int8_g128", 8, 128, 20, 0.7, false},
                        {"int4_g128_scale", 4, 128, 20, 0.7, true}, {"int4_g64_it3", 4, 64, 3, 0.9, false}};
  for (const Case& k : cases) {
    SCOPED_TRACE(k.name);
    const auto r = quantize(t, hqqConfig(k.bits, k.group, k.iterations, k.p, k.scale));
    const std::vector<float> want = readFloats(refs() + "/" + k.name + ".f32");
    const std::vector<float> scales = readFloats(refs() + "/" + k.name + ".scale.f32");
    const std::vector<float> zeros = readFloats(refs() + "/" + k.name + ".zero.f32");
    ASSERT_EQ(r->dequantized.size(), want.size());
    ASSERT_EQ(r->scales.size(), scales.size());
    ASSERT_EQ(r->realZeroPoints.size(), zeros.size());
    EXPECT_TRUE(r->zeroPoints.empty());
    for (size_t i = 0; i < scales.size(); ++i) {
      ASSERT_TRUE(sameBits(r->scales[i], scales[i]))
          << "group " << i << ": " << r->scales[i] << " vs " << scales[i];
      ASSERT_TRUE(sameBits(r->realZeroPoints[i], zeros[i]))
          << "group " << i << ": " << r->realZeroPoints[i] << " vs " << zeros[i];
    }
    for (size_t i = 0; i < want.size(); ++i)
      ASSERT_TRUE(sameBits(r->dequantized[i], want[i]))
          << i << ": " << r->dequantized[i] << " vs " << want[i];
  }
}

// The zero point moves: HQQ's zeros are not the integer start for 3 bits, and
// codes follow clamp(round(x·s + z)).
TEST(Hqq, ZeroPointsAreRealAndCodesFollowThem) {
  const Tensor t = input();
  const auto r = quantize(t, hqqConfig(3, 32, 20, 0.7, false));
  int fractional = 0;
  for (float z : r->realZeroPoints)
    fractional += z != std::nearbyint(z);
  EXPECT_GT(fractional, int(r->realZeroPoints.size()) / 2);
  const int64_t perRow = 256 / 32;
  for (size_t i = 0; i < t.values.size(); ++i) {
    if (!std::isfinite(t.values[i]))
      continue;
    const size_t g = (i / 256) * size_t(perRow) + (i % 256) / 32;
    const float value = (float(r->codes[i]) - r->realZeroPoints[g]) * r->scales[g];
    ASSERT_EQ(value, r->dequantized[i]) << i;
    ASSERT_GE(r->codes[i], 0);
    ASSERT_LE(r->codes[i], 7);
  }
}

double lpError(const std::vector<float>& x, const std::vector<float>& q, double p) {
  double s = 0;
  for (size_t i = 0; i < x.size(); ++i)
    if (std::isfinite(x[i]))
      s += std::pow(std::fabs(double(x[i]) - double(q[i])), p);
  return s;
}

// What HQQ is for: on heavy-tailed weights its solver lowers the l_p (p = 0.7)
// error below its own start and below round-to-nearest with PyTorch's min/max
// affine parameters of the same groups.
TEST(Hqq, LowersTheLpErrorBelowRtn) {
  const Tensor t = input();
  for (int bits : {2, 3, 4}) {
    SCOPED_TRACE(bits);
    const QuantConfig h = hqqConfig(bits, 64, 20, 0.7, false);
    QuantConfig start = h, rtn = h;
    start.clipping.hqqIterations = 0;
    rtn.clipping = Clipping{};
    const double solved = lpError(t.values, quantize(t, h)->dequantized, 0.7);
    const double unsolved = lpError(t.values, quantize(t, start)->dequantized, 0.7);
    const double nearest = lpError(t.values, quantize(t, rtn)->dequantized, 0.7);
    std::printf("INT%d: l_0.7 error HQQ %.2f, HQQ start %.2f, RTN %.2f\n", bits, solved, unsolved, nearest);
    EXPECT_LT(solved, unsolved);
    EXPECT_LT(solved, nearest);
  }
}

TEST(Hqq, RefusesWhatItCannotFit) {
  QuantConfig c = hqqConfig(4, 64, 20, 0.7, false);
  EXPECT_TRUE(configProblems(c).empty());
  c.symmetric = true;
  EXPECT_FALSE(configProblems(c).empty());
  c = hqqConfig(4, 64, 20, 0.7, false);
  c.format = "fp8_e4m3";
  EXPECT_FALSE(configProblems(c).empty());
  c = hqqConfig(4, 64, 20, 1.5, false);
  EXPECT_FALSE(configProblems(c).empty());
  c = hqqConfig(4, 64, 20, 0.7, false);
  c.rounding = Rounding::Stochastic;
  EXPECT_FALSE(configProblems(c).empty());
}

TEST(Hqq, ConfigRoundTrip) {
  const QuantConfig c = hqqConfig(3, 32, 7, 0.6, true);
  const QuantConfig back = configFromJson(configToJson(c));
  EXPECT_EQ(back, c);
  EXPECT_NE(configToJson(c).find("\"hqq_p\""), std::string::npos);
}

} // namespace
} // namespace qs
