// Weighted 1-D k-means. In one dimension the clusters are runs of the sorted
// values, so with prefix sums of w, w*x, w*x^2 a cluster's cost is O(1):
//  - small inputs (k * d * log d <= 2e6, d distinct values; e.g. any group of
//    a few hundred values) get the exact optimum by dynamic programming;
//  - larger ones run Lloyd (an iteration costs O(k log d)) from a weighted-
//    quantile start and from k-means++ starts, keeping the lowest cost.
#include "core/formats/codebook.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace qs {

namespace {

constexpr int kStarts = 4; // Lloyd runs (quantile start + k-means++ starts); the best is kept

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double uniform01(uint64_t& state) {
  return static_cast<double>(splitmix64(state) >> 11) * 0x1p-53;
}

struct Points {
  std::vector<double> x, w;          // distinct sorted values and their summed weights
  std::vector<double> cw, cwx, cwx2; // prefix sums of w, w*x, w*x^2 (size n + 1)
};

Points collect(const float* values, const float* weights, int64_t n) {
  std::vector<std::pair<float, double>> pw;
  pw.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(values[i]))
      continue;
    const double w = weights ? static_cast<double>(weights[i]) : 1.0;
    if (std::isnan(w) || w < 0.0)
      throw Error("k-means weights must be non-negative numbers");
    pw.emplace_back(values[i], w);
  }
  std::sort(pw.begin(), pw.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  Points p;
  double total = 0.0;
  for (const auto& [v, w] : pw) {
    if (!p.x.empty() && p.x.back() == static_cast<double>(v)) {
      p.w.back() += w;
    } else {
      p.x.push_back(v);
      p.w.push_back(w);
    }
    total += w;
  }
  if (total <= 0.0) // all weights zero: treat the values as equally important
    std::fill(p.w.begin(), p.w.end(), 1.0);
  p.cw.assign(p.x.size() + 1, 0.0);
  p.cwx.assign(p.x.size() + 1, 0.0);
  p.cwx2.assign(p.x.size() + 1, 0.0);
  for (size_t i = 0; i < p.x.size(); ++i) {
    p.cw[i + 1] = p.cw[i] + p.w[i];
    p.cwx[i + 1] = p.cwx[i] + p.w[i] * p.x[i];
    p.cwx2[i + 1] = p.cwx2[i] + p.w[i] * p.x[i] * p.x[i];
  }
  return p;
}

// Squared distance of x to the nearest of the sorted centroids.
double nearestDist2(const std::vector<double>& c, double x) {
  const auto it = std::lower_bound(c.begin(), c.end(), x);
  double best = INFINITY;
  if (it != c.end())
    best = (*it - x) * (*it - x);
  if (it != c.begin())
    best = std::min(best, (x - *(it - 1)) * (x - *(it - 1)));
  return best;
}

// Distinct centroids; top up to k with k-means++ picks (a point with
// probability proportional to w * D^2, D the distance to the nearest centroid
// so far). D^2 is kept per point and lowered after each pick: O(k d) in all.
void fillCentroids(const Points& p, std::vector<double>& c, size_t k, uint64_t& rng) {
  std::sort(c.begin(), c.end());
  c.erase(std::unique(c.begin(), c.end()), c.end());
  if (c.size() >= k)
    return;
  const size_t d = p.x.size();
  std::vector<double> d2(d), cum(d);
  for (size_t i = 0; i < d; ++i)
    d2[i] = c.empty() ? 1.0 : nearestDist2(c, p.x[i]); // no centroid yet: pick by weight alone
  while (c.size() < k) {
    double acc = 0.0;
    for (size_t i = 0; i < d; ++i) {
      acc += p.w[i] * d2[i];
      cum[i] = acc;
    }
    if (!(acc > 0.0))
      return; // every point with mass is already a centroid
    const double target = uniform01(rng) * acc;
    size_t i = static_cast<size_t>(std::upper_bound(cum.begin(), cum.end(), target) - cum.begin());
    i = std::min(i, d - 1);
    while (i > 0 && p.w[i] * d2[i] == 0.0) // never land on a zero-mass point
      --i;
    const double pick = p.x[i];
    c.insert(std::upper_bound(c.begin(), c.end(), pick), pick);
    for (size_t j = 0; j < d; ++j)
      d2[j] = std::min(d2[j], (p.x[j] - pick) * (p.x[j] - pick));
  }
}

// Index one past the last point <= the midpoint between c[j] and c[j + 1].
size_t cellEnd(const Points& p, const std::vector<double>& c, size_t j, size_t lo) {
  if (j + 1 >= c.size())
    return p.x.size();
  const double mid = 0.5 * (c[j] + c[j + 1]);
  return static_cast<size_t>(std::upper_bound(p.x.begin() + static_cast<std::ptrdiff_t>(lo), p.x.end(), mid) -
                             p.x.begin());
}

// Weighted sum of squared distances to the nearest centroid, from prefix sums.
double clusterCost(const Points& p, const std::vector<double>& c) {
  double cost = 0.0;
  size_t lo = 0;
  for (size_t j = 0; j < c.size(); ++j) {
    const size_t hi = cellEnd(p, c, j, lo);
    const double w = p.cw[hi] - p.cw[lo], wx = p.cwx[hi] - p.cwx[lo], wx2 = p.cwx2[hi] - p.cwx2[lo];
    cost += wx2 - 2.0 * c[j] * wx + c[j] * c[j] * w;
    lo = hi;
  }
  return cost;
}

