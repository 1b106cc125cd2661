// Format detection: content first, extension second.
#include "core/io/reader_table.h"
#include "core/io/readers.h"
#include "core/io/tensor_writer.h"
#include "io_test_util.h"

using namespace qs;
using namespace qs::test;

namespace {

std::filesystem::path put(const std::string& name, const std::string& bytes) {
  auto p = outDir("detect") / name;
  writeFile(p, bytes);
  return p;
}

std::string le(uint64_t v, int n) {
  std::string s;
  for (int i = 0; i < n; ++i)
    s += char((v >> (8 * i)) & 0xff);
  return s;
}

// Minimal valid files of each format, built here so detection is tested
// without the (slow) Python generators.
std::string npyBytes() {
  std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  while ((10 + h.size() + 1) % 64)
    h += ' ';
  h += '\n';
  return std::string("\x93NUMPY\x01\x00", 8) + le(h.size(), 2) + h + std::string(8, '\0');
}
std::string safetensorsBytes() {
  std::string h = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  return le(h.size(), 8) + h + std::string(8, '\0');
}
std::string ggufBytes() {
  std::string s =
      "GGUF" + le(3, 4) + le(1, 8) + le(0, 8) + le(1, 8) + "w" + le(1, 4) + le(2, 8) + le(0, 4) + le(0, 8);
  while (s.size() % 32)
    s += '\0';
  return s + std::string(8, '\0');
}
std::string onnxBytes() {
  // ModelProto{ir_version: 8, graph: {initializer: {dims: 2, data_type: FLOAT, name: "w", raw_data: 8
  // bytes}}}
  std::string t = std::string("\x08\x02\x10\x01\x42\x01w\x4a\x08", 9) + std::string(8, '\0');
  std::string g = "\x2a" + std::string(1, char(t.size())) + t;
  return std::string("\x08\x08\x3a", 3) + std::string(1, char(g.size())) + g;
}

TEST(OpenTensorFile, ContentWinsOverTheExtension) {
  EXPECT_EQ(openTensorFile(put("weights.dat", npyBytes()))->formatName(), "npy");
  EXPECT_EQ(openTensorFile(put("pytorch_model.bin", safetensorsBytes()))->formatName(), "safetensors");
  EXPECT_EQ(openTensorFile(put("model.bin", ggufBytes()))->formatName(), "gguf");
  EXPECT_EQ(openTensorFile(put("model.npy", ggufBytes()))->formatName(), "gguf"); // misleading extension
  auto h5 = outDir("detect") / "nested.weights";
  writeHdf5(h5, {floatArray("a/b", {2}, {1.0f, 2.0f})}, {});
  EXPECT_EQ(openTensorFile(h5)->formatName(), "hdf5");
  auto npy = generateFixtures("make_npy_fixtures.py",
                              "open_npy"); // NumPy only: fast; own dir: tests run in parallel
  std::filesystem::copy_file(npy / "stored.npz", outDir("detect") / "weights.zip",
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_EQ(openTensorFile(outDir("detect") / "weights.zip")->formatName(), "npz");
}

TEST(OpenTensorFile, OnnxNeedsItsExtension) {
  auto src = openTensorFile(put("tiny.onnx", onnxBytes()));
  EXPECT_EQ(src->formatName(), "onnx");
  EXPECT_EQ(src->read("w").values, (std::vector<float>{0.0f, 0.0f}));
  expectError([&] { openTensorFile(put("tiny.pb.dat", onnxBytes())); }, "tiny.pb.dat", "unrecognised");
}

TEST(OpenTensorFile, ExtensionPicksTheParserForBrokenFiles) {
  auto p = outDir("detect") / "broken.safetensors";
  writeFile(p, "\x01\x02");
  expectError([&] { openTensorFile(p); }, p.string(), "truncated safetensors header length");
}

TEST(OpenTensorFile, KnownExtensions) {
  const auto& e = tensorFileExtensions();
  for (const char* x : {".npy", ".npz", ".safetensors", ".h5", ".hdf5", ".gguf", ".onnx"})
    EXPECT_NE(std::find(e.begin(), e.end(), x), e.end()) << x;
}

TEST(ReaderTable, UnknownFileErrorListsEveryExtension) {
  const auto p = put("mystery.xyz", "hello world, not a tensor");
  try {
    openTensorFile(p);
    FAIL() << "opened " << p;
  } catch (const Error& e) {
    const std::string what = e.what();
    for (const ReaderEntry& r : readerTable())
      for (const std::string& x : r.extensions)
        EXPECT_NE(what.find(x), std::string::npos) << x << " missing from: " << what;
    for (const char* x : {".hdf", ".keras"})
      EXPECT_NE(what.find(x), std::string::npos) << x;
  }
}

TEST(ReaderTable, EntriesAreCompleteAndExtensionsUnique) {
  std::set<std::string> names, seen;
  for (const ReaderEntry& r : readerTable()) {
    EXPECT_TRUE(names.insert(r.name).second) << r.name;
    EXPECT_NE(r.open, nullptr) << r.name;
    EXPECT_FALSE(r.extensions.empty()) << r.name;
    for (const std::string& x : r.extensions) {
      EXPECT_TRUE(seen.insert(x).second) << x;
      EXPECT_EQ(x[0], '.') << x;
      EXPECT_EQ(readerForExtension(x), &r) << x;
    }
  }
  EXPECT_EQ(seen.size(), tensorFileExtensions().size());
  EXPECT_EQ(readerForExtension(".pt"), nullptr);
}

TEST(ReaderTable, ExtensionPicksTheReaderWithoutMagic) {
  // No sniffable magic: each extension routes to its own parser, whose
  // message names the format.
  auto p = outDir("detect") / "weights.keras";
  writeFile(p, "not hdf5 at all");
  try {
    openTensorFile(p);
    FAIL() << "opened " << p;
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("unrecognised"), std::string::npos)
        << e.what(); // the HDF5 reader spoke
  }
  EXPECT_EQ(openTensorFile(put("tiny2.ONNX", onnxBytes()))->formatName(), "onnx");
}

TEST(OpenTensorBytes, UnknownFormatName) {
  expectError([] { openTensorBytes("pickle", {}); }, "pickle", "unknown format");
}

} // namespace
