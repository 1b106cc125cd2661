#pragma once
// One weight tensor against its imatrix entry, per input column (the
// single-tensor Outliers tab): where the calibration activations are large
// (the imatrix weight E[x²] of column j) and where the weight's own columns
// are large (max_i |W_ij|), the columns where both are, and the
// importance-weighted error of a config beside its plain SSE. The error sums
// are the scan's (core/model/scan.h), so the numbers agree with a scan of
// the same tensor under the same config.
#include "core/io/imatrix.h"
#include "core/quant/quant_config.h"
#include "core/tensor.h"

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace qs {

// The imatrix entry of a tensor: by its own name, then by its GGUF name
// (tensorRole), with the size checked as the scan checks it: one weight per
// input column (the last axis), and for a 3-D expert stack [n_expert, out,
// in] one row of them per expert.
struct ImatrixMatch {
  const ImatrixEntry* entry = nullptr; // null: see problem
  std::string problem;                 // "not in the imatrix", "sizes differ: …"
  int64_t columns = 0;                 // the tensor's last axis
  int64_t experts = 1;                 // shape[0] of a 3-D tensor, else 1
};
ImatrixMatch matchImatrix(const Imatrix& imatrix, const std::string& tensorName, const Shape& shape);

// The rule for "activation outliers hit these weight columns": column j
// (of expert e) is hit when its imatrix weight exceeds kHitImportanceFactor ×
// the median imatrix weight (the single-tensor outlier factor, applied to the
// activations) AND the weight column's absmax max_i |W_ij| exceeds the median
// column absmax (the large activations meet larger-than-typical weights, so
// their rounding errors are amplified). Medians over all (expert, column)
// values, taken as the element at n / 2 of the sorted values.
constexpr double kHitImportanceFactor = 6.0;

struct ImatrixColumns {
  std::string entry;                // the matched imatrix entry's name
  int64_t columns = 0, experts = 1; // values are indexed e · columns + j
  std::vector<float> importance;    // the imatrix weight w of each (expert, column)
  std::vector<float> weightAbsMax;  // max_i |W_ij| over the rows of that expert (finite values)
  double importanceMedian = 0, absMaxMedian = 0;
  std::vector<int64_t> hits; // indices by the rule above, largest importance first
  // Of `config` on the tensor: Σ e² and Σ_j w_j Σ_i e_ij² over finite values
  // (CandidateScore::sse and ::weightedSse of the scan).
  double sse = 0, weightedSse = 0;
};

// Throws qs::Error when `entry` does not fit the tensor (matchImatrix first),
// or when the config cannot quantize it; Cancelled through `cancel`.
ImatrixColumns imatrixColumns(const Tensor& tensor, const ImatrixEntry& entry, const QuantConfig& config,
                              const std::atomic<bool>* cancel = nullptr);

} // namespace qs
