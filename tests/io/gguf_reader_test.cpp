#include "io_test_util.h"

using namespace qs;
using namespace qs::test;

namespace {

class GgufFixtures : public ::testing::Test {
protected:
  static void SetUpTestSuite() { dir_ = generateFixtures("make_gguf_fixtures.py", "gguf"); }
  static std::filesystem::path dir_;
};
std::filesystem::path GgufFixtures::dir_;

TEST_F(GgufFixtures, EveryTypeDequantizesLikeLlamaCpp) {
  checkManifest(dir_, "gguf");
}

TEST_F(GgufFixtures, StoredDtypeAndReversedShape) {
  auto src = openTensorFile(dir_ / "model.gguf");
  const TensorEntry* e = src->find("blk.0.ffn_up.weight");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->storedDtype, "Q4_0");
  EXPECT_EQ(e->shape, (Shape{3, 2, 64}));
  EXPECT_EQ(e->metadata.at("ggml ne"), "[64, 2, 3]");
  EXPECT_EQ(e->bytes, 12u * 18); // 384 elements in blocks of 32
  EXPECT_EQ(src->find("q4_k")->bytes, 4u * 144);
  EXPECT_EQ(src->find("q6_k")->bytes, 3u * 210);
}

// Row slices that cut through a block of a 1-D tensor are dequantized from
// the covering blocks and cut.
TEST_F(GgufFixtures, UnalignedSlicesOfBlocks) {
  auto src = openTensorFile(dir_ / "model.gguf");
  Tensor all = src->read("q4_1");
  ASSERT_EQ(all.shape, (Shape{3, 64}));
  Tensor rows = src->readRows("q4_1", {1, 2});
  EXPECT_EQ(rows.values, std::vector<float>(all.values.begin() + 64, all.values.begin() + 128));
  Tensor f16 = src->read("token_embd.f16");
  Tensor part = src->readRows("token_embd.f16", {2, 5});
  EXPECT_EQ(part.values, std::vector<float>(f16.values.begin() + 2, f16.values.begin() + 5));
}

} // namespace
