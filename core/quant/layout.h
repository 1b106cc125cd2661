#pragma once
// Every granularity reduced to one shape: a contiguous working array
// [rows, cols] whose rows are cut into contiguous segments of `segLen`
// elements (the last one of a row shorter when cols % segLen != 0). Each
// segment has one scale. The working array is the tensor itself or a
// permutation of it:
//   none / tensor   : [1, n], one segment
//   channel axis a  : [dim(a), rest] (axis a moved first, the others flattened
//                     in order; no copy when the dimensions before a are all 1),
//                     one segment per row
//   group, channel a: the same rows, each cut into ceil(rest/g) segments; a
//                     tensor of rank <= 1 is one row
//   token           : [shape[0], rest], one segment per row
#include "core/quant/quant_config.h"
#include "core/tensor.h"

#include <cstdint>

namespace qs {

enum class Permutation {
  Identity,
  AxisFirst, // [outer, dim, inner] -> [dim, outer, inner]
};

struct SegmentLayout {
  Granularity granularity; // normalized (axis >= 0)
  Permutation perm = Permutation::Identity;
  int64_t outer = 1, dim = 1, inner = 1; // the tensor seen around the axis
  int64_t rows = 1, cols = 0;            // working array
  int64_t segLen = 0, segsPerRow = 1;
  // The segment grid: [n] for channels and tokens; [channels, groups] for
  // groups, or [groups, channels] when the channel axis is the tensor's last
  // (as a Keras kernel [in, out] shows them).
  Shape scaleShape;

  int64_t numel() const { return rows * cols; }
  int64_t numSegments() const { return rows * segsPerRow; }
  int64_t segmentBegin(int64_t seg) const { return (seg / segsPerRow) * cols + (seg % segsPerRow) * segLen; }
  int64_t segmentLength(int64_t seg) const {
    const int64_t j = seg % segsPerRow;
    return j + 1 < segsPerRow ? segLen : cols - j * segLen;
  }
  bool scalesTransposed = false; // scaleShape is [groups, channels]
  // Segment index -> index into `scales` (differs from the working order only
  // when the scales are transposed).
  int64_t scaleIndex(int64_t seg) const;
};

// The output-channel axis of `g` for this tensor in [0, rank) (0 for a
// scalar): auto takes `layout.outAxis`, a negative axis counts from the end.
// Throws qs::Error for an axis out of range.
int resolveAxis(const Granularity& g, const Shape& shape, const AxisLayout& layout);

// Validates (axis in range, not auto; group size >= 1) and builds the layout;
// throws qs::Error.
SegmentLayout makeLayout(const Shape& shape, const Granularity& granularity);

// Tensor order -> working order and back. `in` and `out` must not alias.
template <class T> void permuteToWorking(const SegmentLayout& layout, const T* in, T* out);
template <class T> void permuteFromWorking(const SegmentLayout& layout, const T* in, T* out);

} // namespace qs
