#pragma once
// The formats worth having at a storage budget: a point is on the Pareto
// front when no other point stores fewer or equal bits per element with a
// higher SQNR (or the same SQNR in fewer bits). `quantscope-cli sweep` marks
// them and the Sweep tab draws the front.
#include <cstddef>
#include <vector>

namespace qs {

struct CostQuality {
  double bitsPerElement = 0;
  double sqnrDb = 0; // non-finite points are never on the front
};

// Indices of the points on the front, in increasing bits per element (equal
// points: the first of them).
std::vector<size_t> paretoFront(const std::vector<CostQuality>& points);

} // namespace qs
