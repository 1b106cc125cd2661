#include "core/model/scan_measure.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace qs {

namespace {

constexpr int64_t kChunk = int64_t(1) << 16;

int64_t chunkCount(int64_t n) {
  return (n + kChunk - 1) / kChunk;
}

} // namespace

namespace {

// Central moments of a run of values: count, mean, M2..M4 = Σ (x − mean)^k.
struct Central {
  double n = 0, mean = 0, m2 = 0, m3 = 0, m4 = 0;
};

Central centralOf(const float* x, int64_t n, double& absMax, double& sumSquares) {
  Central c;
  double sum = 0, a = 0, s2 = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double v = x[i];
    if (!std::isfinite(v))
      continue;
    sum += v;
    s2 += v * v;
    a = std::max(a, std::fabs(v));
    c.n += 1;
  }
  absMax = a;
  sumSquares = s2;
  if (c.n == 0)
    return c;
  c.mean = sum / c.n;
  for (int64_t i = 0; i < n; ++i) { // the run is in cache: a second look is cheap
    const double v = x[i];
    if (!std::isfinite(v))
      continue;
    const double d = v - c.mean, d2 = d * d;
    c.m2 += d2;
    c.m3 += d2 * d;
    c.m4 += d2 * d2;
  }
  return c;
}

// Pébay (2008), the pairwise update of central moments up to the fourth.
Central merge(const Central& a, const Central& b) {
  if (a.n == 0)
    return b;
  if (b.n == 0)
    return a;
  Central c;
  c.n = a.n + b.n;
  const double d = b.mean - a.mean, dn = d / c.n, dn2 = dn * dn;
  c.mean = a.mean + b.n * dn;
  c.m2 = a.m2 + b.m2 + d * dn * a.n * b.n;
  c.m3 = a.m3 + b.m3 + d * dn2 * a.n * b.n * (a.n - b.n) + 3 * dn * (a.n * b.m2 - b.n * a.m2);
  c.m4 = a.m4 + b.m4 + d * dn2 * dn * a.n * b.n * (a.n * a.n - a.n * b.n + b.n * b.n) +
         6 * dn2 * (a.n * a.n * b.m2 + b.n * b.n * a.m2) + 4 * dn * (a.n * b.m3 - b.n * a.m3);
  return c;
}

int64_t outliersOf(std::vector<float> absMax) {
  if (absMax.empty())
    return 0;
  std::vector<float> sorted = absMax;
  std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
  const double median = sorted[sorted.size() / 2];
  return std::count_if(absMax.begin(), absMax.end(), [&](float a) { return double(a) > 6.0 * median; });
}

// Channel absmax along an axis other than the first (Keras kernels): strided.
std::vector<float> channelAbsMax(const Tensor& t, int axis) {
  const ChannelView v = channelView(t.shape, axis);
  std::vector<float> absMax(size_t(v.rows()), 0.0f);
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < v.rows(); ++r) {
    float a = 0;
    for (int64_t o = 0; o < v.outer; ++o) {
      const float* row = t.values.data() + (o * v.dim + r) * v.inner;
      for (int64_t i = 0; i < v.inner; ++i)
        if (std::isfinite(row[i]))
          a = std::max(a, std::fabs(row[i]));
    }
    absMax[size_t(r)] = a;
  }
  return absMax;
}

} // namespace

