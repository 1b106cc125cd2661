#include "core/io/readers.h"
#include "io_test_util.h"

using namespace qs;
using namespace qs::test;

namespace {

class OnnxFixtures : public ::testing::Test {
protected:
  static void SetUpTestSuite() { dir_ = generateFixtures("make_onnx_fixtures.py", "onnx"); }
  static std::filesystem::path dir_;
};
std::filesystem::path OnnxFixtures::dir_;

TEST_F(OnnxFixtures, EveryTensorMatchesNumpy) {
  checkManifest(dir_, "onnx");
}

TEST_F(OnnxFixtures, OriginsAreVisible) {
  auto src = openTensorFile(dir_ / "model.onnx");
  EXPECT_EQ(src->find("const_out")->metadata.at("origin"), "Constant node 'Constant_0'");
  EXPECT_EQ(src->find("w")->metadata.at("origin"), "initializer");
  EXPECT_EQ(src->find("typed.half")->metadata.at("storage"), "typed field (int32_data)");
  EXPECT_NE(src->find("If_0/then_branch/w"), nullptr);
  EXPECT_NE(src->find("Loop_2/body/c"), nullptr);
}

TEST_F(OnnxFixtures, ExternalDataIsListedWithoutReading) {
  auto src = openTensorFile(dir_ / "ext" / "model_ext.onnx");
  const TensorEntry* e = src->find("big");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->bytes, 64u * 32 * 4);
  EXPECT_EQ(e->metadata.at("external data").rfind("weights.bin", 0), 0u);
}

// Rewrites the external location of a copy of the external-data model.
std::filesystem::path withLocation(const std::filesystem::path& dir, const std::string& location,
                                   const std::string& outName) {
  auto out = dir / "ext" / outName;
  int rc = runPython("-c \"import onnx,sys; m=onnx.load(sys.argv[1], load_external_data=False); "
                     "[setattr(e,'value',sys.argv[2]) for t in m.graph.initializer for e in t.external_data "
                     "if e.key=='location']; onnx.save(m, sys.argv[3])\" " +
                     (dir / "ext" / "model_ext.onnx").string() + " '" + location + "' " + out.string());
  EXPECT_EQ(rc, 0);
  return out;
}

TEST_F(OnnxFixtures, ExternalPathTraversalIsRefused) {
  auto p = withLocation(dir_, "../../../../etc/passwd", "traversal.onnx");
  auto src = openTensorFile(p);
  expectError([&] { src->read("big"); }, p.string(), "leaves the model's directory");
}

TEST_F(OnnxFixtures, AbsoluteExternalPathIsRefused) {
  auto p = withLocation(dir_, "/etc/passwd", "absolute.onnx");
  auto src = openTensorFile(p);
  expectError([&] { src->read("big"); }, p.string(), "is absolute");
}

TEST_F(OnnxFixtures, MissingExternalFile) {
  auto p = withLocation(dir_, "nope.bin", "missing.onnx");
  auto src = openTensorFile(p);
  expectError([&] { src->read("big"); }, p.string(), "nope.bin");
}

TEST_F(OnnxFixtures, ExternalDataFromMemoryIsRefused) {
  auto bytes = readFile(dir_ / "ext" / "model_ext.onnx");
  auto src = openTensorBytes("onnx", std::vector<uint8_t>(bytes.begin(), bytes.end()));
  expectError([&] { src->read("big"); }, "<memory onnx>", "parsed from memory");
}

} // namespace
