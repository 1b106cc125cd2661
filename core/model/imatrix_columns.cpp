// Per input column of one tensor against its imatrix entry
// (core/model/imatrix_columns.h).
#include "core/model/imatrix_columns.h"

#include "core/error.h"
#include "core/model/scan_measure.h"
#include "core/model/tensor_role.h"
#include "core/pipeline/quantize.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qs {

namespace {

double medianOf(std::vector<float> v) {
  if (v.empty())
    return 0.0;
  const auto mid = v.begin() + std::ptrdiff_t(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return double(*mid);
}

void throwIfCancelled(const std::atomic<bool>* cancel) {
  if (cancel && cancel->load(std::memory_order_relaxed))
    throw Cancelled();
}

} // namespace

ImatrixMatch matchImatrix(const Imatrix& imatrix, const std::string& tensorName, const Shape& shape) {
  ImatrixMatch m;
  m.columns = shape.empty() ? 1 : shape.back();
  m.experts = shape.size() == 3 ? shape[0] : 1;
  const ImatrixEntry* e = imatrix.find(tensorName);
  if (!e) {
    const std::string gguf = tensorRole(tensorName).ggufName;
    if (!gguf.empty())
      e = imatrix.find(gguf);
  }
  if (!e) {
    m.problem = "not in the imatrix";
    return m;
  }
  const int64_t need = m.columns * m.experts;
  if (int64_t(e->weights.size()) != need) {
    m.problem = "sizes differ: the imatrix entry '" + e->name + "' has " + std::to_string(e->weights.size()) +
                " weights, the tensor " + shapeToString(shape) + " needs " + std::to_string(need);
    return m;
  }
  m.entry = e;
  return m;
}

ImatrixColumns imatrixColumns(const Tensor& tensor, const ImatrixEntry& entry, const QuantConfig& config,
                              const std::atomic<bool>* cancel) {
  ImatrixMatch match;
  match.columns = tensor.shape.empty() ? 1 : tensor.shape.back();
  match.experts = tensor.shape.size() == 3 ? tensor.shape[0] : 1;
  if (int64_t(entry.weights.size()) != match.columns * match.experts || tensor.numel() == 0)
    throw Error("tensor '" + tensor.name + "' " + shapeToString(tensor.shape) + ": the imatrix entry '" +
                entry.name + "' has " + std::to_string(entry.weights.size()) + " weights");

  ImatrixColumns out;
  out.entry = entry.name;
  out.columns = match.columns;
  out.experts = match.experts;
  out.importance = entry.weights;
  const int64_t n = tensor.numel();
  const int64_t perExpert = std::max<int64_t>(1, n / match.experts);

  // max_i |W_ij| per (expert, column): rows of `columns` values, expert after expert.
  out.weightAbsMax.assign(entry.weights.size(), 0.0f);
  const float* x = tensor.values.data();
  int64_t row = 0;
  for (int64_t start = 0; start < n; start += match.columns, ++row) {
    float* a = out.weightAbsMax.data() + (start / perExpert) * match.columns;
    for (int64_t j = 0; j < match.columns; ++j) {
      const float v = std::fabs(x[start + j]);
      if (std::isfinite(v) && v > a[j])
        a[j] = v;
    }
    if (row % 4096 == 0)
      throwIfCancelled(cancel);
  }
  out.importanceMedian = medianOf(out.importance);
  out.absMaxMedian = medianOf(out.weightAbsMax);
  const double threshold = kHitImportanceFactor * out.importanceMedian;
  for (size_t k = 0; k < out.importance.size(); ++k)
    if (double(out.importance[k]) > threshold && double(out.weightAbsMax[k]) > out.absMaxMedian)
      out.hits.push_back(int64_t(k));
  std::stable_sort(out.hits.begin(), out.hits.end(), [&](int64_t a, int64_t b) {
    return out.importance[size_t(a)] > out.importance[size_t(b)];
  });

  throwIfCancelled(cancel);
  std::vector<float> q(static_cast<size_t>(n));
  fakeQuantizeInto(tensor, config, q.data(), cancel);
  const ColumnWeights weights{entry.weights.data(), match.columns, perExpert};
  const ErrorSums sums = errorSums(x, q.data(), n, &weights);
  if (sums.overflow) { // as the scan reports a format that overflows
    out.sse = out.weightedSse = std::numeric_limits<double>::infinity();
  } else {
    out.sse = sums.sse;
    out.weightedSse = sums.weighted;
  }
  return out;
}

} // namespace qs