TensorMoments tensorMoments(const Tensor& t, int outAxis) {
  const int64_t n = t.numel();
  TensorMoments m;
  if (n == 0)
    return m;
  // Chunks of whole rows of the [shape[0], rest] view, about kChunk values each.
  const View2D v = view2D(t.shape);
  const int64_t cols = std::max<int64_t>(1, v.cols);
  const int64_t rowsPerChunk = std::max<int64_t>(1, kChunk / cols);
  const int64_t chunks = (v.rows + rowsPerChunk - 1) / rowsPerChunk;
  const bool rowChannels = t.rank() >= 2 && outAxis == 0;
  std::vector<Central> parts(static_cast<size_t>(chunks));
  std::vector<double> absMax(static_cast<size_t>(chunks)), sumSquares(static_cast<size_t>(chunks));
  std::vector<float> rowAbs(rowChannels ? size_t(v.rows) : 0);
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t r0 = c * rowsPerChunk, r1 = std::min(v.rows, r0 + rowsPerChunk);
    const float* x = t.values.data() + r0 * cols;
    parts[size_t(c)] = centralOf(x, (r1 - r0) * cols, absMax[size_t(c)], sumSquares[size_t(c)]);
    if (rowChannels)
      for (int64_t r = r0; r < r1; ++r) { // rows of this chunk are in cache
        float a = 0;
        for (const float *p = t.values.data() + r * cols, *e = p + cols; p < e; ++p)
          if (std::isfinite(*p))
            a = std::max(a, std::fabs(*p));
        rowAbs[size_t(r)] = a;
      }
  }
  Central all;
  for (int64_t c = 0; c < chunks; ++c) {
    all = merge(all, parts[size_t(c)]);
    m.absMax = std::max(m.absMax, absMax[size_t(c)]);
    m.sumSquares += sumSquares[size_t(c)];
  }
  m.finite = int64_t(all.n);
  if (all.n > 0) {
    const double c2 = all.m2 / all.n, c4 = all.m4 / all.n;
    m.stdDev = std::sqrt(c2);
    m.kurtosis = c2 > 0 ? c4 / (c2 * c2) - 3.0 : 0.0;
  }
  if (t.rank() >= 2)
    m.outlierChannels = outliersOf(rowChannels ? std::move(rowAbs) : channelAbsMax(t, outAxis));
  return m;
}

namespace {

// One chunk [begin, end). The column of element i walks with i instead of
// dividing per element; Weighted is a template flag so the plain loop has no
// weight lookups at all.
template <bool Weighted>
ErrorSums chunkSums(const float* x, const float* q, int64_t begin, int64_t end,
                    const ColumnWeights* weights) {
  ErrorSums s;
  int64_t col = 0;
  const float* w = nullptr;
  if constexpr (Weighted) {
    col = begin % weights->columns;
    w = weights->w + (begin / weights->perExpert) * weights->columns;
  }
  for (int64_t i = begin; i < end; ++i) {
    double wi = 0;
    if constexpr (Weighted) {
      if (i % weights->perExpert == 0 && i > begin) // the next expert's row of weights
        w = weights->w + (i / weights->perExpert) * weights->columns;
      wi = w[col];
      if (++col == weights->columns)
        col = 0;
    }
    const double xv = x[i];
    if (!std::isfinite(xv))
      continue;
    const double qv = q[i];
    if (!std::isfinite(qv)) {
      s.overflow = true;
      ++s.count;
      continue;
    }
    const double e = xv - qv;
    s.sse += e * e;
    s.sumX2 += xv * xv;
    s.sumQ2 += qv * qv;
    s.sumXQ += xv * qv;
    s.maxAbs = std::max(s.maxAbs, std::fabs(e));
    if constexpr (Weighted)
      s.weighted += wi * e * e;
    ++s.count;
  }
  return s;
}

} // namespace

ErrorSums errorSums(const float* x, const float* q, int64_t n, const ColumnWeights* weights) {
  const int64_t chunks = chunkCount(n);
  std::vector<ErrorSums> parts(static_cast<size_t>(chunks));
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t begin = c * kChunk, end = std::min(n, (c + 1) * kChunk);
    parts[size_t(c)] =
        weights ? chunkSums<true>(x, q, begin, end, weights) : chunkSums<false>(x, q, begin, end, nullptr);
  }
  ErrorSums total;
  for (const ErrorSums& s : parts) {
    total.sse += s.sse;
    total.sumX2 += s.sumX2;
    total.sumQ2 += s.sumQ2;
    total.sumXQ += s.sumXQ;
    total.weighted += s.weighted;
    total.maxAbs = std::max(total.maxAbs, s.maxAbs);
    total.count += s.count;
    total.overflow = total.overflow || s.overflow;
  }
  return total;
}

} // namespace qs
