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
//   block R x C     : the group view [out, rest] in tile-major order: bands of
//                     R channel rows, each band its tiles of R x C one after
//                     the other (row-major inside a tile); a tile is one
//                     segment, edge tiles smaller. `rows` x `cols` is still
//                     the view; segments are found with segmentBegin/At.
#include "core/quant/quant_config.h"
#include "core/tensor.h"

#include <algorithm>
#include <cstdint>

namespace qs {

enum class Permutation {
  Identity,
  AxisFirst, // [outer, dim, inner] -> [dim, outer, inner]
  Tiles,     // [outer, dim, inner] -> the view [dim, outer·inner] in tile-major order
};

struct SegmentLayout {
  Granularity granularity; // normalized (axis >= 0)
  Permutation perm = Permutation::Identity;
  int64_t outer = 1, dim = 1, inner = 1; // the tensor seen around the axis
  int64_t rows = 1, cols = 0;            // working array
  int64_t segLen = 0, segsPerRow = 1;    // block: segLen = R·C (a whole tile), segsPerRow = tiles per band
  int64_t tileRows = 0, tileCols = 0;    // block granularity only (0 otherwise): R and C
  // The segment grid: [n] for channels and tokens; [channels, groups] for
  // groups, or [groups, channels] when the channel axis is the tensor's last
  // (as a Keras kernel [in, out] shows them); [ceil(out/R), ceil(rest/C)] for blocks.
  Shape scaleShape;

  int64_t numel() const { return rows * cols; }
  int64_t numSegments() const { return (tileRows ? numBands() : rows) * segsPerRow; }
  int64_t segmentBegin(int64_t seg) const {
    if (tileRows) {
      const int64_t band = seg / segsPerRow;
      return band * tileRows * cols + bandRows(band) * (seg % segsPerRow) * tileCols;
    }
    return (seg / segsPerRow) * cols + (seg % segsPerRow) * segLen;
  }
  int64_t segmentLength(int64_t seg) const {
    const int64_t j = seg % segsPerRow;
    if (tileRows)
      return bandRows(seg / segsPerRow) * (j + 1 < segsPerRow ? tileCols : cols - j * tileCols);
    return j + 1 < segsPerRow ? segLen : cols - j * segLen;
  }
  // The segment holding working element `index` (< numel()).
  int64_t segmentAt(int64_t index) const {
    if (tileRows) {
      const int64_t band = index / (tileRows * cols);
      return band * segsPerRow + (index - band * tileRows * cols) / (bandRows(band) * tileCols);
    }
    return (index / cols) * segsPerRow + (index % cols) / segLen;
  }
  // Blocks: bands of tileRows channel rows, the last one shorter.
  int64_t numBands() const { return tileRows ? (rows + tileRows - 1) / tileRows : rows; }
  int64_t bandRows(int64_t band) const { return std::min(tileRows, rows - band * tileRows); }
  bool scalesTransposed = false; // scaleShape is [groups, channels]
  // Segment index -> index into `scales` (differs from the working order only
  // when the scales are transposed).
  int64_t scaleIndex(int64_t seg) const;
};

// The output-channel axis of `g` for this tensor in [0, rank) (0 for a
// scalar): auto takes `layout.outAxis`, a negative axis counts from the end.
// Throws qs::Error for an axis out of range.
int resolveAxis(const Granularity& g, const Shape& shape, const AxisLayout& layout);

// Validates (axis in range, not auto; group size, block rows and columns >= 1) and builds the layout;
// throws qs::Error.
SegmentLayout makeLayout(const Shape& shape, const Granularity& granularity);

// Tensor order -> working order and back. `in` and `out` must not alias.
template <class T> void permuteToWorking(const SegmentLayout& layout, const T* in, T* out);
template <class T> void permuteFromWorking(const SegmentLayout& layout, const T* in, T* out);

} // namespace qs
