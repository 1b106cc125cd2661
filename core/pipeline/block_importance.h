#pragma once
// The importance weights (Tensor::importance) of one fixed block of the
// working array: what llama.cpp passes its quantizers as quant_weights. The
// working array may permute the tensor, so each value's weight is found
// through its tensor index; a block that runs along one row of input columns
// (the usual case) gets a pointer into the weights without a copy. Each
// tensor row of input columns also has its sigma2 = Σx²/n (non-finite values
// left out), which llama.cpp's legacy weighted quantizers take.
#include "core/formats/format_kernel.h"
#include "core/quant/layout.h"
#include "core/tensor.h"

#include <cstdint>
#include <vector>

namespace qs {

class BlockImportance {
public:
  BlockImportance() = default;
  // Throws qs::Error when the tensor's importance does not fit its shape.
  BlockImportance(const Tensor& tensor, const SegmentLayout& layout);

  bool active() const { return weights_ != nullptr; }
  // Weights of working values [begin, begin + n) (a block); `scratch`
  // (>= n floats) holds them when they are not contiguous. Empty when not active.
  BlockWeights forBlock(int64_t begin, int64_t n, float* scratch) const;

private:
  int64_t tensorIndex(int64_t working) const;

  Importance keep_;
  const float* weights_ = nullptr;
  ImportanceIndex index_;
  std::vector<float> rowSigma2_; // per tensor row of index_.columns values
  SegmentLayout layout_;
};

} // namespace qs
