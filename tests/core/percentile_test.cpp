// Exact percentiles: every value must equal numpy.percentile (default
// "linear" method) bit for bit. NumPy runs at test time via QS_PYTHON on the
// same float32 data.
#include "core/calib/clip_range.h"
#include "core/calib/percentile.h"
#include "core/pipeline/quantize.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace qs {
namespace {

const std::vector<double> kPs = {0, 0.1, 1, 25, 37.3, 50, 75, 99, 99.9, 99.99, 100};

// numpy.percentile of the finite values of x (abs or signed) for every p.
std::vector<double> numpyPercentiles(const std::vector<float>& x, bool absolute, const std::string& tag) {
  const std::string path = std::string(QS_TEST_OUT_DIR) + "/percentile_" + tag + ".f32";
  {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(x.data()), std::streamsize(x.size() * sizeof(float)));
  }
  std::ostringstream ps;
  for (double p : kPs)
    ps << p << ",";
  const std::string cmd =
      std::string(QS_PYTHON) + " -c \"import numpy as np; x = np.fromfile('" + path +
      "', dtype=np.float32); x = x[np.isfinite(x)]; x = " + (absolute ? "np.abs(x)" : "x") +
      "; [print(repr(float(np.percentile(x, p)))) for p in [" + ps.str() + "]]\"";
  FILE* pipe = popen(cmd.c_str(), "r");
  std::vector<double> out;
  if (!pipe)
    return out;
  char line[128];
  while (std::fgets(line, sizeof line, pipe))
    out.push_back(std::strtod(line, nullptr));
  pclose(pipe);
  return out;
}

void compareWithNumpy(const std::vector<float>& x, const std::string& tag) {
  for (bool absolute : {true, false}) {
    const std::vector<double> expected = numpyPercentiles(x, absolute, tag);
    ASSERT_EQ(expected.size(), kPs.size()) << "numpy did not run (" << QS_PYTHON << ")";
    for (size_t i = 0; i < kPs.size(); ++i)
      EXPECT_EQ(percentile(x.data(), int64_t(x.size()), kPs[i], absolute), expected[i])
          << tag << (absolute ? " |x|" : " x") << " p=" << kPs[i];
  }
}

std::vector<float> gaussian(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.5f, 2.0f);
  std::vector<float> v(n);
  for (float& f : v)
    f = d(rng);
  return v;
}

// dataStats (min, max, finite count of every scale group) against a plain
// loop, for every length around the 8-wide vector step, NaN/inf anywhere.
TEST(DataStats, EqualsPlainLoopAtEveryLength) {
  std::mt19937 rng(21);
  std::normal_distribution<float> d(0.0f, 3.0f);
  std::uniform_int_distribution<int> pick(0, 9);
  for (int64_t n = 0; n <= 70; ++n) {
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<float> v(static_cast<size_t>(n));
      for (float& x : v) {
        const int k = pick(rng);
        x = k == 0 ? NAN : k == 1 ? (trial % 2 ? INFINITY : -INFINITY) : d(rng);
      }
      float lo = 0, hi = 0;
      int64_t finite = 0;
      for (float x : v)
        if (std::isfinite(x)) {
          lo = finite ? std::min(lo, x) : x;
          hi = finite ? std::max(hi, x) : x;
          ++finite;
        }
      const DataStats s = dataStats(v.data(), n);
      ASSERT_EQ(s.finite, finite) << n;
      if (finite) {
        ASSERT_EQ(s.min, lo) << n;
        ASSERT_EQ(s.max, hi) << n;
      }
    }
  }
}

TEST(Percentile, SmallMatchesNumpy) {
  compareWithNumpy(gaussian(1000, 1), "small");
  compareWithNumpy({3.0f}, "one");
  compareWithNumpy({-1.0f, 2.0f}, "two");
}

TEST(Percentile, LargeMatchesNumpy) {
  // Above the small-input path: the sampled window and the selection inside it.
  std::vector<float> x = gaussian(300000, 2);
  x[17] = NAN;
  x[99999] = INFINITY;
  x[123456] = -INFINITY;
  compareWithNumpy(x, "large");
}

TEST(Percentile, DuplicatesAndSortedInput) {
  std::vector<float> d(100000);
  for (size_t i = 0; i < d.size(); ++i)
    d[i] = float(int(i * 7919 % 3)) - 1.0f; // only -1, 0, 1
  compareWithNumpy(d, "dups");
  std::vector<float> s = gaussian(70000, 3);
  std::sort(s.begin(), s.end());
  compareWithNumpy(s, "sorted");
}

TEST(Percentile, MisleadingSampleFallsBackToHistogram) {
  // Zeros exactly where the sample looks, ones elsewhere: the window built
  // from the sample misses the median; the exact fallback must still hold.
  const int64_t n = int64_t{1} << 17;
  std::vector<float> x(size_t(n), 1.0f);
  for (int b = 0; b < 1024; ++b) {
    const int64_t start = (n - 16) * b / 1023;
    for (int64_t i = start; i < start + 16; ++i)
      x[size_t(i)] = 0.0f;
  }
  for (int64_t i = 0; i < n; i += 3)
    x[size_t(i)] += float(i % 1000) * 1e-3f; // distinct values
  compareWithNumpy(x, "fallback");
}

TEST(Percentile, NoFiniteValuesIsNan) {
  const float x[] = {NAN, INFINITY};
  EXPECT_TRUE(std::isnan(percentile(x, 2, 50, true)));
  EXPECT_TRUE(std::isnan(percentile(x, 0, 50, true)));
}

TEST(Percentile, ClippingUsesIt) {
  Tensor t;
  t.name = "t";
  t.shape = {4000};
  t.values = gaussian(4000, 4);
  QuantConfig c;
  c.format = "int8";
  c.granularity = Granularity{GranularityKind::Tensor, 0, 1};
  c.clipping.method = ClipMethod::Percentile;
  c.clipping.percentile = 99.0;
  auto r = quantize(t, c);
  const float p = float(percentile(t.values.data(), 4000, 99.0, true));
  ASSERT_EQ(r->clipHi.size(), 1u);
  EXPECT_EQ(r->clipHi[0], std::min(p, *std::max_element(t.values.begin(), t.values.end())));
  EXPECT_NEAR(r->metrics.clippedFraction, 0.01, 0.0006);
  // Two-sided: [1st, 99th] percentiles of x. An affine grid spans them...
  c.clipping.twoSided = true;
  c.symmetric = false;
  r = quantize(t, c);
  double lo = 0, hi = 0;
  percentilePair(t.values.data(), 4000, 1.0, 99.0, lo, hi);
  EXPECT_EQ(r->clipLo[0], float(lo));
  EXPECT_EQ(r->clipHi[0], float(hi));
  EXPECT_NEAR(r->metrics.clippedFraction, 0.02, 0.001);
  // ...a symmetric one saturates at +-T, T = the larger magnitude of the two.
  c.symmetric = true;
  r = quantize(t, c);
  const float T = float(std::max(-lo, hi));
  EXPECT_EQ(r->clipLo[0], -T);
  EXPECT_EQ(r->clipHi[0], T);
  int64_t outside = 0;
  for (float v : t.values)
    outside += (v < -T || v > T) ? 1 : 0;
  EXPECT_EQ(r->metrics.clippedFraction, double(outside) / 4000.0);
}

} // namespace
} // namespace qs
