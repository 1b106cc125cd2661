#include "core/axis_layout.h"

#include <vector>

namespace qs {

std::string axisNames(const Shape& shape, int outAxis) {
  const int rank = int(shape.size());
  if (rank < 2 || rank > 5 || outAxis < 0 || outAxis >= rank)
    return "";
  // The axes other than out, in their order: one input axis, then spatial ones
  // (after it when out is first: [out, in, kh, kw]; before it otherwise:
  // [kh, kw, in, out]).
  static const char* const kSpatial3[] = {"kd", "kh", "kw"};
  std::vector<std::string> names(static_cast<size_t>(rank));
  const int spatial = rank - 2;
  const char* const* spatialNames = kSpatial3 + (3 - spatial);
  int next = 0;
  for (int i = 0; i < rank; ++i) {
    if (i == outAxis) {
      names[size_t(i)] = "out";
      continue;
    }
    const bool inFirst = outAxis == 0 || outAxis == 1;
    const int k = next++; // 0 .. rank-2 among the non-out axes
    if (inFirst)
      names[size_t(i)] = k == 0 ? "in" : spatialNames[k - 1];
    else
      names[size_t(i)] = k == rank - 2 ? "in" : spatialNames[k];
  }
  std::string s = "[";
  for (int i = 0; i < rank; ++i)
    s += (i ? ", " : "") + names[size_t(i)];
  return s + "]";
}

AxisLayout inferAxisLayout(const Shape& shape, WeightOrder order, const std::string& origin) {
  const int rank = int(shape.size());
  AxisLayout layout;
  if (rank <= 1) {
    layout.outAxis = 0;
    layout.reason = rank == 1 ? origin + ": a 1-D tensor (a bias or a norm's scale)" : origin + ": a scalar";
    return layout;
  }
  switch (order) {
  case WeightOrder::OutFirst:
    layout.outAxis = 0;
    break;
  case WeightOrder::OutLast:
    layout.outAxis = rank - 1;
    break;
  case WeightOrder::OutAxis1:
    layout.outAxis = 1;
    break;
  }
  const std::string names = axisNames(shape, layout.outAxis);
  layout.reason = origin + (names.empty() ? "" : " " + names) + ": output channels on axis " +
                  std::to_string(layout.outAxis);
  return layout;
}

} // namespace qs
