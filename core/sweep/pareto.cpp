#include "core/sweep/pareto.h"

#include <algorithm>
#include <cmath>

namespace qs {

std::vector<size_t> paretoFront(const std::vector<CostQuality>& points) {
  std::vector<size_t> order;
  for (size_t i = 0; i < points.size(); ++i)
    if (std::isfinite(points[i].bitsPerElement) && std::isfinite(points[i].sqnrDb))
      order.push_back(i);
  // Cheapest first; at equal cost the best first, then the earliest.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (points[a].bitsPerElement != points[b].bitsPerElement)
      return points[a].bitsPerElement < points[b].bitsPerElement;
    return points[a].sqnrDb > points[b].sqnrDb;
  });
  std::vector<size_t> front;
  for (size_t i : order) // each kept point beats every cheaper one
    if (front.empty() || points[i].sqnrDb > points[front.back()].sqnrDb)
      front.push_back(i);
  return front;
}

} // namespace qs
