// `quantscope-cli scan`: its JSON is the core scan's, the saved scan reads
// back, a model of two files scans as one, and bad input is a clear error.
#include "core/io/model_source.h"
#include "core/io/tensor_writer.h"
#include "core/model/scan.h"
#include "tests/io/io_test_util.h"

#include "cli_run.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace qs {
namespace {

using test::runCli;
namespace fs = std::filesystem;

fs::path modelFile() {
  return test::generateFixtures("scan_refs.py", "scan_refs") / "scan_model.safetensors";
}

TEST(ScanCli, JsonIsTheCoreScan) {
  const test::CliRun r = runCli("scan " + modelFile().string() + " --formats int8,q4_0,nf4 --json");
  ASSERT_EQ(r.status, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "quantscope.scan/1");
  ScanOptions o;
  o.formats = {"int8", "q4_0", "nf4"};
  const ScanResult core = scanModel(*openModel({modelFile()}), o);
  ASSERT_EQ(j["tensors"].size(), core.tensors.size());
  for (size_t i = 0; i < core.tensors.size(); ++i) {
    const nlohmann::json& t = j["tensors"][i];
    EXPECT_EQ(t["name"], core.tensors[i].name);
    EXPECT_EQ(t["keep"], core.tensors[i].keep);
    for (const CandidateScore& c : core.tensors[i].candidates) {
      const nlohmann::json& cj = t["candidates"][c.format];
      if (!c.ok()) {
        EXPECT_EQ(cj["problem"], c.problem);
        continue;
      }
      EXPECT_EQ(cj["sse"].get<double>(), c.sse) << c.format;
      EXPECT_EQ(cj["sqnr_db"].get<double>(), c.sqnrDb) << c.format;
      EXPECT_EQ(cj["bits_per_element"].get<double>(), c.bitsPerElement) << c.format;
      EXPECT_TRUE(cj["weighted_sse"].is_null());
    }
  }
}

TEST(ScanCli, SavesTablesAndCsv) {
  const fs::path out = fs::path(QS_TEST_OUT_DIR) / "scan_cli_saved.json";
  fs::remove(out);
  const test::CliRun r =
      runCli("scan " + modelFile().string() + " --formats int8,q4_k --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("model.layers.0.mlp.down_proj.weight"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("keep"), std::string::npos);
  EXPECT_NE(r.out.find("n/a"), std::string::npos) << "q4_k cannot take rows of 96";
  std::ifstream in(out);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  const ScanResult back = scanFromJson(text, out.string());
  EXPECT_EQ(back.tensors.size(), 6u);
  EXPECT_EQ(back.formats, (std::vector<std::string>{"int8", "q4_k"}));

  const test::CliRun csv = runCli("scan " + modelFile().string() + " --formats int8 --csv --include mlp");
  ASSERT_EQ(csv.status, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("tensor,role,block,shape,params,stored_dtype,format,sqnr_db", 0), 0u) << csv.out;
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 3) << csv.out; // header + two mlp tensors
}

TEST(ScanCli, ScansSeveralFilesAsOneModel) {
  const fs::path dir = fs::path(QS_TEST_OUT_DIR) / "scan_cli_two";
  fs::create_directories(dir);
  writeSafetensors(dir / "a.safetensors",
                   {floatArray("blk.0.attn_q.weight", {32, 64}, std::vector<float>(2048, 0.5f))}, {});
  std::vector<float> v(4096);
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = float(int(i % 17) - 8) * 0.01f;
  writeSafetensors(dir / "b.safetensors", {floatArray("blk.0.ffn_up.weight", {64, 64}, v)}, {});
  const test::CliRun r = runCli("scan " + (dir / "a.safetensors").string() + " " +
                                (dir / "b.safetensors").string() + " --formats int8 --json");
  ASSERT_EQ(r.status, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["tensors"].size(), 2u);
  EXPECT_EQ(j["tensors"][1]["role"], "ffn_up");
  EXPECT_EQ(j["params"], 2048 + 4096);
}

TEST(ScanCli, BadInputIsAClearError) {
  const std::string m = modelFile().string();
  test::CliRun r = runCli("scan " + m + " --formats int8,int99", test::Stderr::Merged);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("unknown format 'int99'"), std::string::npos) << r.out;
  r = runCli("scan " + m, test::Stderr::Merged);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("--formats is required"), std::string::npos) << r.out;
  r = runCli("scan " + m + " --format int8", test::Stderr::Merged);
  EXPECT_NE(r.out.find("not --format"), std::string::npos) << r.out;
  r = runCli("scan " + m + " --formats int8 --include '('", test::Stderr::Merged);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("bad --include regex '('"), std::string::npos) << r.out;
  r = runCli("scan /nonexistent/model --formats int8", test::Stderr::Merged);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("/nonexistent/model"), std::string::npos) << r.out;
}

} // namespace
} // namespace qs
