// Codebooks (published tables, user levels, nearest) and weighted 1-D k-means.
#include "core/formats/codebook.h"

#include "core/error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace qs {
namespace {

TEST(Codebook, Nf4IsTheQloraTable) {
  // bitsandbytes csrc/kernels.cu, dDequantizeNF4.
  const std::vector<float> want = {-1.0f,
                                   -0.6961928009986877f,
                                   -0.5250730514526367f,
                                   -0.39491748809814453f,
                                   -0.28444138169288635f,
                                   -0.18477343022823334f,
                                   -0.09105003625154495f,
                                   0.0f,
                                   0.07958029955625534f,
                                   0.16093020141124725f,
                                   0.24611230194568634f,
                                   0.33791524171829224f,
                                   0.44070982933044434f,
                                   0.5626170039176941f,
                                   0.7229568362236023f,
                                   1.0f};
  EXPECT_EQ(nf4Codebook().levels, want);
  EXPECT_EQ(nf4Codebook().bits(), 4);
}

TEST(Codebook, Fp4BnbAndIq4nl) {
  // bitsandbytes FP4: {0, 0.0625, 2, 3, 4, 6, 8, 12} / 12 with both signs (+-0 merged).
  const std::vector<float>& l = fp4BnbCodebook().levels;
  ASSERT_EQ(l.size(), 15u);
  EXPECT_EQ(l.front(), -1.0f);
  EXPECT_EQ(l.back(), 1.0f);
  EXPECT_EQ(l[7], 0.0f);
  EXPECT_FLOAT_EQ(l[8], 0.0625f / 12.0f);
  EXPECT_FLOAT_EQ(l[9], 1.0f / 6.0f);
  EXPECT_FLOAT_EQ(l[13], 2.0f / 3.0f);
  EXPECT_EQ(fp4BnbCodebook().bits(), 4);
  // llama.cpp kvalues_iq4nl / 127.
  const std::vector<float>& q = iq4nlCodebook().levels;
  ASSERT_EQ(q.size(), 16u);
  EXPECT_EQ(q[0], -1.0f);
  EXPECT_EQ(q[7], -10.0f / 127.0f);
  EXPECT_EQ(q[8], 1.0f / 127.0f);
  EXPECT_EQ(q[15], 113.0f / 127.0f);
  EXPECT_EQ(binaryCodebook().levels, (std::vector<float>{-1.0f, 1.0f}));
  EXPECT_EQ(binaryCodebook().bits(), 1);
  EXPECT_EQ(ternaryCodebook().bits(), 2);
}

TEST(Codebook, NearestTiesToLowerIndex) {
  const Codebook& c = ternaryCodebook();
  EXPECT_EQ(c.nearest(-5.0f), 0);
  EXPECT_EQ(c.nearest(-0.5f), 0); // tie between -1 and 0
  EXPECT_EQ(c.nearest(-0.49f), 1);
  EXPECT_EQ(c.nearest(0.5f), 1); // tie between 0 and 1
  EXPECT_EQ(c.nearest(0.51f), 2);
  EXPECT_EQ(c.nearest(7.0f), 2);
  EXPECT_EQ(c.nearest(1.0f), 2);
  // Against a linear scan on NF4 for many values.
  const Codebook& n = nf4Codebook();
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-1.2f, 1.2f);
  for (int i = 0; i < 20000; ++i) {
    const float y = u(rng);
    int best = 0;
    for (int j = 1; j < 16; ++j)
      if (std::fabs(n.levels[j] - y) < std::fabs(n.levels[best] - y))
        best = j;
    ASSERT_EQ(n.nearest(y), best) << y;
  }
}

