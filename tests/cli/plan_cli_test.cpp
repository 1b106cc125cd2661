// `quantscope-cli plan` prints exactly what the core plans (scanModel +
// planModel, or a saved scan), writes its exports, and `quantize --recipe`
// takes a tensor's config from the recipe.
#include "core/error.h"
#include "core/io/model_source.h"
#include "core/model/model_plan.h"
#include "core/model/recipe.h"
#include "core/model/scan.h"

#include "cli_run.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

namespace qs {
namespace {

using test::runCli;
namespace fs = std::filesystem;

fs::path dir() {
  static const fs::path d = [] {
    const fs::path out = fs::path(QS_TEST_OUT_DIR) / "plan_cli";
    const std::string cmd =
        std::string(QS_PYTHON) + " " + QS_SOURCE_DIR + "/tests/data/make_plan_fixtures.py " + out.string();
    if (std::system(cmd.c_str()) != 0)
      throw std::runtime_error("fixture generator failed: " + cmd);
    return out;
  }();
  return d;
}

fs::path model() {
  return dir() / "model.safetensors";
}

std::string readText(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

ScanResult coreScan(const std::vector<std::string>& formats) {
  const auto source = openModel({model()});
  ScanOptions o;
  o.formats = formats;
  return scanModel(*source, o);
}

TEST(PlanCli, PrintsTheCorePlan) {
  const test::CliRun r =
      runCli("plan " + model().string() + " --formats q4_0,q8_0,int8 --target-bpw 6 --json");
  ASSERT_EQ(r.status, 0) << r.err;
  PlanRequest req;
  req.targetBitsPerWeight = 6;
  const ModelPlan p = planModel(coreScan({"q4_0", "q8_0", "int8"}), req);
  EXPECT_EQ(r.out, planToJson(p) + "\n");
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_LE(j["bits_per_weight"].get<double>(), 6.0);
  EXPECT_GT(j["bits_per_weight"].get<double>(), 5.0); // the budget is used
  EXPECT_EQ(j["tensors"][1]["format"], "keep");       // the norm
}

TEST(PlanCli, TableWithTotalsBoundAndGreedy) {
  const test::CliRun r = runCli("plan " + model().string() +
                                " --formats q4_0,q8_0 --target-bpw 12 --pin 'lm_head=q8_0' --keep embed");
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* part : {"tensor", "bits/elt", "lm_head.weight", "q8_0", "keep", "bits per weight",
                           "lower bound", "gap", "greedy"})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  PlanRequest req;
  req.targetBitsPerWeight = 12;
  req.pins = {{"lm_head", "q8_0"}};
  req.keeps = {"embed"};
  const ModelPlan p = planModel(coreScan({"q4_0", "q8_0"}), req);
  EXPECT_EQ(p.tensors.back().format, "q8_0");
  EXPECT_EQ(p.tensors.front().format, "");
}

TEST(PlanCli, FromASavedScan) {
  const ScanResult scan = coreScan({"q4_0", "q8_0", "int8", "int4"});
  const fs::path file = dir() / "scan.json";
  std::ofstream(file) << scanToJson(scan);
  const test::CliRun r = runCli("plan --scan " + file.string() +
                                " --formats int8,int4 --target-size 10000 --pin 'down_proj=int8' --json");
  ASSERT_EQ(r.status, 0) << r.err;
  PlanRequest req;
  req.formats = {"int8", "int4"};
  req.targetBytes = 10000;
  req.pins = {{"down_proj", "int8"}};
  EXPECT_EQ(r.out, planToJson(planModel(scanFromJson(scanToJson(scan), "scan"), req)) + "\n");

  // The scan command's saved scan plans as the scan in memory does.
  const fs::path saved = dir() / "scan_cli.json";
  test::CliRun s =
      runCli("scan " + model().string() + " --formats q4_0,q8_0,int8,int4 --out " + saved.string());
  ASSERT_EQ(s.status, 0) << s.err;
  s = runCli("plan --scan " + saved.string() +
             " --formats int8,int4 --target-size 10000 --pin 'down_proj=int8' --json");
  ASSERT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(s.out, r.out);
}

TEST(PlanCli, ExportsThroughATemporaryFile) {
  const fs::path script = dir() / "quantize.sh";
  fs::remove(script);
  test::CliRun r =
      runCli("plan " + model().string() +
             " --formats q4_0,q8_0 --target-bpw 6 --export llama-quantize --out " + script.string());
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string text = readText(script);
  EXPECT_EQ(text.rfind("#!/usr/bin/env bash\n", 0), 0u);
  EXPECT_NE(text.find("--tensor-type '^blk\\."), std::string::npos) << text;
  EXPECT_TRUE((fs::status(script).permissions() & fs::perms::owner_exec) != fs::perms::none);
  for (const auto& e : fs::directory_iterator(dir()))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();

  const fs::path ct = dir() / "quant_config.json";
  r = runCli("plan " + model().string() +
             " --formats int8,int4 --target-bpw 7 --export compressed-tensors --out " + ct.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(readText(ct))["quantization_config"]["quant_method"], "compressed-tensors");

  const fs::path enc = dir() / "encodings.json";
  r = runCli("plan " + model().string() + " --formats int8,int4 --target-bpw 7 --export aimet --out " +
             enc.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(readText(enc))["version"], "0.6.1");

  // A refused export writes nothing, not even a temporary file.
  const fs::path refused = dir() / "refused.json";
  r = runCli("plan " + model().string() + " --formats q4_0,q8_0 --target-bpw 7 --export aimet --out " +
             refused.string());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("AIMET export: only INT formats"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(refused));
  EXPECT_TRUE(r.out.empty()) << r.out; // nothing printed before the refusal
}

// A GGUF model planned and exported as a llama-quantize script: llama-quantize's
// rule (patterns lowercased, first std::regex_search match wins, 1-D tensors
// never quantized) gives every tensor exactly the type the plan JSON names.
TEST(PlanCli, LlamaQuantizeScriptReproducesThePlan) {
  const fs::path script = dir() / "gguf_quantize.sh";
  const test::CliRun r = runCli("plan " + (dir() / "model.gguf").string() +
                                " --formats q4_0,q5_1,q8_0,fp16 --target-bpw 7 --keep token_embd --pin "
                                "'blk\\.2\\.=q8_0' --json --export llama-quantize --out " +
                                script.string());
  ASSERT_EQ(r.status, 0) << r.err;
  const auto plan = nlohmann::json::parse(r.out);
  const std::string text = readText(script);
  std::vector<std::pair<std::regex, std::string>> patterns;
  static const std::regex option(R"(--tensor-type '([^=']*)=([^']*)')");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), option); it != std::sregex_iterator(); ++it) {
    std::string pattern = (*it)[1].str();
    std::transform(pattern.begin(), pattern.end(), pattern.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    patterns.emplace_back(std::regex(pattern), (*it)[2].str());
  }
  ASSERT_FALSE(patterns.empty()) << text;
  const std::map<std::string, std::string> llamaName = {
      {"q4_0", "q4_0"}, {"q5_1", "q5_1"}, {"q8_0", "q8_0"}, {"fp16", "f16"}};
  std::set<std::string> planned;
  for (const auto& t : plan["tensors"]) {
    const std::string name = t["name"], format = t["format"];
    planned.insert(format);
    std::string got = "(as stored)";
    if (name.find("_norm") == std::string::npos) // the 1-D norms: llama-quantize never quantizes them
      for (const auto& [re, type] : patterns)
        if (std::regex_search(name, re)) {
          got = type;
          break;
        }
    const std::string want = format == "keep"
                                 ? (name.find("_norm") == std::string::npos ? "f16" : "(as stored)")
                                 : llamaName.at(format);
    EXPECT_EQ(got, want) << name;
  }
  EXPECT_GE(planned.size(), 3u) << r.out; // a real mixture, not one format
  EXPECT_EQ(plan["tensors"][0]["format"], "keep");
  EXPECT_NE(text.find("Q4_0\n"), std::string::npos); // the base: the most common quantized type
}

