#include "core/io/listing.h"
#include "core/io/tensor_writer.h"
#include "io_test_util.h"

using namespace qs;
using namespace qs::test;

namespace {

std::filesystem::path sample() {
  auto p = outDir("listing") / "sample.safetensors";
  writeSafetensors(p,
                   {floatArray("model.embed", {3, 2}, std::vector<float>(6, 1.0f)),
                    smallestIntArray("codes", {4}, {1, -2, 3, 4})},
                   {{"note", std::string(300, 'x')}, {"bytes", "caf\xc3\xa9 \xff"}});
  return p;
}

TEST(Listing, TextHasOneLinePerTensorAndCutsLongMetadata) {
  auto src = openTensorFile(sample());
  std::string text = listingText(*src, 50);
  EXPECT_NE(text.find("(safetensors, 2 tensors, 28 B)"), std::string::npos) << text;
  EXPECT_NE(text.find("model.embed  [3, 2]  float32  24"), std::string::npos) << text;
  EXPECT_NE(text.find("codes        [4]     int8     4"), std::string::npos) << text;
  EXPECT_NE(text.find("note = " + std::string(50, 'x') + "...\n"), std::string::npos) << text;
}

TEST(Listing, WriterReplacesInvalidUtf8) {
  auto src = openTensorFile(sample());
  auto j = nlohmann::json::parse(listingJson(*src));
  EXPECT_EQ(j["format"], "safetensors");
  ASSERT_EQ(j["tensors"].size(), 2u);
  EXPECT_EQ(j["tensors"][1]["name"], "codes");
  EXPECT_EQ(j["tensors"][1]["dtype"], "int8");
  EXPECT_EQ(j["tensors"][1]["bytes"], 4);
  EXPECT_EQ(j["metadata"]["note"].get<std::string>().size(), 300u); // JSON keeps it whole
  EXPECT_EQ(j["metadata"]["bytes"], "caf\xc3\xa9 \xef\xbf\xbd");    // U+FFFD replaces 0xff
}

TEST(Listing, JsonIsValidEvenWithInvalidUtf8FromAFile) {
  // A GGUF string value is raw bytes: 0xff must not break the JSON.
  auto le = [](uint64_t v, int n) {
    std::string s;
    for (int i = 0; i < n; ++i)
      s += char((v >> (8 * i)) & 0xff);
    return s;
  };
  auto p = outDir("listing") / "bad_utf8.gguf";
  writeFile(p, "GGUF" + le(3, 4) + le(0, 8) + le(1, 8) + le(4, 8) + "name" + le(8, 4) + le(3, 8) +
                   "a\xff"
                   "b");
  auto j = nlohmann::json::parse(listingJson(*openTensorFile(p)));
  EXPECT_EQ(j["metadata"]["name"], "a\xef\xbf\xbd"
                                   "b");
}

} // namespace