TEST(Codebook, UserLevelsAreValidatedSortedAndNormalised) {
  const Codebook c = makeUserCodebook({4.0f, -8.0f, 0.0f, 2.0f, 2.0f});
  EXPECT_EQ(c.levels, (std::vector<float>{-1.0f, 0.0f, 0.25f, 0.5f}));
  EXPECT_EQ(c.bits(), 2);
  EXPECT_THROW(makeUserCodebook({1.0f}), Error);
  EXPECT_THROW(makeUserCodebook({1.0f, 1.0f}), Error);
  EXPECT_THROW(makeUserCodebook({1.0f, std::numeric_limits<float>::quiet_NaN()}), Error);
  EXPECT_THROW(makeUserCodebook(std::vector<float>(257, 1.0f)), Error);
}

// ---- k-means ------------------------------------------------------------------------

double sse(const std::vector<float>& x, const std::vector<float>& w, const std::vector<float>& c) {
  double s = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    double best = INFINITY;
    for (float v : c)
      best = std::min(best, (static_cast<double>(x[i]) - v) * (static_cast<double>(x[i]) - v));
    s += (w.empty() ? 1.0 : w[i]) * best;
  }
  return s;
}

// Exact optimum of 1-D k-means by dynamic programming over sorted points.
double optimalSse(std::vector<float> x, int k) {
  std::sort(x.begin(), x.end());
  const size_t n = x.size();
  std::vector<double> p(n + 1, 0), p2(n + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    p[i + 1] = p[i] + x[i];
    p2[i + 1] = p2[i] + static_cast<double>(x[i]) * x[i];
  }
  auto cost = [&](size_t a, size_t b) { // points [a, b)
    const double s = p[b] - p[a], m = static_cast<double>(b - a);
    return (p2[b] - p2[a]) - s * s / m;
  };
  std::vector<double> dp(n + 1, INFINITY), next(n + 1);
  dp[0] = 0;
  for (int c = 0; c < k; ++c) {
    std::fill(next.begin(), next.end(), INFINITY);
    next[0] = 0;
    for (size_t b = 1; b <= n; ++b)
      for (size_t a = 0; a < b; ++a)
        next[b] = std::min(next[b], dp[a] + cost(a, b));
    dp.swap(next);
  }
  return dp[n];
}

TEST(KMeans, SeparatedClustersAreFoundExactly) {
  const std::vector<float> x = {1.0f, 1.2f, 0.8f, 10.0f, 10.5f, 9.5f, -5.0f, -5.0f};
  const std::vector<float> c = kmeans1d(x.data(), nullptr, static_cast<int64_t>(x.size()), 3, 1);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_FLOAT_EQ(c[0], -5.0f);
  EXPECT_FLOAT_EQ(c[1], 1.0f);
  EXPECT_FLOAT_EQ(c[2], 10.0f);
}

TEST(KMeans, WeightsMoveTheCentroid) {
  // One cluster: the weighted mean (1*0 + 3*4) / 4 = 3.
  const std::vector<float> x = {0.0f, 4.0f}, w = {1.0f, 3.0f};
  EXPECT_EQ(kmeans1d(x.data(), w.data(), 2, 1, 0), std::vector<float>{3.0f});
  // Zero weight: the point does not pull, but is still a distinct value.
  const std::vector<float> x2 = {0.0f, 1.0f, 2.0f, 100.0f}, w2 = {1.0f, 1.0f, 1.0f, 0.0f};
  EXPECT_EQ(kmeans1d(x2.data(), w2.data(), 4, 1, 0), std::vector<float>{1.0f});
  const std::vector<float> neg = {-1.0f, 1.0f};
  EXPECT_THROW(kmeans1d(x.data(), neg.data(), 2, 1, 0), Error);
}

TEST(KMeans, DegenerateInputs) {
  const std::vector<float> same(100, 0.25f);
  EXPECT_EQ(kmeans1d(same.data(), nullptr, 100, 4, 0), std::vector<float>(4, 0.25f));
  const std::vector<float> two = {3.0f, -1.0f};
  EXPECT_EQ(kmeans1d(two.data(), nullptr, 2, 4, 0), (std::vector<float>{-1.0f, 3.0f, 3.0f, 3.0f}));
  EXPECT_EQ(kmeans1d(nullptr, nullptr, 0, 2, 0), (std::vector<float>{0.0f, 0.0f}));
  const std::vector<float> withNan = {1.0f, std::numeric_limits<float>::quiet_NaN(), 3.0f,
                                      std::numeric_limits<float>::infinity()};
  EXPECT_EQ(kmeans1d(withNan.data(), nullptr, 4, 2, 0), (std::vector<float>{1.0f, 3.0f}));
  EXPECT_THROW(kmeans1d(two.data(), nullptr, 2, 0, 0), Error);
}

