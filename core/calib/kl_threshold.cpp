#include "core/calib/kl_threshold.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

namespace qs {

std::vector<int64_t> absHistogram(const float* x, int64_t n, float amax, int bins) {
  std::vector<int64_t> h(static_cast<size_t>(bins), 0);
  if (!(amax > 0))
    return h;
  const double k = double(bins) / double(amax);
#pragma omp parallel if (n > (int64_t{1} << 18))
  {
    std::vector<int64_t> local(static_cast<size_t>(bins), 0);
#pragma omp for schedule(static) nowait
    for (int64_t i = 0; i < n; ++i) {
      const float a = std::fabs(x[i]);
      if (a <= FLT_MAX)
        ++local[size_t(std::min<int64_t>(int64_t(double(a) * k), bins - 1))];
    }
#pragma omp critical
    for (size_t b = 0; b < h.size(); ++b)
      h[b] += local[b];
  }
  return h;
}

namespace {

// Prefix sums over the histogram (after the bins[0] = bins[1] substitution):
// counts, sum c*log(c) and non-zero bins, so that each candidate costs
// O(chunks) instead of O(i).
struct KlPrefix {
  std::vector<double> count, clogc;
  std::vector<int64_t> nonzero;
  std::vector<double> bins;
  double total = 0;

  explicit KlPrefix(const std::vector<int64_t>& hist) {
    const size_t B = hist.size();
    bins.assign(hist.begin(), hist.end());
    if (B > 1)
      bins[0] = bins[1];
    count.assign(B + 1, 0);
    clogc.assign(B + 1, 0);
    nonzero.assign(B + 1, 0);
    for (size_t j = 0; j < B; ++j) {
      const double c = bins[j];
      count[j + 1] = count[j] + c;
      clogc[j + 1] = clogc[j] + (c > 0 ? c * std::log(c) : 0.0);
      nonzero[j + 1] = nonzero[j] + (c > 0);
    }
    total = count[B];
    // Counts are integers: for small totals a table replaces std::log in the
    // candidate loop (per-channel/group KL runs it for every segment).
    if (total <= double(1 << 20)) {
      logInt.resize(size_t(total) + 1);
      logInt[0] = 0;
      for (size_t k = 1; k < logInt.size(); ++k)
        logInt[k] = std::log(double(k));
    }
  }
  std::vector<double> logInt;
  double logCount(double c) const { return c < double(logInt.size()) ? logInt[size_t(c)] : std::log(c); }
};

// KL for candidate i. p_j = c_j / T (the last bin also holds the outliers
// O = T - S_i); q_j = (C_k / Z_k) / S_i on the non-zero bins of chunk k
// (C_k its count, Z_k its non-zero bins), S_i = sum_{j<i} c_j. With the
// chunks k(j) = floor(nq * j / i) exactly as np.digitize over np.linspace.
double divergence(const KlPrefix& P, int i, int nq) {
  const double T = P.total;
  const double S = P.count[size_t(i)];
  if (T <= 0 || S <= 0)
    return std::numeric_limits<double>::infinity();
  const double logT = std::log(T), logS = std::log(S);
  const double last = P.bins[size_t(i - 1)];
  const double outliers = T - S;
  if (last == 0 && outliers > 0)
    return std::numeric_limits<double>::infinity();
  double sum = 0; // sum over j of c_j * log(p_j / q_j) * T, with the last bin fixed below
  int64_t chunkBegin = 0;
  int64_t lastChunkBegin = 0, lastChunkEnd = 0;
  for (int k = 0; k < nq; ++k) {
    // First j with floor(nq*j/i) >= k+1  <=>  j >= ceil((k+1)*i/nq).
    const int64_t chunkEnd = std::min<int64_t>(i, (int64_t(k + 1) * i + nq - 1) / nq);
    if (chunkEnd > chunkBegin) {
      const double C = P.count[size_t(chunkEnd)] - P.count[size_t(chunkBegin)];
      const int64_t Z = P.nonzero[size_t(chunkEnd)] - P.nonzero[size_t(chunkBegin)];
      if (Z > 0) {
        const double cl = P.clogc[size_t(chunkEnd)] - P.clogc[size_t(chunkBegin)];
        // sum_j c_j [log c_j - log T - log C + log Z + log S]
        sum += cl - C * (logT + P.logCount(C) - P.logCount(double(Z)) - logS);
      }
      if (chunkEnd == i) {
        lastChunkBegin = chunkBegin;
        lastChunkEnd = chunkEnd;
      }
    }
    chunkBegin = std::max(chunkBegin, chunkEnd);
  }
  if (outliers > 0) {
    // Replace the last bin's term c log(c/T / q) by (c+O) log((c+O)/T / q).
    const double C = P.count[size_t(lastChunkEnd)] - P.count[size_t(lastChunkBegin)];
    const int64_t Z = P.nonzero[size_t(lastChunkEnd)] - P.nonzero[size_t(lastChunkBegin)];
    const double logQ = P.logCount(C) - P.logCount(double(Z)) - logS; // log q_{i-1}
    const double cOld = last, cNew = last + outliers;
    sum -= cOld * (std::log(cOld) - logT - logQ);
    sum += cNew * (std::log(cNew) - logT - logQ);
  }
  return sum / T;
}

int chunksFor(int bits) {
  return 1 << std::clamp(bits - 1, 0, 11);
}

} // namespace

double klDivergence(const std::vector<int64_t>& hist, int i, int bits) {
  const KlPrefix P(hist);
  return divergence(P, i, chunksFor(bits));
}

double klThreshold(const std::vector<int64_t>& hist, double amax, int bits) {
  const int B = static_cast<int>(hist.size());
  if (B == 0 || !(amax > 0))
    return amax;
  const KlPrefix P(hist);
  if (P.total <= 0)
    return amax;
  const int nq = chunksFor(bits);
  const int start = std::min(kKlStartBin, B);
  double best = std::numeric_limits<double>::infinity();
  int bestI = B;
  for (int i = start; i <= B; ++i) {
    const double d = divergence(P, i, nq);
    if (d <= best) { // "<=": the last minimum wins
      best = d;
      bestI = i;
    }
  }
  return double(bestI) * amax / double(B);
}

} // namespace qs
