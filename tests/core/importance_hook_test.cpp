// The importance hook: which imatrix weights reach each fixed block of the
// working array (core/pipeline/block_importance.h), for 2-D weights, 3-D
// expert stacks and permuted layouts, and the sigma2 of each block's row.
#include "core/error.h"
#include "core/pipeline/block_importance.h"

#include <gtest/gtest.h>

#include <memory>
#include <numeric>

namespace qs {
namespace {

Tensor ramp(Shape shape, size_t weights) {
  Tensor t;
  t.name = "w";
  t.shape = std::move(shape);
  t.values.resize(size_t(shapeNumel(t.shape)));
  for (size_t i = 0; i < t.values.size(); ++i)
    t.values[i] = float(int(i % 13) - 6) * 0.25f;
  auto w = std::make_shared<std::vector<float>>(weights);
  std::iota(w->begin(), w->end(), 1.0f); // weight of column c is c + 1
  t.importance = w;
  return t;
}

SegmentLayout blocks(const Tensor& t, int axis, int block) {
  return makeLayout(t.shape, Granularity{GranularityKind::Group, axis, block});
}

float rowSigma2(const Tensor& t, int64_t row, int64_t columns) {
  float s = 0;
  for (int64_t j = 0; j < columns; ++j) {
    const float v = t.values[size_t(row * columns + j)];
    s += v * v;
  }
  return s / float(columns);
}

TEST(ImportanceHook, RowsOfInputColumnsPointIntoTheWeights) {
  const Tensor t = ramp({4, 64}, 64);
  const BlockImportance imp(t, blocks(t, 0, 32));
  float scratch[256];
  const BlockWeights b = imp.forBlock(2 * 64 + 32, 32, scratch); // row 2, second block
  EXPECT_EQ(b.w, t.importance->data() + 32);
  EXPECT_EQ(b.rowSigma2, rowSigma2(t, 2, 64));
  EXPECT_NE(rowSigma2(t, 2, 64), rowSigma2(t, 1, 64)); // the rows differ, so the row matters
}

TEST(ImportanceHook, ExpertStackTakesItsExpertsRow) {
  // [n_expert 2, out 3, in 64], channels on axis 1: working rows are the
  // outputs, each holding both experts' inputs one after the other.
  const Tensor t = ramp({2, 3, 64}, 2 * 64);
  const SegmentLayout L = blocks(t, 1, 32);
  ASSERT_EQ(L.cols, 128);
  const BlockImportance imp(t, L);
  float scratch[256];
  const BlockWeights b = imp.forBlock(1 * 128 + 64 + 32, 32, scratch); // out 1, expert 1, columns 32..63
  ASSERT_NE(b.w, nullptr);
  for (int k = 0; k < 32; ++k)
    EXPECT_EQ(b.w[k], float(64 + 32 + k + 1)) << k;
  EXPECT_EQ(b.rowSigma2, rowSigma2(t, 1 * 3 + 1, 64)); // tensor row (expert 1, out 1)
}

TEST(ImportanceHook, BlocksAcrossColumnsGatherTheirWeights) {
  // Keras [in 64, out 8] with channels on the last axis: a block runs down
  // axis 0 within one index of the last axis, so all its values take that
  // index's weight, gathered (not contiguous in the tensor).
  const Tensor t = ramp({64, 8}, 8);
  const BlockImportance imp(t, blocks(t, 1, 32));
  float scratch[256];
  const BlockWeights b = imp.forBlock(3 * 64, 32, scratch); // channel 3, first block
  EXPECT_EQ(b.w, scratch);
  for (int k = 0; k < 32; ++k)
    EXPECT_EQ(b.w[k], 4.0f) << k;
}

TEST(ImportanceHook, NoImportanceNoWeights) {
  Tensor t = ramp({4, 64}, 64);
  t.importance.reset();
  const BlockImportance imp(t, blocks(t, 0, 32));
  float scratch[256];
  EXPECT_FALSE(imp.active());
  EXPECT_EQ(imp.forBlock(0, 32, scratch).w, nullptr);
}

TEST(ImportanceHook, WrongSizeIsAnError) {
  const Tensor t = ramp({4, 64}, 63);
  EXPECT_THROW(BlockImportance(t, blocks(t, 0, 32)), Error);
  const Tensor experts = ramp({2, 3, 64}, 64); // one row, two experts
  EXPECT_THROW(BlockImportance(experts, blocks(experts, 1, 32)), Error);
}

} // namespace
} // namespace qs