TEST(KMeans, DeterministicSortedAndNearOptimal) {
  std::mt19937 rng(17);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (int trial = 0; trial < 6; ++trial) {
    std::vector<float> x(300);
    for (float& v : x)
      v = nd(rng) * (trial % 2 ? 1.0f : 0.02f) + ((rng() % 3) == 0 ? 2.0f : 0.0f);
    for (int k : {2, 4, 8, 16}) {
      const std::vector<float> a = kmeans1d(x.data(), nullptr, static_cast<int64_t>(x.size()), k, 42);
      const std::vector<float> b = kmeans1d(x.data(), nullptr, static_cast<int64_t>(x.size()), k, 42);
      ASSERT_EQ(a, b);
      ASSERT_EQ(a.size(), static_cast<size_t>(k));
      ASSERT_TRUE(std::is_sorted(a.begin(), a.end()));
      // Small inputs are solved exactly: the cost equals the O(k n^2) optimum.
      const double opt = optimalSse(x, k);
      EXPECT_LE(sse(x, {}, a), opt * (1 + 1e-9) + 1e-12) << "k=" << k << " trial " << trial;
      // Fixed point: each centroid is the mean of the points nearest to it.
      for (size_t j = 0; j < a.size(); ++j) {
        double s = 0, n = 0;
        for (float v : x) {
          const auto it = std::min_element(
              a.begin(), a.end(), [&](float p, float q) { return std::fabs(p - v) < std::fabs(q - v); });
          if (static_cast<size_t>(it - a.begin()) == j) {
            s += v;
            n += 1;
          }
        }
        if (n > 0) {
          EXPECT_NEAR(a[j], s / n, 1e-5) << "k=" << k << " centroid " << j;
        }
      }
    }
  }
}

TEST(KMeans, LargeInputsUseLloydAndReachAFixedPoint) {
  std::mt19937 rng(23);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> x(60000), w(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = nd(rng);
    w[i] = 0.5f + static_cast<float>(i % 7);
  }
  const int k = 16;
  const std::vector<float> a = kmeans1d(x.data(), w.data(), static_cast<int64_t>(x.size()), k, 9, 200);
  EXPECT_EQ(a, kmeans1d(x.data(), w.data(), static_cast<int64_t>(x.size()), k, 9, 200));
  ASSERT_EQ(a.size(), static_cast<size_t>(k));
  ASSERT_TRUE(std::is_sorted(a.begin(), a.end()));
  // Each centroid is the weighted mean of its cell (cells split at midpoints).
  std::vector<double> s(k, 0), n(k, 0);
  for (size_t i = 0; i < x.size(); ++i) {
    const size_t j = static_cast<size_t>(
        std::min_element(a.begin(), a.end(),
                         [&](float p, float q) { return std::fabs(p - x[i]) < std::fabs(q - x[i]); }) -
        a.begin());
    s[j] += static_cast<double>(w[i]) * x[i];
    n[j] += w[i];
  }
  for (int j = 0; j < k; ++j)
    EXPECT_NEAR(a[static_cast<size_t>(j)], s[static_cast<size_t>(j)] / n[static_cast<size_t>(j)], 1e-4) << j;
  // Much better than a uniform grid over the same range.
  std::vector<float> uniform(k);
  for (int j = 0; j < k; ++j)
    uniform[static_cast<size_t>(j)] = a.front() + (a.back() - a.front()) * static_cast<float>(j) / (k - 1);
  EXPECT_LT(sse(x, w, a), 0.8 * sse(x, w, uniform));
}

} // namespace
} // namespace qs
