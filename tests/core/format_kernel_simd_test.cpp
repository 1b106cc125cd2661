// The format kernels' SIMD twins (core/util/simd.h) on the same inputs,
// NaN, inf and odd lengths included: results must be identical bit for bit.
// Then every registered format through quantize() with and without them.
#include "core/formats/block_kernel.h"
#include "core/formats/float_format.h"
#include "core/formats/float_kernel.h"
#include "core/formats/format_registry.h"
#include "core/formats/level_search.h"
#include "core/pipeline/quantize.h"
#include "core/util/simd.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

namespace qs {
namespace {

std::vector<float> awkwardValues(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0, 2);
  std::vector<float> x(n);
  for (float& v : x)
    v = d(rng);
  const float specials[] = {NAN, INFINITY, -INFINITY, 1e30f, -1e30f, 0.0f, -0.0f, FLT_MAX};
  for (size_t i = 0; i < n; i += 5)
    x[i] = specials[(i / 5) % 8];
  return x;
}

bool sameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

class KernelTwins : public ::testing::Test {
protected:
  void SetUp() override {
#if QS_HAVE_AVX2
    if (!simd::useAvx2())
      GTEST_SKIP() << "no AVX2 on this CPU";
#else
    GTEST_SKIP() << "built without SIMD";
#endif
  }
  const std::vector<size_t> lengths{0, 1, 7, 8, 13, 1003};
};

#if QS_HAVE_AVX2
TEST_F(KernelTwins, NearestLevels) {
  for (int count : {2, 3, 16, 17}) {
    std::vector<float> levels(static_cast<size_t>(count));
    for (int k = 0; k < count; ++k)
      levels[size_t(k)] = -1.0f + 2.0f * float(k * k) / float((count - 1) * (count - 1));
    const LevelGrid grid{levels.data(), count, -1.5f, 1.25f, 0.8f, 1.25f};
    for (size_t n : lengths) {
      const std::vector<float> x = awkwardValues(n, uint32_t(count * 31 + n));
      std::vector<float> a(n), b(n);
      std::vector<int32_t> ca(n), cb(n);
      applyNearestLevels(grid, x.data(), int64_t(n), a.data(), ca.data());
      applyNearestLevelsScalar(grid, x.data(), int64_t(n), b.data(), cb.data());
      EXPECT_TRUE(sameBits(a, b)) << count << " levels, n " << n;
      EXPECT_EQ(ca, cb) << count << " levels, n " << n;
    }
  }
}

TEST_F(KernelTwins, ScaledFloatSteps) {
  for (size_t n : lengths) {
    const std::vector<float> x = awkwardValues(n, uint32_t(n));
    std::vector<float> ya(n), yb(n), da(n), db(n);
    divideClamped(-3.0f, 2.5f, 0.37f, x.data(), int64_t(n), ya.data());
    divideClampedScalar(-3.0f, 2.5f, 0.37f, x.data(), int64_t(n), yb.data());
    EXPECT_TRUE(sameBits(ya, yb)) << n;
    multiplyBack(0.37f, x.data(), ya.data(), int64_t(n), da.data());
    multiplyBackScalar(0.37f, x.data(), ya.data(), int64_t(n), db.data());
    EXPECT_TRUE(sameBits(da, db)) << n;
  }
}

TEST_F(KernelTwins, HalfCodes) {
  for (size_t n : lengths) {
    std::vector<float> x = awkwardValues(n, uint32_t(n + 7));
    for (float& v : x) // FP16 values (and inf, NaN), as a cast leaves them
      v = halfBitsToFloat(floatToHalfBits(v));
    std::vector<int32_t> a(n), b(n);
    halfCodes(x.data(), int64_t(n), a.data());
    halfCodesScalar(x.data(), int64_t(n), b.data());
    EXPECT_EQ(a, b) << n;
  }
}

TEST_F(KernelTwins, AllFinite) {
  for (size_t n : lengths) {
    std::vector<float> x(n, 1.5f);
    EXPECT_EQ(allFinite(x.data(), int64_t(n)), allFiniteScalar(x.data(), int64_t(n))) << n;
    for (size_t at = 0; at < n; ++at)
      for (float bad : {NAN, INFINITY, -INFINITY}) {
        x[at] = bad;
        EXPECT_FALSE(allFinite(x.data(), int64_t(n))) << n << " " << at;
        EXPECT_FALSE(allFiniteScalar(x.data(), int64_t(n))) << n << " " << at;
        x[at] = 1.5f;
      }
  }
}
#endif

// Every format end to end: the scalar twins give the SIMD results exactly.
TEST_F(KernelTwins, EveryFormatScalarEqualsSimd) {
  Tensor t;
  t.name = "w";
  t.shape = {6, 257};
  t.values = awkwardValues(6 * 257, 3);
  for (const FormatInfo& f : allFormats()) {
    QuantConfig c;
    c.format = f.name;
    c.codebook = {-1.0f, -0.3f, 0.0f, 0.4f, 1.0f};
    AnalysisOptions keep;
    keep.keepCodes = true;
    for (Rounding rounding : {Rounding::Nearest, Rounding::Stochastic}) {
      c.rounding = rounding;
      const auto simdResult = quantize(t, c, keep);
      simd::forceScalar(true);
      const auto scalarResult = quantize(t, c, keep);
      simd::forceScalar(false);
      EXPECT_TRUE(sameBits(simdResult->dequantized, scalarResult->dequantized)) << f.name;
      EXPECT_EQ(simdResult->codes, scalarResult->codes) << f.name;
      EXPECT_TRUE(sameBits(simdResult->levels, scalarResult->levels)) << f.name;
    }
  }
}

} // namespace
} // namespace qs
