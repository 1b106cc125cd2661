// `quantscope-cli list`: runs the real binary on fixtures (built beside the tests).
#include "../io/io_test_util.h"
#include "cli_run.h"
#include "core/formats/block_formats.h"

#include <set>

using namespace qs;
using namespace qs::test;

namespace {

TEST(ListCli, JsonMatchesTheReader) {
  ASSERT_TRUE(std::filesystem::exists(cliBinary())) << cliBinary();
  auto dir = generateFixtures("make_gguf_fixtures.py", "cli_gguf");
  CliRun r = runCli("list " + (dir / "model.gguf").string() + " --json", Stderr::Merged);
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  auto src = openTensorFile(dir / "model.gguf");
  EXPECT_EQ(j["format"], "gguf");
  ASSERT_EQ(j["tensors"].size(), src->list().size());
  for (size_t i = 0; i < src->list().size(); ++i) {
    EXPECT_EQ(j["tensors"][i]["name"], src->list()[i].name);
    EXPECT_EQ(j["tensors"][i]["shape"].get<Shape>(), src->list()[i].shape);
    EXPECT_EQ(j["tensors"][i]["dtype"], src->list()[i].storedDtype);
    EXPECT_EQ(j["tensors"][i]["bytes"].get<uint64_t>(), src->list()[i].bytes);
    EXPECT_EQ(j["tensors"][i]["axis"].get<int>(), src->list()[i].layout.outAxis);
    EXPECT_EQ(j["tensors"][i]["axis_reason"].get<std::string>(), src->list()[i].layout.reason);
  }
  EXPECT_EQ(j["metadata"]["general.architecture"], "llama");
}

TEST(ListCli, TextTable) {
  auto dir = generateFixtures("make_npy_fixtures.py", "cli_npy");
  CliRun r = runCli("list " + (dir / "deflated.npz").string(), Stderr::Merged);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("layer.0/weight  [8, 4]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(npz, 4 tensors"), std::string::npos) << r.out;
}

// A GGUF file with types QuantScope cannot read lists them all, named, with
// the reason; the i-quants it reads show as such.
TEST(ListCli, UnreadableGgufTypesAreListed) {
  auto dir = generateFixtures("make_gguf_type_fixtures.py", "cli_gguf_types");
  CliRun r = runCli("list " + (dir / "unknown_types.gguf").string(), Stderr::Merged);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("(gguf, 5 tensors"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("last.iq2_xxs  [2, 256]  IQ2_XXS  132\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mystery       [4, 16]   type 99  0  (cannot read)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("q4_2          [2, 32]   Q4_2     0  (cannot read)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  q4_3 is stored as Q4_3 (GGUF type 5), a type ggml has removed"), std::string::npos)
      << r.out;
  CliRun j = runCli("list " + (dir / "every_type.gguf").string() + " --json", Stderr::Merged);
  ASSERT_EQ(j.status, 0) << j.out;
  auto json = nlohmann::json::parse(j.out);
  ASSERT_EQ(json["tensors"].size(), 35u);
  std::set<std::string> dtypes;
  for (const auto& t : json["tensors"]) {
    dtypes.insert(t["dtype"].get<std::string>());
    EXPECT_EQ(t.contains("unreadable"),
              !ggufCanDequantize(uint32_t(std::stoul(t["metadata"]["ggml type id"].get<std::string>()))));
  }
  for (const char* name : {"IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS", "IQ3_S", "Q8_1", "Q8_K",
                           "F64", "I8", "I16", "I32", "I64", "TQ1_0", "MXFP4", "NVFP4", "Q2_0"})
    EXPECT_EQ(dtypes.count(name), 1u) << name;
}

TEST(ListCli, ErrorsExitWithTwoAndNameTheFile) {
  auto bad = outDir("cli") / "bad.safetensors";
  writeFile(bad, std::string("\x08\0\0\0\0\0\0\0{\"a\":1}", 15));
  CliRun r = runCli("list " + bad.string(), Stderr::Merged);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find(bad.string()), std::string::npos) << r.out;
  EXPECT_EQ(runCli("list", Stderr::Merged).status, 2);
  EXPECT_EQ(runCli("list a b", Stderr::Merged).status, 2);
  EXPECT_EQ(runCli("list --bogus x", Stderr::Merged).status, 2);
  EXPECT_EQ(runCli("list --help", Stderr::Merged).status, 0);
}

} // namespace
