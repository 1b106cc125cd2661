// Every granularity and axis on 3-D tensors against a naive reference that
// assigns each element to its scale group by its coordinates.
#include "core/error.h"
#include "core/formats/int_format.h"
#include "core/pipeline/quantize.h"
#include "core/quant/layout.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

namespace qs {
namespace {

Tensor randomTensor(const Shape& shape, uint32_t seed) {
  Tensor t;
  t.name = "t";
  t.shape = shape;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-3.0f, 2.0f);
  t.values.resize(size_t(shapeNumel(shape)));
  for (float& v : t.values)
    v = u(rng);
  return t;
}

// The scale-grid coordinates of element `flat`, flattened in scaleShape order.
int64_t groupOf(const Shape& shape, int64_t flat, const Granularity& g, Shape& scaleShape) {
  const int r = int(shape.size());
  std::vector<int64_t> coord(static_cast<size_t>(r));
  for (int d = r - 1; d >= 0; --d) {
    coord[size_t(d)] = flat % shape[size_t(d)];
    flat /= shape[size_t(d)];
  }
  const int axis = g.axis < 0 ? g.axis + r : g.axis;
  switch (g.kind) {
  case GranularityKind::Tensor:
  case GranularityKind::None:
    scaleShape = {1};
    return 0;
  case GranularityKind::Channel:
    scaleShape = {shape[size_t(axis)]};
    return coord[size_t(axis)];
  case GranularityKind::Token:
    scaleShape = {shape[0]};
    return coord[0];
  case GranularityKind::Block: {
    // The group view [out, rest] cut into R x C tiles, numbered row-major.
    int64_t pos = 0, rowLength = 1;
    for (int d = 0; d < r; ++d)
      if (d != axis || r == 1) {
        pos = pos * shape[size_t(d)] + coord[size_t(d)];
        rowLength *= shape[size_t(d)];
      }
    const int64_t channel = r == 1 ? 0 : coord[size_t(axis)], channels = r == 1 ? 1 : shape[size_t(axis)];
    const int64_t perBand = (rowLength + g.blockCols - 1) / g.blockCols;
    scaleShape = {(channels + g.blockRows - 1) / g.blockRows, perBand};
    return (channel / g.blockRows) * perBand + pos / g.blockCols;
  }
  case GranularityKind::Group: {
    // Output channel coord[axis]; the other coordinates flattened in order
    // give the position along the channel's row, cut into groups.
    int64_t pos = 0, rowLength = 1;
    for (int d = 0; d < r; ++d)
      if (d != axis || r == 1) {
        pos = pos * shape[size_t(d)] + coord[size_t(d)];
        rowLength *= shape[size_t(d)];
      }
    const int64_t groups = (rowLength + g.groupSize - 1) / g.groupSize, j = pos / g.groupSize;
    if (r == 1) {
      scaleShape = {groups};
      return j;
    }
    const int64_t channels = shape[size_t(axis)], channel = coord[size_t(axis)];
    if (axis == r - 1) { // [groups, channels], as a Keras kernel shows them
      scaleShape = {groups, channels};
      return j * channels + channel;
    }
    scaleShape = {channels, groups};
    return channel * groups + j;
  }
  }
  return 0;
}

struct Ref {
  std::vector<float> deq, scales;
  std::vector<int32_t> codes, zps;
  Shape scaleShape;
};

Ref reference(const Tensor& t, const Granularity& g, int bits, bool symmetric) {
  Ref ref;
  const int64_t n = t.numel();
  std::vector<int64_t> group(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    group[size_t(i)] = groupOf(t.shape, i, g, ref.scaleShape);
  const int64_t G = shapeNumel(ref.scaleShape);
  std::vector<float> mn(static_cast<size_t>(G), INFINITY), mx(size_t(G), -INFINITY);
  for (int64_t i = 0; i < n; ++i) {
    mn[size_t(group[size_t(i)])] = std::min(mn[size_t(group[size_t(i)])], t.values[size_t(i)]);
    mx[size_t(group[size_t(i)])] = std::max(mx[size_t(group[size_t(i)])], t.values[size_t(i)]);
  }
  const int32_t qmin = symmetric ? -(1 << (bits - 1)) : 0,
                qmax = symmetric ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
  std::vector<AffineParams> p(static_cast<size_t>(G));
  for (int64_t k = 0; k < G; ++k) {
    p[size_t(k)] = symmetric
                       ? symmetricParams(std::max(std::fabs(mn[size_t(k)]), std::fabs(mx[size_t(k)])), bits)
                       : affineParams(mn[size_t(k)], mx[size_t(k)], qmin, qmax);
    ref.scales.push_back(p[size_t(k)].scale);
    ref.zps.push_back(p[size_t(k)].zeroPoint);
  }
  for (int64_t i = 0; i < n; ++i) {
    const AffineParams& a = p[size_t(group[size_t(i)])];
    const float inv = 1.0f / a.scale;
    const int32_t c = int32_t(
        std::clamp(std::nearbyint(t.values[size_t(i)] * inv) + float(a.zeroPoint), float(qmin), float(qmax)));
    ref.codes.push_back(c);
    ref.deq.push_back(float(c - a.zeroPoint) * a.scale);
  }
  return ref;
}

void check(const Tensor& t, const Granularity& g, int bits, bool symmetric) {
  SCOPED_TRACE(shapeToString(t.shape) + " " + toString(g.kind) + " axis " + std::to_string(g.axis) +
               " group " + std::to_string(g.groupSize) + " block " + std::to_string(g.blockRows) + "x" +
               std::to_string(g.blockCols) + (symmetric ? " sym" : " asym"));
  QuantConfig c;
  c.format = "int" + std::to_string(bits);
  c.symmetric = symmetric;
  c.granularity = g;
  const auto r = quantize(t, c);
  const Ref ref = reference(t, g, bits, symmetric);
  EXPECT_EQ(r->scaleShape, ref.scaleShape);
  EXPECT_EQ(r->scales, ref.scales);
  if (!symmetric) {
    EXPECT_EQ(r->zeroPoints, ref.zps);
  }
  ASSERT_EQ(r->dequantized.size(), ref.deq.size());
  int mismatches = 0;
  for (size_t i = 0; i < ref.deq.size() && mismatches < 5; ++i) {
    if (r->dequantized[i] != ref.deq[i] || r->codes[i] != ref.codes[i]) {
      ADD_FAILURE() << "element " << i << ": " << r->dequantized[i] << " vs " << ref.deq[i];
      ++mismatches;
    }
  }
  EXPECT_EQ(fakeQuantize(t, c), r->dequantized);
  std::vector<float> into(t.values.size(), -1.0f);
  fakeQuantizeInto(t, c, into.data());
  EXPECT_EQ(into, r->dequantized);
}

TEST(QuantizeGranularity, EveryKindAndAxisOn3D) {
  for (const Shape& shape : {Shape{5, 6, 7}, Shape{3, 1, 10}, Shape{1, 4, 9}}) {
    const Tensor t = randomTensor(shape, 11);
    for (bool sym : {true, false}) {
      check(t, {GranularityKind::Tensor, 0, 1}, 8, sym);
      check(t, {GranularityKind::Token, 0, 1}, 4, sym);
      for (int axis = -3; axis < 3; ++axis) {
        check(t, {GranularityKind::Channel, axis, 1}, 8, sym);
        for (int64_t gs : {1, 2, 3, 4, 7, 100})
          check(t, {GranularityKind::Group, axis, gs}, 4, sym);
        // Tiles across bands and row ends, whole rows, single rows, the whole view.
        for (auto [rows, cols] :
             {std::pair<int64_t, int64_t>{2, 3}, {3, 5}, {1, 4}, {4, 100}, {100, 100}, {2, 1}})
          check(t, {GranularityKind::Block, axis, 128, rows, cols}, 4, sym);
      }
    }
  }
}

TEST(QuantizeGranularity, LargeTensorUsesThreadsAndAgrees) {
  // Above the parallel threshold, with a permutation (channels on axis 2).
  const Tensor t = randomTensor({300, 40, 30}, 5);
  check(t, {GranularityKind::Group, 2, 64}, 4, true);
  check(t, {GranularityKind::Group, 0, 64}, 4, true);
  check(t, {GranularityKind::Channel, 2, 1}, 8, false);
  check(t, {GranularityKind::Channel, 0, 1}, 8, true);
  check(t, {GranularityKind::Tensor, 0, 1}, 8, true);
  check(t, {GranularityKind::Block, 2, 1, 16, 128}, 4, true);   // tile-major, channels not first
  check(t, {GranularityKind::Block, 0, 1, 128, 128}, 8, false); // tile-major, channels first
  check(t, {GranularityKind::Block, 0, 1, 7, 1200}, 4, true);   // whole rows: no permutation
  check(t, {GranularityKind::Block, 1, 1, 16, 12000}, 4, true); // whole rows, channels moved first
}

TEST(QuantizeGranularity, ScalarAnd1D) {
  Tensor s;
  s.name = "s";
  s.shape = {};
  s.values = {0.75f};
  for (auto kind : {GranularityKind::Tensor, GranularityKind::Channel, GranularityKind::Group,
                    GranularityKind::Token, GranularityKind::Block}) {
    QuantConfig c;
    c.granularity = Granularity{kind, 0, 4};
    const auto r = quantize(s, c);
    EXPECT_EQ(r->dequantized[0], 0.75f) << toString(kind);
  }
  check(randomTensor({37}, 2), {GranularityKind::Group, 0, 8}, 4, true);
  check(randomTensor({37}, 2), {GranularityKind::Channel, -1, 1}, 8, true);
  check(randomTensor({37}, 2), {GranularityKind::Block, 0, 1, 4, 8}, 4, false);
}

TEST(QuantizeGranularity, BadAxisAndGroupSize) {
  const Tensor t = randomTensor({2, 3}, 1);
  QuantConfig c;
  c.granularity = Granularity{GranularityKind::Channel, 2, 1};
  EXPECT_THROW(quantize(t, c), Error);
  c.granularity = Granularity{GranularityKind::Group, 1, 0};
  EXPECT_THROW(quantize(t, c), Error);
  c.granularity = Granularity{GranularityKind::Group, -3, 4};
  EXPECT_THROW(quantize(t, c), Error);
  c.granularity = Granularity{GranularityKind::Block, 0, 4, 0, 4};
  EXPECT_THROW(quantize(t, c), Error);
  c.granularity = Granularity{GranularityKind::Block, 0, 4, 4, -1};
  EXPECT_THROW(quantize(t, c), Error);
}

TEST(QuantizeGranularity, PermutationRoundTrip) {
  const Tensor t = randomTensor({4, 5, 6, 3}, 9);
  for (int axis = 0; axis < 4; ++axis)
    for (auto kind : {GranularityKind::Channel, GranularityKind::Group, GranularityKind::Block}) {
      const SegmentLayout L = makeLayout(t.shape, {kind, axis, 2, 4, 7});
      std::vector<float> w(t.values.size()), back(t.values.size());
      permuteToWorking(L, t.values.data(), w.data());
      permuteFromWorking(L, w.data(), back.data());
      EXPECT_EQ(back, t.values);
      // Channels and groups alike: one working row per output channel.
      EXPECT_EQ(L.rows, t.shape[size_t(axis)]);
      EXPECT_EQ(L.cols, shapeNumel(t.shape) / t.shape[size_t(axis)]);
    }
}

// Tiles cover the working array once, in order, and segmentAt inverts segmentBegin.
TEST(QuantizeGranularity, BlockSegmentsTileTheWorkingArray) {
  for (const Shape& shape : {Shape{300, 200}, Shape{5, 7}, Shape{128, 256}, Shape{1, 9}, Shape{9}})
    for (auto [rows, cols] : {std::pair<int64_t, int64_t>{128, 128}, {2, 3}, {1, 4}, {5, 1}, {400, 400}}) {
      const SegmentLayout L = makeLayout(shape, {GranularityKind::Block, 0, 1, rows, cols});
      SCOPED_TRACE(shapeToString(shape) + " " + std::to_string(rows) + "x" + std::to_string(cols));
      EXPECT_EQ(shapeNumel(L.scaleShape), L.numSegments());
      int64_t next = 0;
      for (int64_t s = 0; s < L.numSegments(); ++s) {
        ASSERT_EQ(L.segmentBegin(s), next);
        ASSERT_GT(L.segmentLength(s), 0);
        EXPECT_EQ(L.segmentAt(next), s);
        EXPECT_EQ(L.segmentAt(next + L.segmentLength(s) - 1), s);
        next += L.segmentLength(s);
      }
      EXPECT_EQ(next, L.numel());
    }
}

} // namespace
} // namespace qs
