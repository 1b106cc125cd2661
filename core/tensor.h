#pragma once
// Tensor: contiguous row-major float32 values, a shape, a name, and the dtype
// the values were stored as in their file (for display: "float16", "Q4_K").
#include <cstdint>
#include <string>
#include <vector>

namespace qs {

using Shape = std::vector<int64_t>;

// Product of the dimensions; throws qs::Error on a negative dimension or on
// overflow of int64 (hostile headers can claim absurd sizes).
int64_t shapeNumel(const Shape& shape);
std::string shapeToString(const Shape& shape); // "[4096, 4096]"

struct Tensor {
  std::string name;
  Shape shape;
  std::string storedDtype = "float32";
  std::vector<float> values;

  int64_t numel() const { return static_cast<int64_t>(values.size()); }
  int rank() const { return static_cast<int>(shape.size()); }
};

// How an N-D tensor is seen as a 2-D matrix for heat maps and per-row views:
// rows = shape[0], cols = product of the rest (a scalar or 1-D tensor is one row).
struct View2D {
  int64_t rows = 1;
  int64_t cols = 0;
};
View2D view2D(const Shape& shape);

} // namespace qs
