// The large-buffer pool: released buffers come back to resizeLarge, the pool
// stays bounded, small vectors are left to malloc, and a quantization that
// reuses a dead result's buffers gives the same numbers as one that does not.
#include "core/pipeline/quantize.h"
#include "core/util/large_alloc.h"

#include <gtest/gtest.h>

#include <random>

namespace qs {
namespace {

constexpr size_t kBig = detail::kLargeBytes / sizeof(float) + 1000;

TEST(LargeAlloc, ReleasedBufferIsReused) {
  std::vector<float> a;
  resizeLarge(a, kBig);
  a[7] = 3.5f;
  const float* where = a.data();
  releaseLarge(a);
  EXPECT_TRUE(a.empty());
  std::vector<float> b;
  resizeLarge(b, kBig);
  EXPECT_EQ(b.data(), where);
  EXPECT_EQ(b.size(), kBig);
  EXPECT_EQ(b[7], 3.5f); // recycled buffers keep their contents: callers overwrite
  releaseLarge(b);
}

TEST(LargeAlloc, SmallerRequestFitsInParkedBuffer) {
  std::vector<int32_t> a;
  resizeLarge(a, kBig);
  const int32_t* where = a.data();
  releaseLarge(a);
  std::vector<int32_t> b;
  resizeLarge(b, kBig - 500);
  EXPECT_EQ(b.data(), where);
  EXPECT_EQ(b.size(), kBig - 500);
  releaseLarge(b);
}

TEST(LargeAlloc, PoolIsBoundedAndSkipsSmallVectors) {
  auto& pool = detail::LargePool<float>::instance();
  std::vector<float> small(100);
  releaseLarge(small);
  EXPECT_TRUE(small.empty());
  for (int i = 0; i < 7; ++i) {
    std::vector<float> v(kBig + size_t(i));
    releaseLarge(v);
  }
  EXPECT_EQ(pool.parkedCount(), detail::kPoolEntries);
  std::vector<float> drain;
  while (pool.parkedCount() > 0) {
    drain = pool.take(1);
    EXPECT_GE(drain.capacity(), kBig);
  }
}

TEST(LargeAlloc, PrewarmParksTouchedBuffers) {
  auto& pool = detail::LargePool<float>::instance();
  while (pool.parkedCount() > 0)
    pool.take(1); // start from an empty pool
  prewarmLarge<float>(kBig, 2);
  EXPECT_EQ(pool.parkedWithRoom(kBig), 2u);
  prewarmLarge<float>(kBig, 2); // already there: nothing added
  EXPECT_EQ(pool.parkedCount(), 2u);
  std::vector<float> v;
  resizeLarge(v, kBig);
  EXPECT_EQ(pool.parkedWithRoom(kBig), 1u);
  EXPECT_EQ(v.size(), kBig);
  prewarmLarge<float>(100, 2); // small sizes are left to malloc
  EXPECT_EQ(pool.parkedCount(), 1u);
}

TEST(LargeAlloc, QuantizeIntoRecycledBuffersGivesTheSameResult) {
  Tensor t;
  t.name = "w";
  t.shape = {1024, 1536};
  t.values.resize(size_t(shapeNumel(t.shape)));
  std::mt19937 rng(5);
  std::normal_distribution<float> d(0.0f, 1.0f);
  for (float& v : t.values)
    v = d(rng);
  QuantConfig int4;
  int4.format = "int4";
  int4.granularity = Granularity{GranularityKind::Group, 0, 64};
  QuantConfig fp8;
  fp8.format = "fp8_e4m3";
  const auto reference = quantize(t, int4); // computed while nothing of this size is parked
  const float* oldBuffer = nullptr;
  {
    auto other = quantize(t, fp8);
    oldBuffer = other->dequantized.data();
  } // its buffers are parked here
  const auto again = quantize(t, int4);
  EXPECT_EQ(again->dequantized.data(), oldBuffer);
  EXPECT_EQ(again->dequantized, reference->dequantized);
  EXPECT_EQ(again->codes, reference->codes);
  EXPECT_EQ(again->metrics.mse, reference->metrics.mse);
}

} // namespace
} // namespace qs
