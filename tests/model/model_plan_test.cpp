// planModel / planToJson (core/model/model_plan.h) on hand-made scans.
#include "core/error.h"
#include "core/model/model_plan.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>

namespace {

using namespace qs;

CandidateScore cand(const std::string& format, double bpe, int64_t params, double sse, double wsse = NAN) {
  CandidateScore c;
  c.format = format;
  c.bitsPerElement = bpe;
  c.bytes = bpe * double(params) / 8;
  c.sse = sse;
  c.weightedSse = wsse;
  return c;
}

ScannedTensor weight(const std::string& name, int64_t rows, int64_t cols, double sens) {
  ScannedTensor t;
  t.name = name;
  t.shape = {rows, cols};
  t.params = rows * cols;
  t.storedDtype = "float16";
  t.storedBytes = uint64_t(t.params) * 2;
  t.candidates = {cand("q4_0", 4.5, t.params, sens * 16), cand("q8_0", 8.5, t.params, sens * 1),
                  cand("fp16", 16, t.params, 0)};
  return t;
}

ScannedTensor vec(const std::string& name, int64_t n) {
  ScannedTensor t;
  t.name = name;
  t.shape = {n};
  t.params = n;
  t.storedDtype = "float32";
  t.storedBytes = uint64_t(n) * 4;
  t.keep = true;
  return t;
}

// 3 weights of 1024 params and a 64-element norm kept as float32.
ScanResult smallScan() {
  ScanResult s;
  s.model = "toy";
  s.formats = {"q4_0", "q8_0", "fp16"};
  s.tensors = {weight("blk.0.attn_q.weight", 32, 32, 1.0), vec("blk.0.attn_norm.weight", 64),
               weight("blk.0.ffn_down.weight", 32, 32, 4.0), weight("output.weight", 32, 32, 2.0)};
  return s;
}

constexpr double kParams = 3 * 1024 + 64;
constexpr double kNormBits = 64 * 32;

TEST(ModelPlan, EveryTensorCountsInTheBudget) {
  PlanRequest r;
  // q4_0 everywhere: 3·1024·4.5 + 2048 bits; one q8_0 upgrade costs 4096 bits.
  const double minBits = 3 * 1024 * 4.5 + kNormBits;
  r.targetBitsPerWeight = (minBits + 4096) / kParams;
  const ModelPlan p = planModel(smallScan(), r);
  ASSERT_EQ(p.tensors.size(), 4u);
  // The most sensitive tensor (ffn_down, error 64 → 4) takes the upgrade.
  EXPECT_EQ(p.tensors[0].format, "q4_0");
  EXPECT_EQ(p.tensors[1].format, "");
  EXPECT_DOUBLE_EQ(p.tensors[1].bits, kNormBits);
  EXPECT_EQ(p.tensors[2].format, "q8_0");
  EXPECT_EQ(p.tensors[3].format, "q4_0");
  EXPECT_DOUBLE_EQ(p.bitsPerWeight, (minBits + 4096) / kParams);
  EXPECT_DOUBLE_EQ(p.totalBytes, (minBits + 4096) / 8);
  EXPECT_DOUBLE_EQ(p.totalError, 16 + 4 + 32);
  EXPECT_LE(p.lowerBound, p.totalError);
  EXPECT_GE(p.greedyError, p.totalError);
  EXPECT_FALSE(p.weighted);
  // Pareto in bits per weight: from all-q4_0 to all-fp16.
  ASSERT_GE(p.pareto.size(), 2u);
  EXPECT_DOUBLE_EQ(p.pareto.front().bits, minBits / kParams);
  EXPECT_DOUBLE_EQ(p.pareto.front().error, 16 * 7);
  EXPECT_DOUBLE_EQ(p.pareto.back().bits, (3 * 1024 * 16 + kNormBits) / kParams);
  EXPECT_DOUBLE_EQ(p.pareto.back().error, 0);
}

TEST(ModelPlan, TargetBytesAndFormatSubset) {
  PlanRequest r;
  r.formats = {"Q8_0", "q4_0"}; // names as the registry knows them, any case
  r.targetBytes = 1e9;
  const ModelPlan p = planModel(smallScan(), r);
  for (const auto& t : p.tensors) {
    if (!t.format.empty()) {
      EXPECT_EQ(t.format, "q8_0") << t.name;
    }
  }
  EXPECT_DOUBLE_EQ(p.totalError, 7);
}

TEST(ModelPlan, PinsAndKeeps) {
  PlanRequest r;
  r.targetBitsPerWeight = 16;
  r.pins = {{"ffn_down", "q4_0"}, {"down|attn_q", "q8_0"}}; // the first matching pin wins
  r.keeps = {"^output\\."};
  const ModelPlan p = planModel(smallScan(), r);
  EXPECT_EQ(p.tensors[0].format, "q8_0");
  EXPECT_EQ(p.tensors[2].format, "q4_0");
  EXPECT_EQ(p.tensors[3].format, "");
  EXPECT_DOUBLE_EQ(p.tensors[3].bits, 1024 * 16); // stored float16
}

TEST(ModelPlan, WeightedErrorWithAnImatrix) {
  ScanResult s = smallScan();
  s.imatrix = "imatrix.gguf";
  for (auto& t : s.tensors)
    for (auto& c : t.candidates)
      c.weightedSse = c.sse * (t.name == "blk.0.attn_q.weight" ? 100 : 1);
  PlanRequest r;
  r.targetBitsPerWeight = (3 * 1024 * 4.5 + kNormBits + 4096) / kParams;
  ModelPlan p = planModel(s, r);
  EXPECT_TRUE(p.weighted);
  EXPECT_EQ(p.tensors[0].format, "q8_0"); // 1600 → 100 beats ffn_down's 64 → 4
  r.weighted = false;
  p = planModel(s, r);
  EXPECT_FALSE(p.weighted);
  EXPECT_EQ(p.tensors[2].format, "q8_0");
}

void expectError(const ScanResult& s, const PlanRequest& r, const std::string& part) {
  try {
    planModel(s, r);
    ADD_FAILURE() << "no error, expected one with '" << part << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(ModelPlan, ErrorsNameWhatIsWrong) {
  const ScanResult s = smallScan();
  PlanRequest r;
  expectError(s, r, "exactly one target");
  r.targetBitsPerWeight = 4.0; // below the smallest plan (≈ 4.9)
  expectError(s, r, "below the smallest plan");
  r.targetBitsPerWeight = 8;
  r.formats = {"int8"};
  expectError(s, r, "format 'int8' was not scanned");
  r.formats = {};
  r.pins = {{"attn_q", "int4"}};
  expectError(s, r, "pin 'attn_q=int4'");
  r.pins = {{"nothing_like_this", "q8_0"}};
  expectError(s, r, "matches no quantized tensor");
  r.pins = {{"(", "q8_0"}};
  expectError(s, r, "bad pin regex");
  r.pins = {{"ffn_down", "q8_0"}};
  r.keeps = {"ffn_down"};
  expectError(s, r, "blk.0.ffn_down.weight (kept and pinned");
  // A tensor no requested format can take.
  ScanResult bad = smallScan();
  bad.tensors[2].candidates[0].problem = "row length 30 is not a multiple of 32";
  bad.tensors[2].candidates[1].problem = "row length 30 is not a multiple of 32";
  PlanRequest q;
  q.targetBitsPerWeight = 8;
  q.formats = {"q4_0", "q8_0"};
  expectError(bad, q, "blk.0.ffn_down.weight (q4_0: row length 30");
  q.pins = {{"ffn_down", "q4_0"}};
  expectError(bad, q, "pinned by 'ffn_down=q4_0' to a format it cannot take");
}

TEST(ModelPlan, JsonHasExactlyTheSchema) {
  PlanRequest r;
  r.targetBitsPerWeight = 8;
  const ModelPlan p = planModel(smallScan(), r);
  const auto j = nlohmann::ordered_json::parse(planToJson(p));
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items())
    keys.push_back(k);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"schema", "model", "bits_per_weight", "total_bytes", "total_error",
                                      "lower_bound", "greedy_error", "weighted", "tensors", "pareto"}));
  EXPECT_EQ(j["schema"], "quantscope.plan/1");
  EXPECT_EQ(j["model"], "toy");
  EXPECT_DOUBLE_EQ(j["bits_per_weight"].get<double>(), p.bitsPerWeight);
  EXPECT_DOUBLE_EQ(j["total_error"].get<double>(), p.totalError);
  ASSERT_EQ(j["tensors"].size(), 4u);
  EXPECT_EQ(j["tensors"][1]["format"], "keep");
  EXPECT_DOUBLE_EQ(j["tensors"][1]["bits_per_element"].get<double>(), 32);
  EXPECT_DOUBLE_EQ(j["tensors"][0]["bits_per_element"].get<double>(), p.tensors[0].bits / 1024);
  std::vector<std::string> tkeys;
  for (const auto& [k, v] : j["tensors"][0].items())
    tkeys.push_back(k);
  EXPECT_EQ(tkeys, (std::vector<std::string>{"name", "format", "bits_per_element", "error"}));
  ASSERT_EQ(j["pareto"].size(), p.pareto.size());
  EXPECT_DOUBLE_EQ(j["pareto"][0]["bits_per_weight"].get<double>(), p.pareto[0].bits);
  EXPECT_DOUBLE_EQ(j["pareto"][0]["total_error"].get<double>(), p.pareto[0].error);
}

} // namespace
