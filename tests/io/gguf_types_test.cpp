// Every GGUF type id: the read-only types dequantize like llama.cpp (against
// the NumPy ports in tests/data/gguf_dequant_refs.py, bit for bit), every
// sized type is listed and sized, and types QuantScope cannot read (or ids
// ggml never had) leave the file open with a clear message on reading.
#include "core/formats/block_formats.h"
#include "core/io/listing.h"
#include "io_test_util.h"

using namespace qs;
using namespace qs::test;

namespace {

class GgufTypes : public ::testing::Test {
protected:
  static void SetUpTestSuite() { dir_ = generateFixtures("make_gguf_type_fixtures.py", "gguf_types"); }
  static nlohmann::json types() {
    std::ifstream f(dir_ / "types.json");
    return nlohmann::json::parse(f);
  }
  static std::filesystem::path dir_;
};
std::filesystem::path GgufTypes::dir_;

std::string readError(const TensorSource& src, const std::string& name) {
  try {
    src.read(name);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST_F(GgufTypes, ReadOnlyTypesDequantizeLikeLlamaCpp) {
  checkManifest(dir_, "gguf");
}

// Each tensor of every_type.gguf / unknown_types.gguf: listed with its type
// name, id and byte size; read bit-exactly when a reference exists, read
// without error when QuantScope can dequantize it, else a clear error.
void checkTypesFile(const std::filesystem::path& dir, const std::string& file,
                    const nlohmann::json& tensors) {
  SCOPED_TRACE(file);
  std::unique_ptr<TensorSource> src = openTensorFile(dir / file);
  ASSERT_EQ(src->list().size(), tensors.size());
  int readable = 0, unreadable = 0;
  for (const auto& t : tensors) {
    const std::string name = t["name"];
    const auto id = t["type_id"].get<uint32_t>();
    SCOPED_TRACE(name);
    const TensorEntry* e = src->find(name);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->storedDtype, t["type"].get<std::string>());
    EXPECT_EQ(e->metadata.at("ggml type id"), std::to_string(id));
    EXPECT_EQ(e->shape, t["shape"].get<Shape>());
    EXPECT_EQ(e->bytes, t["bytes"].get<uint64_t>());
    EXPECT_EQ(e->unreadable.empty(), ggufCanDequantize(id));
    if (!t["expected"].is_null()) {
      const auto want = readF32(dir / t["expected"].get<std::string>());
      EXPECT_TRUE(sameValues(src->read(name).values, want.data(), want.size()));
      ++readable;
    } else if (ggufCanDequantize(id)) {
      EXPECT_EQ(src->read(name).numel(),
                shapeNumel(e->shape)); // another engineer's type, checked in its own test
    } else {
      const std::string msg = readError(*src, name);
      EXPECT_NE(msg.find(file), std::string::npos) << msg;
      const std::string stored =
          ggufTypeById(id) || ggufTypeRemoved(id) ? e->storedDtype : "GGUF type " + std::to_string(id);
      EXPECT_NE(msg.find("tensor '" + name + "' is stored as " + stored), std::string::npos) << msg;
      EXPECT_NE(msg.find("QuantScope cannot"), std::string::npos) << msg;
      EXPECT_NE(msg.find("GGUF type " + std::to_string(id)), std::string::npos) << msg;
      EXPECT_THROW(src->readRows(name, {0, 1}), Error);
      ++unreadable;
    }
  }
  EXPECT_GT(readable, 1);
  EXPECT_GT(unreadable, 0);
}

TEST_F(GgufTypes, EveryTypeIsListedSizedAndReadOrRefused) {
  const auto j = types();
  EXPECT_EQ(j["every_type.gguf"].size(), 43u - 8u); // ids 0..42 less the 8 removed
  checkTypesFile(dir_, "every_type.gguf", j["every_type.gguf"]);
}

TEST_F(GgufTypes, UnknownTypeIdsKeepTheFileOpen) {
  checkTypesFile(dir_, "unknown_types.gguf", types()["unknown_types.gguf"]);
  auto src = openTensorFile(dir_ / "unknown_types.gguf");
  EXPECT_NE(readError(*src, "q4_2").find("is stored as Q4_2 (GGUF type 4), a type ggml has removed"),
            std::string::npos);
  EXPECT_NE(readError(*src, "q4_3").find("Q4_3 (GGUF type 5)"), std::string::npos);
  EXPECT_NE(readError(*src, "mystery").find("is stored as GGUF type 99, which is not a ggml type"),
            std::string::npos);
  EXPECT_EQ(src->find("mystery")->storedDtype, "type 99");
  EXPECT_EQ(src->find("mystery")->bytes, 0u); // no size known
}

TEST_F(GgufTypes, ListingsNameTheTypeAndTheReason) {
  auto src = openTensorFile(dir_ / "unknown_types.gguf");
  const std::string text = listingText(*src);
  EXPECT_NE(text.find("type 99"), std::string::npos) << text;
  EXPECT_NE(text.find("(cannot read)"), std::string::npos) << text;
  EXPECT_NE(text.find("3 tensors QuantScope cannot read:"), std::string::npos) << text;
  EXPECT_NE(text.find("  mystery is stored as GGUF type 99"), std::string::npos) << text;
  const auto j = nlohmann::json::parse(listingJson(*src));
  ASSERT_EQ(j["tensors"].size(), 5u);
  EXPECT_FALSE(j["tensors"][0].contains("unreadable"));
  EXPECT_EQ(j["tensors"][1]["dtype"], "Q4_2");
  EXPECT_EQ(j["tensors"][3]["dtype"], "type 99");
  EXPECT_EQ(j["tensors"][3]["unreadable"], src->find("mystery")->unreadable);
  EXPECT_FALSE(j["tensors"][4].contains("unreadable")); // IQ2_XXS reads
}

// The fuzz seeds of the type handling (tests/data/make_gguf_type_seeds.py)
// open; each tensor reads (whole and a row slice, progress ending at 1) or
// gives the unreadable reason, as the fuzzer expects of them.
TEST(GgufTypeSeeds, OpenAndReadOrRefuse) {
  const auto dir = std::filesystem::path(QS_SOURCE_DIR) / "tests/data/fuzz/gguf";
  int seeds = 0, refused = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    if (f.path().filename().string().rfind("type_", 0) != 0)
      continue;
    SCOPED_TRACE(f.path().string());
    ++seeds;
    auto src = openTensorFile(f.path());
    for (const auto& e : src->list()) {
      if (!e.unreadable.empty()) {
        EXPECT_THROW(src->readWithProgress(e.name, nullptr, {}), Error);
        ++refused;
        continue;
      }
      double last = 0;
      Tensor t = src->readWithProgress(e.name, nullptr, [&last](double p) { last = p; });
      EXPECT_EQ(last, 1.0);
      EXPECT_EQ(t.numel(), shapeNumel(e.shape));
    }
  }
  EXPECT_EQ(seeds, 17);
  EXPECT_EQ(refused, 3);
}

} // namespace
