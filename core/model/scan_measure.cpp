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

TensorMoments tensorMoments(const Tensor& t) {
  const int64_t n = t.numel();
  const float* x = t.values.data();
  const int64_t chunks = chunkCount(n);
  // Pass 1: count, sum, absmax; pass 2: central moments (stable for large means).
  std::vector<double> sum(size_t(chunks), 0.0), absMax(size_t(chunks), 0.0), sq(size_t(chunks), 0.0);
  std::vector<int64_t> finite(size_t(chunks), 0);
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < chunks; ++c) {
    double s = 0, a = 0, s2 = 0;
    int64_t k = 0;
    for (int64_t i = c * kChunk, end = std::min(n, (c + 1) * kChunk); i < end; ++i) {
      const double v = x[i];
      if (!std::isfinite(v))
        continue;
      s += v;
      s2 += v * v;
      a = std::max(a, std::fabs(v));
      ++k;
    }
    sum[size_t(c)] = s;
    absMax[size_t(c)] = a;
    sq[size_t(c)] = s2;
    finite[size_t(c)] = k;
  }
  TensorMoments m;
  double total = 0;
  for (int64_t c = 0; c < chunks; ++c) {
    total += sum[size_t(c)];
    m.sumSquares += sq[size_t(c)];
    m.absMax = std::max(m.absMax, absMax[size_t(c)]);
    m.finite += finite[size_t(c)];
  }
  if (m.finite == 0)
    return m;
  const double mean = total / double(m.finite);
  std::vector<double> m2(size_t(chunks), 0.0), m4(size_t(chunks), 0.0);
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < chunks; ++c) {
    double s2 = 0, s4 = 0;
    for (int64_t i = c * kChunk, end = std::min(n, (c + 1) * kChunk); i < end; ++i) {
      const double v = x[i];
      if (!std::isfinite(v))
        continue;
      const double d = (v - mean) * (v - mean);
      s2 += d;
      s4 += d * d;
    }
    m2[size_t(c)] = s2;
    m4[size_t(c)] = s4;
  }
  double c2 = 0, c4 = 0;
  for (int64_t c = 0; c < chunks; ++c) {
    c2 += m2[size_t(c)];
    c4 += m4[size_t(c)];
  }
  c2 /= double(m.finite);
  c4 /= double(m.finite);
  m.stdDev = std::sqrt(c2);
  m.kurtosis = c2 > 0 ? c4 / (c2 * c2) - 3.0 : 0.0;
  return m;
}

int64_t countOutlierChannels(const Tensor& t, int axis) {
  if (t.rank() < 2 || t.numel() == 0)
    return 0;
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
  std::vector<float> sorted = absMax;
  std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
  const double median = sorted[sorted.size() / 2];
  return std::count_if(absMax.begin(), absMax.end(), [&](float a) { return double(a) > 6.0 * median; });
}

ErrorSums errorSums(const float* x, const float* q, int64_t n, const ColumnWeights* weights) {
  const int64_t chunks = chunkCount(n);
  std::vector<ErrorSums> parts(static_cast<size_t>(chunks));
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < chunks; ++c) {
    ErrorSums s;
    for (int64_t i = c * kChunk, end = std::min(n, (c + 1) * kChunk); i < end; ++i) {
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
      if (weights)
        s.weighted +=
            double(weights->w[(i / weights->perExpert) * weights->columns + i % weights->columns]) * e * e;
      ++s.count;
    }
    parts[size_t(c)] = s;
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
