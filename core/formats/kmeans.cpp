// Weighted 1-D k-means (Lloyd). In one dimension the clusters are runs of the
// sorted values split at the midpoints between centroids, so with prefix sums
// an iteration costs O(k log n) after one sort.
#include "core/formats/codebook.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace qs {

namespace {

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
  std::vector<double> x, w;    // distinct sorted values and their summed weights
  std::vector<double> cw, cwx; // prefix sums (size n + 1)
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
  for (size_t i = 0; i < p.x.size(); ++i) {
    p.cw[i + 1] = p.cw[i] + p.w[i];
    p.cwx[i + 1] = p.cwx[i] + p.w[i] * p.x[i];
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

// k-means++ pick: a point with probability proportional to w * D^2.
bool seedOne(const Points& p, std::vector<double>& c, uint64_t& rng) {
  std::vector<double> cum(p.x.size());
  double acc = 0.0;
  for (size_t i = 0; i < p.x.size(); ++i) {
    acc += p.w[i] * nearestDist2(c, p.x[i]);
    cum[i] = acc;
  }
  if (!(acc > 0.0))
    return false;
  const double target = uniform01(rng) * acc;
  size_t i = static_cast<size_t>(std::upper_bound(cum.begin(), cum.end(), target) - cum.begin());
  i = std::min(i, p.x.size() - 1);
  while (i > 0 && p.w[i] * nearestDist2(c, p.x[i]) == 0.0) // never land on a zero-mass point
    --i;
  c.insert(std::upper_bound(c.begin(), c.end(), p.x[i]), p.x[i]);
  return true;
}

// Distinct centroids; top up to k with k-means++ picks.
void fillCentroids(const Points& p, std::vector<double>& c, size_t k, uint64_t& rng) {
  std::sort(c.begin(), c.end());
  c.erase(std::unique(c.begin(), c.end()), c.end());
  while (c.size() < k && seedOne(p, c, rng)) {
  }
}

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
  uint64_t rng = seed;
  const double total = p.cw[d];
  std::vector<double> c;
  c.reserve(kk);
  for (size_t j = 0; j < kk; ++j) { // weighted quantiles (j + 1/2) / k
    const double target = (static_cast<double>(j) + 0.5) / static_cast<double>(kk) * total;
    size_t i = static_cast<size_t>(std::upper_bound(p.cw.begin() + 1, p.cw.end(), target) - p.cw.begin() - 1);
    c.push_back(p.x[std::min(i, d - 1)]);
  }
  fillCentroids(p, c, kk, rng);

  std::vector<double> next;
  for (int iter = 0; iter < maxIterations; ++iter) {
    next.clear();
    size_t lo = 0;
    for (size_t j = 0; j < c.size(); ++j) {
      // Points <= the midpoint go to the lower centroid (ties to the lower index).
      size_t hi = d;
      if (j + 1 < c.size()) {
        const double mid = 0.5 * (c[j] + c[j + 1]);
        hi = static_cast<size_t>(
            std::upper_bound(p.x.begin() + static_cast<std::ptrdiff_t>(lo), p.x.end(), mid) - p.x.begin());
      }
      const double w = p.cw[hi] - p.cw[lo];
      if (hi > lo && w > 0.0)
        next.push_back(std::clamp((p.cwx[hi] - p.cwx[lo]) / w, p.x[lo], p.x[hi - 1]));
      lo = hi;
    }
    fillCentroids(p, next, kk, rng);
    if (next == c)
      break;
    c.swap(next);
  }
  for (double v : c)
    out.push_back(static_cast<float>(v));
  out.resize(kk, out.empty() ? 0.0f : out.back());
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace qs
