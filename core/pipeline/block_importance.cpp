#include "core/pipeline/block_importance.h"

#include <cmath>

namespace qs {

BlockImportance::BlockImportance(const Tensor& tensor, const SegmentLayout& layout)
    : keep_(tensor.importance), layout_(layout) {
  if (!keep_)
    return;
  index_ = importanceIndex(tensor.name, tensor.shape, int64_t(keep_->size()));
  weights_ = keep_->data();
  const int64_t rows = tensor.numel() / index_.columns;
  rowSigma2_.resize(size_t(rows));
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = tensor.values.data() + r * index_.columns;
    float sumX2 = 0; // as llama.cpp sums it: float, in order
    for (int64_t j = 0; j < index_.columns; ++j)
      if (std::isfinite(x[j]))
        sumX2 += x[j] * x[j];
    rowSigma2_[size_t(r)] = sumX2 / float(index_.columns);
  }
}

int64_t BlockImportance::tensorIndex(int64_t working) const {
  if (layout_.perm == Permutation::Identity)
    return working;
  // Working [dim, outer · inner] -> tensor [outer, dim, inner].
  const int64_t row = working / layout_.cols, col = working % layout_.cols;
  return ((col / layout_.inner) * layout_.dim + row) * layout_.inner + col % layout_.inner;
}

BlockWeights BlockImportance::forBlock(int64_t begin, int64_t n, float* scratch) const {
  if (!weights_ || n <= 0)
    return {};
  const int64_t first = tensorIndex(begin), last = tensorIndex(begin + n - 1);
  BlockWeights b;
  b.rowSigma2 = rowSigma2_[size_t(first / index_.columns)];
  if (last == first + n - 1 && first % index_.columns + n <= index_.columns) {
    b.w = weights_ + index_.at(first); // one row of input columns: contiguous weights
    return b;
  }
  for (int64_t k = 0; k < n; ++k)
    scratch[k] = weights_[index_.at(tensorIndex(begin + k))];
  b.w = scratch;
  return b;
}

} // namespace qs
