#pragma once
// The numbers the scan measures (core/model/scan.h), each in one pass over
// the tensor: its own moments, its outlier channels, and the error sums of a
// candidate against the original. Sums run over fixed chunks added in chunk
// order, so results do not depend on the thread count.
#include "core/tensor.h"

#include <cstdint>

namespace qs {

struct TensorMoments {
  double absMax = 0, stdDev = 0, kurtosis = 0; // population std, biased excess kurtosis (0 when constant)
  double sumSquares = 0;                       // Σ x² over finite values
  int64_t finite = 0;
  // Channels (indices along the output axis) whose absmax exceeds 6 × the
  // median channel absmax: the outlier rule of the single-tensor view.
  int64_t outlierChannels = 0;
};
// One pass over memory: each chunk of whole rows is centred on its own mean
// while in cache, and the chunks' central moments are merged in order
// (Pébay's pairwise formulas), so large means do not cancel.
TensorMoments tensorMoments(const Tensor& t, int outAxis);

// Importance weights per element: element f of the tensor has weight
// w[(f / perExpert) * columns + f % columns] — column f % columns of the
// row-major tensor, in expert f / perExpert.
struct ColumnWeights {
  const float* w = nullptr;
  int64_t columns = 0;
  int64_t perExpert = 0;
};

struct ErrorSums {
  double sse = 0, sumX2 = 0, sumQ2 = 0, sumXQ = 0, maxAbs = 0, weighted = 0;
  int64_t count = 0;     // finite inputs
  bool overflow = false; // a finite input became non-finite
};
// Over finite x only; `weights` may be null.
ErrorSums errorSums(const float* x, const float* q, int64_t n, const ColumnWeights* weights);

} // namespace qs
