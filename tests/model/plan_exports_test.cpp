// The compressed-tensors, AIMET and QuantScope exports of a plan
// (core/model/export_compressed_tensors.h, export_aimet.h, recipe.h). AIMET's
// scales are checked against tests/data/make_plan_fixtures.py, which computes
// them with NumPy from the definitions.
#include "core/error.h"
#include "core/io/tensor_source.h"
#include "core/model/export_aimet.h"
#include "core/model/export_compressed_tensors.h"
#include "core/model/recipe.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

using namespace qs;
using nlohmann::json;

std::filesystem::path fixtures() {
  static const std::filesystem::path dir = [] {
    const std::filesystem::path d = std::filesystem::path(QS_TEST_OUT_DIR) / "plan_exports";
    const std::string cmd =
        std::string(QS_PYTHON) + " " + QS_SOURCE_DIR + "/tests/data/make_plan_fixtures.py " + d.string();
    if (std::system(cmd.c_str()) != 0)
      throw std::runtime_error("fixture generator failed: " + cmd);
    return d;
  }();
  return dir;
}

json readJson(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return json::parse(s.str());
}

ScannedTensor tensor(const std::string& name, Shape shape) {
  ScannedTensor t;
  t.name = name;
  t.shape = shape;
  t.params = 1;
  for (int64_t d : shape)
    t.params *= d;
  t.storedDtype = "float32";
  t.keep = shape.size() < 2;
  return t;
}

ScanResult hfScan() {
  ScanResult s;
  s.model = "toy";
  s.tensors = {tensor("model.embed_tokens.weight", {64, 32}),
               tensor("model.layers.0.input_layernorm.weight", {32}),
               tensor("model.layers.0.self_attn.q_proj.weight", {32, 32}),
               tensor("model.layers.0.self_attn.k_proj.weight", {32, 32}),
               tensor("model.layers.0.mlp.down_proj.weight", {32, 64}),
               tensor("model.layers.1.self_attn.q_proj.weight", {32, 32}),
               tensor("model.layers.1.mlp.down_proj.weight", {32, 64}),
               tensor("model.norm.weight", {32}),
               tensor("lm_head.weight", {64, 32})};
  return s;
}

ModelPlan planOf(const ScanResult& scan, const QuantConfig& base, const std::vector<std::string>& formats) {
  ModelPlan p;
  p.model = scan.model;
  p.base = base;
  for (size_t i = 0; i < scan.tensors.size(); ++i)
    p.tensors.push_back({scan.tensors[i].name, formats[i], scan.tensors[i].params, 0, 0});
  return p;
}

const std::vector<std::string> kMixed = {"", "", "int8", "int4", "int4", "int8", "int4", "", ""};

TEST(CompressedTensorsExport, GroupsByScheme) {
  QuantConfig base;
  base.granularity = Granularity{GranularityKind::Group, kAutoAxis, 16};
  const ScanResult scan = hfScan();
  const json j = json::parse(exportCompressedTensors(planOf(scan, base, kMixed), scan));
  const json& q = j.at("quantization_config");
  EXPECT_EQ(q["quant_method"], "compressed-tensors");
  EXPECT_EQ(q["format"], "mixed-precision");
  EXPECT_EQ(q["quantization_status"], "compressed");
  ASSERT_EQ(q["config_groups"].size(), 2u);
  const json& g0 = q["config_groups"]["group_0"];
  EXPECT_EQ(g0["targets"], json({"model.layers.0.self_attn.q_proj", "model.layers.1.self_attn.q_proj"}));
  EXPECT_EQ(g0["format"], "int-quantized");
  EXPECT_EQ(g0["weights"]["num_bits"], 8);
  EXPECT_EQ(g0["weights"]["type"], "int");
  EXPECT_EQ(g0["weights"]["symmetric"], true);
  EXPECT_EQ(g0["weights"]["strategy"], "group");
  EXPECT_EQ(g0["weights"]["group_size"], 16);
  EXPECT_EQ(g0["weights"]["dynamic"], false);
  EXPECT_TRUE(g0["input_activations"].is_null());
  const json& g1 = q["config_groups"]["group_1"];
  EXPECT_EQ(g1["targets"], json({"model.layers.0.self_attn.k_proj", "model.layers.0.mlp.down_proj",
                                 "model.layers.1.mlp.down_proj"}));
  EXPECT_EQ(g1["format"], "pack-quantized");
  EXPECT_EQ(g1["weights"]["num_bits"], 4);
  EXPECT_EQ(q["ignore"], json({"model.embed_tokens", "lm_head"}));
}