TEST(PlanCli, QuantizeTakesTheRecipe) {
  const fs::path recipe = dir() / "recipe.json";
  test::CliRun r =
      runCli("plan " + model().string() +
             " --formats int8,int4 --target-bpw 11 --pin 'q_proj=int4' --keep lm_head --export quantscope "
             "--out " +
             recipe.string());
  ASSERT_EQ(r.status, 0) << r.err;
  const Recipe rec = recipeFromJson(readText(recipe), "recipe");
  const std::string name = "model.layers.0.self_attn.q_proj.weight";
  ASSERT_NE(rec.find(name), nullptr);
  EXPECT_EQ(rec.find(name)->config.format, "int4");

  r = runCli("quantize " + model().string() + " --tensor " + name + " --recipe " + recipe.string() +
             " --json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["config"],
            nlohmann::json::parse(configToJson(rec.find(name)->config, -1)));

  r = runCli("quantize " + model().string() + " --tensor lm_head.weight --recipe " + recipe.string());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("keeps tensor 'lm_head.weight'"), std::string::npos) << r.err;

  Recipe partial = rec;
  partial.tensors.erase(partial.tensors.begin() + 2);
  const fs::path partialPath = dir() / "partial_recipe.json";
  std::ofstream(partialPath) << recipeToJson(partial);
  r = runCli("quantize " + model().string() + " --tensor " + name + " --recipe " + partialPath.string());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("has no tensor '" + name + "'"), std::string::npos) << r.err;

  r = runCli("quantize " + model().string() + " --tensor " + name + " --recipe " + recipe.string() +
             " --format int8");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("drop --format"), std::string::npos) << r.err;
}

TEST(PlanCli, BadUsage) {
  const std::string m = model().string();
  struct Case {
    std::string args, message;
  };
  for (const Case& c : std::vector<Case>{
           {"plan " + m + " --formats q4_0", "exactly one of --target-bpw and --target-size"},
           {"plan " + m + " --formats q4_0 --target-bpw 5 --target-size 9", "exactly one of"},
           {"plan --formats q4_0 --target-bpw 5", "give MODEL"},
           {"plan " + m + " --target-bpw 5", "--formats is required"},
           {"plan " + m + " --formats q4_0 --target-bpw 5 --pin attn", "--pin needs REGEX=FORMAT"},
           {"plan " + m + " --formats q4_0 --target-bpw 5 --export gguf --out x", "--export takes"},
           {"plan " + m + " --formats q4_0 --target-bpw 5 --export aimet", "--export and --out go together"},
           {"plan " + m + " --formats q4_0 --target-bpw 1", "below the smallest plan"},
           {"plan " + m + " --formats q4_0,nope --target-bpw 5", "unknown format 'nope'"},
       }) {
    const test::CliRun r = runCli(c.args);
    EXPECT_EQ(r.status, 2) << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
  }
}

} // namespace
} // namespace qs
