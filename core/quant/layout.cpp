#include "core/quant/layout.h"

#include "core/error.h"

#include <algorithm>
#include <cstring>

namespace qs {

int resolveAxis(const Granularity& g, const Shape& shape, const AxisLayout& layout) {
  const int r = std::max(1, int(shape.size()));
  int axis = g.autoAxis() ? layout.outAxis : g.axis;
  if (axis < -r || axis >= r)
    throw Error((g.autoAxis() ? "the inferred axis " : "axis ") + std::to_string(axis) +
                " is out of range for a tensor of shape " + shapeToString(shape));
  return axis < 0 ? axis + r : axis;
}

namespace {

// The view [dim, outer·inner] cut into tiles, set on a layout whose axis split is done.
void blockLayout(SegmentLayout& L) {
  L.tileRows = std::min<int64_t>(L.granularity.blockRows, std::max<int64_t>(L.rows, 1));
  L.tileCols = std::min<int64_t>(L.granularity.blockCols, std::max<int64_t>(L.cols, 1));
  L.segLen = L.tileRows * L.tileCols;
  L.segsPerRow = L.cols == 0 ? 1 : (L.cols + L.tileCols - 1) / L.tileCols;
  L.scaleShape = {L.numBands(), L.segsPerRow};
  // Tiles of whole rows, or of one row each, lie in row-major order already.
  const bool rowMajor = L.segsPerRow == 1 || L.tileRows == 1;
  if (rowMajor)
    L.perm = L.outer > 1 ? Permutation::AxisFirst : Permutation::Identity;
  else
    L.perm = Permutation::Tiles;
}

} // namespace

SegmentLayout makeLayout(const Shape& shape, const Granularity& granularity) {
  SegmentLayout L;
  L.granularity = granularity;
  const int64_t n = shapeNumel(shape);
  const int rank = static_cast<int>(shape.size());
  const GranularityKind kind = granularity.kind;
  if (kind == GranularityKind::None || kind == GranularityKind::Tensor) {
    L.rows = 1;
    L.cols = n;
    L.segLen = n;
    L.segsPerRow = 1;
    L.scaleShape = {1};
    L.granularity.axis = 0;
    return L;
  }
  if (kind == GranularityKind::Token) {
    const View2D v = view2D(shape);
    L.rows = v.rows;
    L.cols = v.cols;
    L.segLen = v.cols;
    L.segsPerRow = 1;
    L.scaleShape = {v.rows};
    L.granularity.axis = 0;
    return L;
  }
  if (granularity.autoAxis())
    throw Error("internal: the auto axis must be resolved before the layout");
  if (kind == GranularityKind::Group && granularity.groupSize < 1)
    throw Error("group size must be >= 1 (got " + std::to_string(granularity.groupSize) + ")");
  if (kind == GranularityKind::Block && (granularity.blockRows < 1 || granularity.blockCols < 1))
    throw Error("block rows and columns must be >= 1 (got " + std::to_string(granularity.blockRows) + "x" +
                std::to_string(granularity.blockCols) + ")");
  // Channel and group need an axis; a scalar is treated as a 1-D tensor of one.
  const Shape s = rank == 0 ? Shape{1} : shape;
  const int axis = resolveAxis(granularity, s, AxisLayout{});
  L.granularity.axis = axis;
  if (kind != GranularityKind::Channel && s.size() == 1) { // one run: no channels to keep
    L.dim = 1;
    L.inner = s[0];
  } else {
    for (int i = 0; i < axis; ++i)
      L.outer *= s[size_t(i)];
    L.dim = s[size_t(axis)];
    for (size_t i = size_t(axis) + 1; i < s.size(); ++i)
      L.inner *= s[i];
  }
  L.perm = L.outer > 1 ? Permutation::AxisFirst : Permutation::Identity;
  L.rows = L.dim;
  L.cols = L.outer * L.inner;
  if (kind == GranularityKind::Channel) {
    L.segLen = L.cols;
    L.segsPerRow = 1;
    L.scaleShape = {L.dim};
    return L;
  }
  if (kind == GranularityKind::Block) {
    blockLayout(L);
    return L;
  }
  L.segLen = std::min<int64_t>(granularity.groupSize, std::max<int64_t>(L.cols, 1));
  L.segsPerRow = L.cols == 0 ? 1 : (L.cols + L.segLen - 1) / L.segLen;
  L.scalesTransposed = s.size() >= 2 && axis == int(s.size()) - 1;
  if (s.size() == 1)
    L.scaleShape = {L.segsPerRow};
  else
    L.scaleShape = L.scalesTransposed ? Shape{L.segsPerRow, L.dim} : Shape{L.dim, L.segsPerRow};
  return L;
}

int64_t SegmentLayout::scaleIndex(int64_t seg) const {
  if (!scalesTransposed)
    return seg;
  // Working segments are [channels, groups]; scales are [groups, channels].
  return (seg % segsPerRow) * rows + seg / segsPerRow;
}

namespace {

// dst[c][r][k] = src[r][c][k] for src [R][C][run]: a blocked transpose of runs.
template <class T> void transposeRuns(const T* src, T* dst, int64_t R, int64_t C, int64_t run) {
  if (run >= 16) {
#pragma omp parallel for schedule(static) if (R * C * run > (1 << 18))
    for (int64_t c = 0; c < C; ++c)
      for (int64_t r = 0; r < R; ++r)
        std::memcpy(dst + (c * R + r) * run, src + (r * C + c) * run, sizeof(T) * size_t(run));
    return;
  }
  constexpr int64_t B = 32;
  const int64_t tilesR = (R + B - 1) / B, tilesC = (C + B - 1) / B;
#pragma omp parallel for schedule(static) if (R * C * run > (1 << 18))
  for (int64_t t = 0; t < tilesR * tilesC; ++t) {
    const int64_t r0 = (t / tilesC) * B, c0 = (t % tilesC) * B;
    const int64_t r1 = std::min(R, r0 + B), c1 = std::min(C, c0 + B);
    for (int64_t c = c0; c < c1; ++c)
      for (int64_t r = r0; r < r1; ++r)
        for (int64_t k = 0; k < run; ++k)
          dst[(c * R + r) * run + k] = src[(r * C + c) * run + k];
  }
}

// Calls run(tensorIndex, count) for the runs of view row d, columns [c0, c1):
// view (d, c) is tensor element ((c / inner) * dim + d) * inner + c % inner.
template <class Run> void forViewRuns(const SegmentLayout& L, int64_t d, int64_t c0, int64_t c1, Run run) {
  for (int64_t c = c0; c < c1;) {
    const int64_t o = c / L.inner, i = c % L.inner;
    const int64_t count = std::min(c1 - c, L.inner - i);
    run((o * L.dim + d) * L.inner + i, count);
    c += count;
  }
}

// Tensor order <-> tile-major working order, one tile per iteration.
template <class T> void permuteTiles(const SegmentLayout& L, const T* in, T* out, bool toWorking) {
  const int64_t tiles = L.numSegments();
#pragma omp parallel for schedule(static) if (L.numel() > (1 << 18))
  for (int64_t tile = 0; tile < tiles; ++tile) {
    const int64_t band = tile / L.segsPerRow, j = tile % L.segsPerRow;
    const int64_t c0 = j * L.tileCols, c1 = std::min(L.cols, c0 + L.tileCols);
    int64_t w = L.segmentBegin(tile);
    for (int64_t r = 0; r < L.bandRows(band); ++r)
      forViewRuns(L, band * L.tileRows + r, c0, c1, [&](int64_t t, int64_t count) {
        if (toWorking)
          std::memcpy(out + w, in + t, sizeof(T) * size_t(count));
        else
          std::memcpy(out + t, in + w, sizeof(T) * size_t(count));
        w += count;
      });
  }
}

} // namespace

template <class T> void permuteToWorking(const SegmentLayout& L, const T* in, T* out) {
  switch (L.perm) {
  case Permutation::Identity:
    std::memcpy(out, in, sizeof(T) * size_t(L.numel()));
    return;
  case Permutation::AxisFirst: // [O][D][I] -> [D][O][I]
    transposeRuns(in, out, L.outer, L.dim, L.inner);
    return;
  case Permutation::Tiles:
    permuteTiles(L, in, out, true);
    return;
  }
}

template <class T> void permuteFromWorking(const SegmentLayout& L, const T* in, T* out) {
  switch (L.perm) {
  case Permutation::Identity:
    std::memcpy(out, in, sizeof(T) * size_t(L.numel()));
    return;
  case Permutation::AxisFirst: // [D][O][I] -> [O][D][I]
    transposeRuns(in, out, L.dim, L.outer, L.inner);
    return;
  case Permutation::Tiles:
    permuteTiles(L, in, out, false);
    return;
  }
}

template void permuteToWorking<float>(const SegmentLayout&, const float*, float*);
template void permuteFromWorking<float>(const SegmentLayout&, const float*, float*);
template void permuteToWorking<int32_t>(const SegmentLayout&, const int32_t*, int32_t*);
template void permuteFromWorking<int32_t>(const SegmentLayout&, const int32_t*, int32_t*);

} // namespace qs
