#include "core/tensor.h"

#include "core/error.h"

#include <algorithm>
#include <limits>

namespace qs {

int64_t shapeNumel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      throw Error("negative dimension " + std::to_string(d) + " in shape " + shapeToString(shape));
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
      throw Error("shape " + shapeToString(shape) + " has more elements than fit in 64 bits");
    n *= d;
  }
  return n;
}

std::string shapeToString(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

ImportanceIndex importanceIndex(const std::string& name, const Shape& shape, int64_t weights) {
  ImportanceIndex index;
  index.columns = shape.empty() ? 1 : shape.back();
  const int64_t experts = shape.size() == 3 ? shape[0] : 1;
  const int64_t n = shapeNumel(shape);
  if (index.columns <= 0 || experts <= 0 || weights != index.columns * experts)
    throw Error("tensor '" + name + "' " + shapeToString(shape) + ": its importance has " +
                std::to_string(weights) + " weights, it needs " + std::to_string(index.columns * experts) +
                " (one per input column" + (experts > 1 ? " of each expert)" : ")"));
  index.perExpert = std::max<int64_t>(1, n / experts);
  return index;
}

View2D view2D(const Shape& shape) {
  if (shape.empty())
    return {1, 1};
  View2D v;
  v.rows = shape[0];
  v.cols = 1;
  for (size_t i = 1; i < shape.size(); ++i)
    v.cols *= shape[i];
  return v;
}

ChannelView channelView(const Shape& shape, int axis) {
  ChannelView v;
  if (shape.empty())
    return v;
  if (axis < 0 || axis >= int(shape.size()))
    throw Error("axis " + std::to_string(axis) + " is out of range for a tensor of shape " +
                shapeToString(shape));
  v.axis = axis;
  for (int i = 0; i < axis; ++i)
    v.outer *= shape[size_t(i)];
  v.dim = shape[size_t(axis)];
  for (size_t i = size_t(axis) + 1; i < shape.size(); ++i)
    v.inner *= shape[i];
  return v;
}

} // namespace qs
