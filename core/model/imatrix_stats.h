#pragma once
// What `llama-imatrix --show-statistics` prints per imatrix entry
// (llama.cpp tools/imatrix/imatrix.cpp, compute_statistics and
// compute_cossim), so an imatrix can be judged before it weights a scan.
// The values a_k are the entry's mean squared activations E[x²] per column
// (the weights llama-quantize uses), all experts' rows together.
#include "core/io/imatrix.h"
#include "core/model/tensor_role.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qs {

struct ImatrixTensorStats {
  std::string name;
  TensorRole role;
  int64_t elements = 0;         // N: the values a_k (columns × experts with data)
  double sumSquares = 0;        // Σ a_k ("Σ(Act²)")
  double min = 0, max = 0;      // of a_k
  double mean = 0;              // Σ a_k / N
  double stdDev = 0;            // population: sqrt(max(0, Σ a_k² / N − mean²))
  double activeFraction = 0;    // share of a_k with |a_k| > 1e-5 ("% Active")
  double entropy = 0;           // −Σ p_k log2 p_k, p_k = a_k / Σ a; 0 when Σ a <= 0
  double entropyNormalised = 0; // entropy / log2 N ("E (norm)"); 0 when N = 1
  double zdScore = 0;           // share of a_k with (a_k − mean) / stdDev > 1; 0 when stdDev = 0
  // Cosine of the entry's raw sums (in_sum2, i.e. a_k × count) with those of
  // the same tensor in the previous block (same role, block − 1, by
  // tensorRole); NaN and `previous` empty when there is none or the sizes
  // differ. Two all-zero vectors give 1, one all-zero vector 0.
  double cosinePrevious = 0;
  std::string previous;
};

// One row per entry, in the imatrix's order. GGUF matrices (experts) whose
// count is 0 never saw a token and are left out of the values (llama.cpp
// divides by the zero count there); an entry with no data at all gives N = 0
// and zero statistics. Legacy entries are their weights as they are (ncall
// only scales them).
std::vector<ImatrixTensorStats> imatrixStatistics(const Imatrix& imatrix);

} // namespace qs
