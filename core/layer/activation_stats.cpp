#include "core/layer/activation_stats.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qs {

std::vector<float> columnAbsMax(const float* x, int64_t rows, int64_t cols) {
  std::vector<float> m(size_t(cols), 0.0f);
  // Rows are contiguous: reduce row chunks per thread, then merge.
#pragma omp parallel
  {
    std::vector<float> local(size_t(cols), 0.0f);
#pragma omp for schedule(static) nowait
    for (int64_t r = 0; r < rows; ++r) {
      const float* row = x + r * cols;
      for (int64_t c = 0; c < cols; ++c) {
        const float a = std::fabs(row[c]);
        if (a > local[size_t(c)]) // NaN compares false: ignored
          local[size_t(c)] = std::isinf(a) ? local[size_t(c)] : a;
      }
    }
#pragma omp critical
    for (int64_t c = 0; c < cols; ++c)
      m[size_t(c)] = std::max(m[size_t(c)], local[size_t(c)]);
  }
  return m;
}

std::vector<int64_t> outlierChannels(const std::vector<float>& absMax, OutlierRule rule, double threshold) {
  std::vector<int64_t> out;
  if (absMax.empty())
    return out;
  double limit = threshold;
  if (rule == OutlierRule::MedianRatio) {
    std::vector<float> sorted = absMax;
    const size_t mid = sorted.size() / 2;
    std::nth_element(sorted.begin(), sorted.begin() + long(mid), sorted.end());
    double median = sorted[mid];
    if (sorted.size() % 2 == 0) {
      const float lower = *std::max_element(sorted.begin(), sorted.begin() + long(mid));
      median = 0.5 * (double(lower) + median);
    }
    limit = threshold * median;
  }
  for (size_t j = 0; j < absMax.size(); ++j)
    if (double(absMax[j]) > limit)
      out.push_back(int64_t(j));
  return out;
}

ActivationStats activationStats(const Tensor& x, OutlierRule rule, double threshold) {
  if (x.shape.size() != 2)
    throw Error("activation statistics need [tokens, in], got " + shapeToString(x.shape));
  const int64_t tokens = x.shape[0], in = x.shape[1];
  ActivationStats st;
  st.rule = rule;
  st.threshold = threshold;
  st.channelAbsMax = columnAbsMax(x.values.data(), tokens, in);
  st.channelMeanAbs.assign(size_t(in), 0.0f);
  st.tokenMin.resize(size_t(tokens));
  st.tokenMax.resize(size_t(tokens));
  std::vector<double> sumAbs(size_t(in), 0.0);
  std::vector<int64_t> count(size_t(in), 0);
#pragma omp parallel
  {
    std::vector<double> localSum(size_t(in), 0.0);
    std::vector<int64_t> localCount(size_t(in), 0);
#pragma omp for schedule(static) nowait
    for (int64_t t = 0; t < tokens; ++t) {
      const float* row = x.values.data() + t * in;
      float lo = std::numeric_limits<float>::infinity(), hi = -lo;
      for (int64_t c = 0; c < in; ++c) {
        const float v = row[c];
        if (!std::isfinite(v))
          continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        localSum[size_t(c)] += std::fabs(v);
        ++localCount[size_t(c)];
      }
      st.tokenMin[size_t(t)] = lo <= hi ? lo : 0.0f;
      st.tokenMax[size_t(t)] = lo <= hi ? hi : 0.0f;
    }
#pragma omp critical
    for (int64_t c = 0; c < in; ++c) {
      sumAbs[size_t(c)] += localSum[size_t(c)];
      count[size_t(c)] += localCount[size_t(c)];
    }
  }
  for (int64_t c = 0; c < in; ++c)
    st.channelMeanAbs[size_t(c)] =
        count[size_t(c)] ? float(sumAbs[size_t(c)] / double(count[size_t(c)])) : 0.0f;
  st.outlierChannels = outlierChannels(st.channelAbsMax, rule, threshold);
  return st;
}

} // namespace qs
