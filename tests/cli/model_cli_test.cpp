// The CLI opens models wherever it opens a file: `list` takes a folder or
// several files, `quantize` a folder with --tensor. The real binary on the
// NumPy-written folders of tests/data/make_model_folders.py.
#include "../io/io_test_util.h"
#include "cli_run.h"
#include "core/io/model_source.h"

using namespace qs;
using namespace qs::test;

namespace {

namespace fs = std::filesystem;

fs::path folders() {
  return generateFixtures("make_model_folders.py", "cli_model_folders");
}

TEST(ModelCli, ListAHuggingFaceFolderAsOneModel) {
  ASSERT_TRUE(fs::exists(cliBinary())) << cliBinary();
  const fs::path hf = folders() / "hf";
  CliRun r = runCli("list " + hf.string() + " --json", Stderr::Merged);
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  auto src = openModel({hf});
  EXPECT_EQ(j["file"], hf.string());
  EXPECT_EQ(j["format"], "safetensors, 3 files");
  EXPECT_EQ(j["metadata"]["architecture"], "LlamaForCausalLM");
  ASSERT_EQ(j["tensors"].size(), src->list().size());
  for (size_t i = 0; i < src->list().size(); ++i) {
    EXPECT_EQ(j["tensors"][i]["name"], src->list()[i].name);
    EXPECT_EQ(j["tensors"][i]["shape"].get<Shape>(), src->list()[i].shape);
    EXPECT_EQ(j["tensors"][i]["metadata"]["file"], src->list()[i].metadata.at("file"));
  }
  r = runCli("list " + hf.string(), Stderr::Merged);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("(safetensors, 3 files, 7 tensors"), std::string::npos) << r.out;
}

TEST(ModelCli, ListSeveralFiles) {
  const fs::path d = folders() / "plain";
  CliRun r = runCli("list " + (d / "part_b.safetensors").string() + " " + (d / "c.npy").string() + " --json",
                    Stderr::Merged);
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["format"], "npy+safetensors, 2 files");
  ASSERT_EQ(j["tensors"].size(), 2u);
  EXPECT_EQ(j["tensors"][0]["name"], "b.weight");
  EXPECT_EQ(j["tensors"][1]["name"], "c");
}

TEST(ModelCli, BrokenModelsExitWithTwoAndSayWhy) {
  const fs::path d = folders();
  CliRun r = runCli("list " + (d / "bad_missing_shard").string(), Stderr::Merged);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("shard 'model-00002-of-00003.safetensors'"), std::string::npos) << r.out;
  r = runCli("list " + (d / "bad_dup" / "one.safetensors").string() + " " +
                 (d / "bad_dup" / "two.safetensors").string(),
             Stderr::Merged);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("tensor 'shared.weight' is in both"), std::string::npos) << r.out;
  r = runCli("list " + (d / "empty").string(), Stderr::Merged);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("holds no tensor file"), std::string::npos) << r.out;
}

TEST(ModelCli, QuantizeATensorOfAFolder) {
  const fs::path hf = folders() / "hf";
  const std::string name = "model.layers.1.self_attn.q_proj.weight";
  CliRun r =
      runCli("quantize " + hf.string() + " --tensor " + name + " --format int8 --json", Stderr::Merged);
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  // The same tensor through the shard file itself gives the same result.
  CliRun direct = runCli("quantize " + (hf / "model-00002-of-00003.safetensors").string() + " --tensor " +
                             name + " --format int8 --json",
                         Stderr::Merged);
  ASSERT_EQ(direct.status, 0) << direct.out;
  auto k = nlohmann::json::parse(direct.out);
  EXPECT_EQ(j["metrics"], k["metrics"]);
  EXPECT_FALSE(j["metrics"].empty());
  r = runCli("quantize " + hf.string() + " --format int8", Stderr::Merged);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("holds 7 tensors; choose one with --tensor"), std::string::npos) << r.out;
}

} // namespace
