#include "core/quant/layout.h"

#include "core/error.h"

#include <algorithm>
#include <cstring>

namespace qs {

SegmentLayout makeLayout(const Shape& shape, const Granularity& granularity) {
  SegmentLayout L;
  L.granularity = granularity;
  const int64_t n = shapeNumel(shape);
  const int rank = static_cast<int>(shape.size());
  const GranularityKind kind = granularity.kind;
  auto wholeTensor = [&] {
    L.rows = 1;
    L.cols = n;
    L.segLen = n;
    L.segsPerRow = 1;
    L.scaleShape = {1};
  };
  if (kind == GranularityKind::None || kind == GranularityKind::Tensor) {
    wholeTensor();
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
  // Channel and group need an axis; a scalar is treated as a 1-D tensor of one.
  const Shape s = rank == 0 ? Shape{1} : shape;
  const int r = static_cast<int>(s.size());
  int axis = granularity.axis;
  if (axis < -r || axis >= r)
    throw Error("axis " + std::to_string(granularity.axis) + " is out of range for a tensor of shape " +
                shapeToString(shape));
  if (axis < 0)
    axis += r;
  L.granularity.axis = axis;
  for (int i = 0; i < axis; ++i)
    L.outer *= s[i];
  L.dim = s[axis];
  for (int i = axis + 1; i < r; ++i)
    L.inner *= s[i];

  if (kind == GranularityKind::Channel) {
    L.perm = L.outer > 1 ? Permutation::AxisFirst : Permutation::Identity;
    L.rows = L.dim;
    L.cols = L.outer * L.inner;
    L.segLen = L.cols;
    L.segsPerRow = 1;
    L.scaleShape = {L.dim};
    return L;
  }
  // Group.
  if (granularity.groupSize < 1)
    throw Error("group size must be >= 1 (got " + std::to_string(granularity.groupSize) + ")");
  L.perm = L.inner > 1 ? Permutation::AxisLast : Permutation::Identity;
  L.rows = L.outer * L.inner;
  L.cols = L.dim;
  L.segLen = std::min<int64_t>(granularity.groupSize, std::max<int64_t>(L.dim, 1));
  L.segsPerRow = L.dim == 0 ? 1 : (L.dim + L.segLen - 1) / L.segLen;
  L.scaleShape = s;
  L.scaleShape[axis] = L.segsPerRow;
  return L;
}

int64_t SegmentLayout::scaleIndex(int64_t seg) const {
  if (perm != Permutation::AxisLast)
    return seg;
  // Working segments are [outer, inner, groups]; scales are [outer, groups, inner].
  const int64_t j = seg % segsPerRow;
  const int64_t row = seg / segsPerRow;
  const int64_t o = row / inner, i = row % inner;
  return (o * segsPerRow + j) * inner + i;
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

} // namespace

template <class T> void permuteToWorking(const SegmentLayout& L, const T* in, T* out) {
  switch (L.perm) {
  case Permutation::Identity:
    std::memcpy(out, in, sizeof(T) * size_t(L.numel()));
    return;
  case Permutation::AxisFirst: // [O][D][I] -> [D][O][I]
    transposeRuns(in, out, L.outer, L.dim, L.inner);
    return;
  case Permutation::AxisLast: // per o: [D][I] -> [I][D]
    for (int64_t o = 0; o < L.outer; ++o)
      transposeRuns(in + o * L.dim * L.inner, out + o * L.dim * L.inner, L.dim, L.inner, int64_t(1));
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
  case Permutation::AxisLast: // per o: [I][D] -> [D][I]
    for (int64_t o = 0; o < L.outer; ++o)
      transposeRuns(in + o * L.dim * L.inner, out + o * L.dim * L.inner, L.inner, L.dim, int64_t(1));
    return;
  }
}

template void permuteToWorking<float>(const SegmentLayout&, const float*, float*);
template void permuteFromWorking<float>(const SegmentLayout&, const float*, float*);
template void permuteToWorking<int32_t>(const SegmentLayout&, const int32_t*, int32_t*);
template void permuteFromWorking<int32_t>(const SegmentLayout&, const int32_t*, int32_t*);

} // namespace qs