TEST(CompressedTensorsExport, Fp8PerChannelAndOneFormat) {
  QuantConfig base;
  base.format = "fp8_e4m3";
  base.granularity = Granularity{GranularityKind::Channel, kAutoAxis, 128};
  const ScanResult scan = hfScan();
  std::vector<std::string> f(scan.tensors.size(), "");
  f[2] = f[3] = "fp8_e4m3";
  const json q = json::parse(exportCompressedTensors(planOf(scan, base, f), scan)).at("quantization_config");
  EXPECT_EQ(q["format"], "float-quantized");
  const json& w = q["config_groups"]["group_0"]["weights"];
  EXPECT_EQ(w["type"], "float");
  EXPECT_EQ(w["num_bits"], 8);
  EXPECT_EQ(w["strategy"], "channel");
  EXPECT_TRUE(w["group_size"].is_null());
  EXPECT_TRUE(q["config_groups"]["group_0"]["format"].is_null());
}

TEST(CompressedTensorsExport, UnsupportedFormatsNameTheTensors) {
  const ScanResult scan = hfScan();
  std::vector<std::string> f = kMixed;
  f[5] = "q4_0";
  try {
    exportCompressedTensors(planOf(scan, QuantConfig{}, f), scan);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.layers.1.self_attn.q_proj.weight (q4_0"), std::string::npos)
        << e.what();
  }
  QuantConfig perTensor;
  perTensor.granularity = Granularity{GranularityKind::Tensor, kAutoAxis, 128};
  EXPECT_THROW(exportCompressedTensors(planOf(scan, perTensor, kMixed), scan), Error); // INT per tensor
}

void expectEncodings(const json& got, const json& want, const std::string& name) {
  ASSERT_EQ(got.size(), want.size()) << name;
  for (size_t c = 0; c < got.size(); ++c) {
    SCOPED_TRACE(name + " channel " + std::to_string(c));
    EXPECT_EQ(got[c]["bitwidth"], want[c]["bitwidth"]);
    EXPECT_EQ(got[c]["dtype"], "int");
    EXPECT_EQ(got[c]["is_symmetric"], want[c]["is_symmetric"]);
    EXPECT_EQ(got[c]["offset"], want[c]["offset"]);
    EXPECT_FLOAT_EQ(float(got[c]["scale"].get<double>()), float(want[c]["scale"].get<double>()));
    const double mn = want[c]["min"], mx = want[c]["max"];
    EXPECT_NEAR(got[c]["min"].get<double>(), mn, 1e-6 * std::fabs(mn) + 1e-30);
    EXPECT_NEAR(got[c]["max"].get<double>(), mx, 1e-6 * std::fabs(mx) + 1e-30);
  }
}

void checkAimet(bool symmetric) {
  const auto dir = fixtures();
  const json ref = readJson(dir / "aimet_ref.json");
  const auto source = openTensorFile(dir / "model.safetensors");
  QuantConfig base;
  base.symmetric = symmetric; // default granularity: per output channel
  const ScanResult scan = hfScan();
  const json j = json::parse(exportAimet(planOf(scan, base, kMixed), *source));
  EXPECT_EQ(j["version"], "0.6.1");
  EXPECT_TRUE(j["activation_encodings"].is_object());
  const json& p = j["param_encodings"];
  EXPECT_EQ(p.size(), 5u); // kept tensors have no encoding
  const std::string sfx = symmetric ? "_sym" : "_asym";
  for (size_t i = 0; i < scan.tensors.size(); ++i) {
    if (kMixed[i].empty())
      continue;
    const std::string& name = scan.tensors[i].name;
    ASSERT_TRUE(p.contains(name)) << name;
    expectEncodings(p[name], ref[kMixed[i] + sfx][name], name);
  }
}

TEST(AimetExport, SymmetricScalesMatchTheDefinition) {
  checkAimet(true);
}

TEST(AimetExport, AffineScalesAndOffsetsMatchTheDefinition) {
  checkAimet(false);
}

TEST(AimetExport, OnlyIntPerTensorOrChannel) {
  const auto source = openTensorFile(fixtures() / "model.safetensors");
  const ScanResult scan = hfScan();
  std::vector<std::string> f = kMixed;
  f[4] = "fp8_e4m3";
  try {
    exportAimet(planOf(scan, QuantConfig{}, f), *source);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.layers.0.mlp.down_proj.weight (fp8_e4m3"), std::string::npos)
        << e.what();
  }
  QuantConfig group;
  group.granularity = Granularity{GranularityKind::Group, kAutoAxis, 16};
  EXPECT_THROW(exportAimet(planOf(scan, group, kMixed), *source), Error);
}

TEST(Recipe, RoundTrip) {
  QuantConfig base;
  base.symmetric = false;
  base.granularity = Granularity{GranularityKind::Group, kAutoAxis, 64};
  base.clipping.method = ClipMethod::Percentile;
  base.clipping.percentile = 99.5;
  const ScanResult scan = hfScan();
  const Recipe r = recipeFromPlan(planOf(scan, base, kMixed));
  ASSERT_EQ(r.tensors.size(), scan.tensors.size());
  EXPECT_TRUE(r.tensors[0].keep);
  EXPECT_EQ(r.tensors[3].config.format, "int4");
  EXPECT_EQ(r.tensors[3].config.granularity->groupSize, 64);
  const std::string text = recipeToJson(r);
  const json j = json::parse(text);
  EXPECT_EQ(j["schema"], "quantscope.recipe/1");
  EXPECT_EQ(j["tensors"][0], json({{"name", "model.embed_tokens.weight"}, {"keep", true}}));
  EXPECT_EQ(j["tensors"][2]["config"], json::parse(configToJson(r.tensors[2].config)));
  const Recipe back = recipeFromJson(text, "r.json");
  EXPECT_EQ(back, r);
  ASSERT_NE(back.find("lm_head.weight"), nullptr);
  EXPECT_EQ(back.find("nope"), nullptr);
}

TEST(Recipe, MalformedFilesAreNamedErrors) {
  auto expectError = [](const std::string& text, const std::string& part) {
    try {
      recipeFromJson(text, "bad.json");
      ADD_FAILURE() << text;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("bad.json"), std::string::npos) << e.what();
    }
  };
  expectError("{", "invalid JSON");
  expectError(R"({"schema": "quantscope.plan/1", "tensors": []})", "unsupported schema");
  expectError(R"({"schema": "quantscope.recipe/1"})", "\"tensors\" must be an array");
  expectError(
      R"({"schema": "quantscope.recipe/1", "tensors": [{"name": "a", "keep": true}, {"name": "a", "keep": true}]})",
      "appears twice");
  expectError(R"({"schema": "quantscope.recipe/1", "tensors": [{"name": "a"}]})", "exactly one of");
  expectError(R"({"schema": "quantscope.recipe/1", "tensors": [{"name": "a", "config": {"format": 3}}]})",
              "tensor 'a'");
  expectError(R"({"schema": "quantscope.recipe/1", "tensors": [{"name": "a", "keep": true, "x": 1}]})",
              "unknown key 'x'");
}

} // namespace
