#include "io_test_util.h"

using namespace qs;
using namespace qs::test;

namespace {

class NpyFixtures : public ::testing::Test {
protected:
  static void SetUpTestSuite() { dir_ = generateFixtures("make_npy_fixtures.py", "npy"); }
  static std::filesystem::path dir_;
};
std::filesystem::path NpyFixtures::dir_;

TEST_F(NpyFixtures, EveryFixtureMatchesNumpy) {
  checkManifest(dir_, "");
}

TEST_F(NpyFixtures, FormatNames) {
  EXPECT_EQ(openTensorFile(dir_ / "f32_c.npy")->formatName(), "npy");
  EXPECT_EQ(openTensorFile(dir_ / "stored.npz")->formatName(), "npz");
}

TEST_F(NpyFixtures, FortranAndByteOrderAreNoted) {
  auto src = openTensorFile(dir_ / "be_f8_fortran.npy");
  ASSERT_EQ(src->list().size(), 1u);
  EXPECT_EQ(src->list()[0].name, "be_f8_fortran");
  EXPECT_TRUE(src->list()[0].metadata.count("order"));
  EXPECT_TRUE(src->list()[0].metadata.count("byte order"));
}

TEST_F(NpyFixtures, CheapRowReads) {
  EXPECT_TRUE(openTensorFile(dir_ / "f32_c.npy")->readsRowsCheaply());
  EXPECT_FALSE(openTensorFile(dir_ / "f32_fortran.npy")->readsRowsCheaply());
  EXPECT_FALSE(openTensorFile(dir_ / "stored.npz")->readsRowsCheaply());
}

TEST_F(NpyFixtures, ScalarHasEmptyShapeAndOneValue) {
  auto t = openTensorFile(dir_ / "scalar.npy")->read("scalar");
  EXPECT_TRUE(t.shape.empty());
  ASSERT_EQ(t.values.size(), 1u);
  EXPECT_EQ(t.values[0], 3.5f);
}

TEST_F(NpyFixtures, NpzListsCompressionAndStripsSuffix) {
  auto src = openTensorFile(dir_ / "deflated.npz");
  const TensorEntry* e = src->find("layer.0/weight");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->metadata.at("compression"), "deflate");
  EXPECT_EQ(e->bytes, 8u * 4 * 4);
  EXPECT_EQ(openTensorFile(dir_ / "stored.npz")->find("codes")->metadata.at("compression"), "stored");
}

TEST_F(NpyFixtures, BadRowSliceAndUnknownTensorAreErrors) {
  auto path = dir_ / "f32_c.npy";
  auto src = openTensorFile(path);
  expectError([&] { src->readRows("f32_c", {2, 9}); }, path.string(), "row slice");
  expectError([&] { src->read("nope"); }, path.string(), "no tensor named 'nope'");
}

} // namespace
