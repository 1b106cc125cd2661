#pragma once
// Tensor: contiguous row-major float32 values, a shape, a name, and the dtype
// the values were stored as in their file (for display: "float16", "Q4_K").
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace qs {

using Shape = std::vector<int64_t>;

// Product of the dimensions; throws qs::Error on a negative dimension or on
// overflow of int64 (hostile headers can claim absurd sizes).
int64_t shapeNumel(const Shape& shape);
std::string shapeToString(const Shape& shape); // "[4096, 4096]"

// Which axis of a weight holds its output channels (docs/ARCHITECTURE.md,
// "Axes"): the per-channel axis, and the one axis groups and blocks do not run
// along. Readers infer it from the file's conventions (core/axis_layout.h).
struct AxisLayout {
  int outAxis = 0;
  std::string reason; // empty: nothing known, PyTorch's [out, in, ...] assumed
  bool operator==(const AxisLayout&) const = default;
};

// Importance weights of the input columns (an imatrix entry, llama.cpp's
// quant_weights): one per element of the last axis (ne[0] of a GGUF tensor),
// and for a 3-D expert stack [n_expert, out, in] one row of them per expert,
// n_expert × in. Shared, since a tensor's copies keep the same entry.
using Importance = std::shared_ptr<const std::vector<float>>;

struct Tensor {
  std::string name;
  Shape shape;
  std::string storedDtype = "float32";
  std::vector<float> values;
  AxisLayout layout;
  Importance importance; // null: no importance; GGUF formats then quantize as without an imatrix

  int64_t numel() const { return static_cast<int64_t>(values.size()); }
  int rank() const { return static_cast<int>(shape.size()); }
};

// Where a tensor element finds its importance weight: element t has
// weight[(t / perExpert) * columns + t % columns].
struct ImportanceIndex {
  int64_t columns = 1;   // the last axis
  int64_t perExpert = 1; // elements per expert (the whole tensor unless 3-D)
  int64_t at(int64_t t) const { return (t / perExpert) * columns + t % columns; }
};
// The index for `shape`; throws qs::Error when `weights` has not one weight
// per input column (per expert for a 3-D tensor).
ImportanceIndex importanceIndex(const std::string& name, const Shape& shape, int64_t weights);

// How an N-D tensor is seen as a 2-D matrix for heat maps and per-row views:
// rows = shape[0], cols = product of the rest (a scalar or 1-D tensor is one row).
struct View2D {
  int64_t rows = 1;
  int64_t cols = 0;
};
View2D view2D(const Shape& shape);
// The same with `axis` as the rows: [shape[axis], the other dimensions
// flattened in order] (view2D for axis 0). Element (row, col) of the view is
// tensor element (o * dim + row) * inner + i, where col = o * inner + i.
struct ChannelView {
  int axis = 0;
  int64_t outer = 1, dim = 1, inner = 1;
  int64_t rows() const { return dim; }
  int64_t cols() const { return outer * inner; }
  bool permuted() const { return outer > 1; } // the view is not the tensor's memory order
  int64_t tensorIndex(int64_t row, int64_t col) const {
    return ((col / inner) * dim + row) * inner + col % inner;
  }
  int64_t tensorIndex(int64_t viewIndex) const {
    const int64_t c = cols();
    return c ? tensorIndex(viewIndex / c, viewIndex % c) : viewIndex;
  }
};
// Throws qs::Error for an axis out of range; a scalar is one row.
ChannelView channelView(const Shape& shape, int axis);

} // namespace qs