void lloyd(const Points& p, std::vector<double>& c, size_t kk, uint64_t& rng, int maxIterations) {
  std::vector<double> next;
  for (int iter = 0; iter < maxIterations; ++iter) {
    next.clear();
    size_t lo = 0;
    for (size_t j = 0; j < c.size(); ++j) {
      const size_t hi = cellEnd(p, c, j, lo); // ties at a midpoint go to the lower centroid
      const double w = p.cw[hi] - p.cw[lo];
      if (hi > lo && w > 0.0)
        next.push_back(std::clamp((p.cwx[hi] - p.cwx[lo]) / w, p.x[lo], p.x[hi - 1]));
      lo = hi;
    }
    fillCentroids(p, next, kk, rng);
    if (next == c)
      return;
    c.swap(next);
  }
}

// Exact optimum for small inputs: dynamic programming over the sorted points
// (as in Ckmeans.1d.dp), layer by layer; the best split point is monotone in
// the right end, so each layer is solved by divide and conquer.
struct ExactDp {
  const Points& p;
  std::vector<double> prev, cur;
  std::vector<std::vector<uint32_t>> arg; // per layer: start of the last cluster

  double cost(size_t a, size_t b) const { // points [a, b) as one cluster
    const double w = p.cw[b] - p.cw[a];
    if (!(w > 0.0))
      return 0.0;
    const double wx = p.cwx[b] - p.cwx[a];
    return std::max(0.0, (p.cwx2[b] - p.cwx2[a]) - wx * wx / w);
  }
  void solve(size_t layer, size_t lo, size_t hi, size_t optLo, size_t optHi) {
    if (lo > hi)
      return;
    const size_t mid = lo + (hi - lo) / 2;
    double best = INFINITY;
    size_t bestJ = optLo;
    for (size_t j = optLo; j <= std::min(optHi, mid - 1); ++j) {
      const double v = prev[j] + cost(j, mid);
      if (v < best) {
        best = v;
        bestJ = j;
      }
    }
    cur[mid] = best;
    arg[layer][mid] = static_cast<uint32_t>(bestJ);
    if (mid > lo)
      solve(layer, lo, mid - 1, optLo, bestJ);
    solve(layer, mid + 1, hi, bestJ, optHi);
  }
  std::vector<double> run(size_t k) {
    const size_t d = p.x.size();
    prev.assign(d + 1, INFINITY);
    cur.assign(d + 1, INFINITY);
    arg.assign(k, std::vector<uint32_t>(d + 1, 0));
    for (size_t i = 1; i <= d; ++i)
      prev[i] = cost(0, i);
    for (size_t layer = 1; layer < k; ++layer) {
      std::fill(cur.begin(), cur.end(), INFINITY);
      solve(layer, layer + 1, d, layer, d - 1); // every cluster holds at least one point
      prev.swap(cur);
    }
    std::vector<double> c(k);
    size_t end = d;
    for (size_t layer = k; layer-- > 0;) {
      const size_t start = layer == 0 ? 0 : arg[layer][end];
      const double w = p.cw[end] - p.cw[start];
      c[layer] = w > 0.0 ? (p.cwx[end] - p.cwx[start]) / w : 0.5 * (p.x[start] + p.x[end - 1]);
      end = start;
    }
    return c;
  }
};

// Above this many cost evaluations (~ k * d * log2 d) Lloyd is used instead.
constexpr double kExactWorkLimit = 2e6;

} // namespace

std::vector<float> kmeans1d(const float* values, const float* weights, int64_t n, int k, uint64_t seed,
                            int maxIterations) {
  if (k < 1 || k > 65536)
    throw Error("k-means needs 1..65536 clusters, got " + std::to_string(k));
  if (n < 0 || (n > 0 && values == nullptr))
    throw Error("k-means got no values");
  const Points p = collect(values, weights, n);
  const size_t d = p.x.size(), kk = static_cast<size_t>(k);
  std::vector<float> out;
  if (d <= kk) { // every distinct value is its own centroid
    for (double v : p.x)
      out.push_back(static_cast<float>(v));
    out.resize(kk, out.empty() ? 0.0f : out.back());
    return out;
  }
  if (static_cast<double>(kk) * static_cast<double>(d) * std::log2(static_cast<double>(d)) <=
      kExactWorkLimit) {
    ExactDp dp{p, {}, {}, {}};
    for (double v : dp.run(kk))
      out.push_back(static_cast<float>(v));
    std::sort(out.begin(), out.end());
    return out;
  }
  uint64_t rng = seed;
  const double total = p.cw[d];
  // Start 0: weighted quantiles (j + 1/2) / k. Starts 1..: k-means++ seeding.
  std::vector<double> best;
  double bestCost = INFINITY;
  for (int start = 0; start < kStarts; ++start) {
    std::vector<double> c;
    c.reserve(kk);
    if (start == 0) {
      for (size_t j = 0; j < kk; ++j) {
        const double target = (static_cast<double>(j) + 0.5) / static_cast<double>(kk) * total;
        const size_t i =
            static_cast<size_t>(std::upper_bound(p.cw.begin() + 1, p.cw.end(), target) - p.cw.begin() - 1);
        c.push_back(p.x[std::min(i, d - 1)]);
      }
    } else {
      c.push_back(p.x[static_cast<size_t>(
          std::upper_bound(p.cw.begin() + 1, p.cw.end(), uniform01(rng) * total) - p.cw.begin() - 1)]);
    }
    fillCentroids(p, c, kk, rng);
    lloyd(p, c, kk, rng, maxIterations);
    const double cost = clusterCost(p, c);
    if (cost < bestCost) {
      bestCost = cost;
      best = c;
    }
  }
  for (double v : best)
    out.push_back(static_cast<float>(v));
  out.resize(kk, out.empty() ? 0.0f : out.back());
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace qs
