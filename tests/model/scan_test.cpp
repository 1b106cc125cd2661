// The model scan: every tensor × candidate against NumPy references from the
// metric definitions (tests/data/scan_refs.py), the same numbers as the
// single-tensor quantize(), kept tensors, refused candidates, filters, cancel
// and the scan JSON round trip.
#include "core/error.h"
#include "core/io/imatrix.h"
#include "core/io/tensor_source.h"
#include "core/model/scan.h"
#include "core/pipeline/quantize.h"
#include "tests/io/io_test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

namespace qs {
namespace {

std::filesystem::path refs() {
  return test::generateFixtures("scan_refs.py", "scan_refs");
}

std::unique_ptr<TensorSource> model() {
  return openTensorFile(refs() / "scan_model.safetensors");
}

nlohmann::json references() {
  std::ifstream in(refs() / "scan_refs.json");
  return nlohmann::json::parse(in);
}

const ScannedTensor& byName(const ScanResult& s, const std::string& name) {
  for (const ScannedTensor& t : s.tensors)
    if (t.name == name)
      return t;
  throw Error("no tensor " + name);
}

void expectNear(double got, double want, double rel, const std::string& what) {
  EXPECT_NEAR(got, want, std::abs(want) * rel + 1e-300) << what;
}

ScanOptions options(std::vector<std::string> formats, std::optional<Granularity> g = std::nullopt) {
  ScanOptions o;
  o.formats = std::move(formats);
  o.base.granularity = g;
  return o;
}

TEST(Scan, MetricsMatchNumPyPerTensorAndCandidate) {
  const auto src = model();
  const nlohmann::json ref = references();
  const ScanResult perChannel = scanModel(*src, options({"int8"}));
  const ScanResult grouped =
      scanModel(*src, options({"int4"}, Granularity{GranularityKind::Group, kAutoAxis, 128}));
  for (const auto& [name, r] : ref.items()) {
    for (const auto& [scan, format] : {std::pair{&perChannel, "int8"}, std::pair{&grouped, "int4"}}) {
      const ScannedTensor& t = byName(*scan, name);
      ASSERT_FALSE(t.keep) << name;
      ASSERT_EQ(t.candidates.size(), 1u);
      const CandidateScore& c = t.candidates[0];
      ASSERT_TRUE(c.ok()) << c.problem;
      const nlohmann::json& m = r[format];
      const std::string what = name + " " + format;
      expectNear(c.sse, m["sse"], 1e-9, what + " sse");
      expectNear(c.mse, m["mse"], 1e-9, what + " mse");
      expectNear(c.sqnrDb, m["sqnr_db"], 1e-10, what + " sqnr");
      expectNear(c.relError, m["rel_error"], 1e-9, what + " rel");
      expectNear(c.cosine, m["cosine"], 1e-12, what + " cosine");
      expectNear(c.maxAbsError, m["max_abs_error"], 1e-6, what + " max");
      expectNear(c.bitsPerElement, m["bits_per_element"], 1e-12, what + " bpe");
      expectNear(c.bytes, c.bitsPerElement * double(t.params) / 8, 1e-12, what + " bytes");
      EXPECT_TRUE(std::isnan(c.weightedSse)) << "no imatrix: no weighted error";
    }
    const ScannedTensor& t = byName(perChannel, name);
    const nlohmann::json& st = r["stats"];
    expectNear(t.absMax, st["absmax"], 1e-7, name + " absmax");
    expectNear(t.stdDev, st["std"], 1e-9, name + " std");
    expectNear(t.kurtosis, st["kurtosis"], 1e-7, name + " kurtosis");
    EXPECT_EQ(t.outlierChannels, st["outlier_channels"].get<int64_t>()) << name;
  }
  EXPECT_EQ(byName(perChannel, "model.layers.0.mlp.down_proj.weight").outlierChannels, 3);
}

TEST(Scan, AgreesWithTheSingleTensorQuantizer) {
  const auto src = model();
  const ScanResult s = scanModel(*src, options({"q4_0", "nf4", "fp8_e4m3", "mxfp4"}));
  const ScannedTensor& t = byName(s, "model.layers.1.mlp.up_proj.weight"); // rows of 96: whole blocks of 32
  const Tensor x = src->read(t.name);
  for (const CandidateScore& c : t.candidates) {
    ASSERT_TRUE(c.ok()) << c.format << ": " << c.problem;
    QuantConfig cfg;
    cfg.format = c.format;
    const auto r = quantize(x, cfg);
    expectNear(c.sqnrDb, r->metrics.sqnrDb, 1e-9, c.format);
    expectNear(c.mse, r->metrics.mse, 1e-9, c.format);
    expectNear(c.cosine, r->metrics.cosine, 1e-12, c.format);
    expectNear(c.maxAbsError, r->metrics.maxAbsError, 0, c.format);
    EXPECT_EQ(c.bitsPerElement, r->metrics.bitsPerElement) << c.format;
  }
}

TEST(Scan, KeepsVectorsAndIntegersAndNamesRoles) {
  const auto src = model();
  const ScanResult s = scanModel(*src, options({"int8"}));
  ASSERT_EQ(s.tensors.size(), 6u);
  EXPECT_TRUE(s.complete);
  const ScannedTensor& norm = byName(s, "model.layers.0.input_layernorm.weight");
  EXPECT_TRUE(norm.keep);
  EXPECT_EQ(norm.keepReason, "a vector (bias or norm)");
  EXPECT_TRUE(norm.candidates.empty());
  EXPECT_EQ(norm.storedBytes, 96u * 4);
  const ScannedTensor& ids = byName(s, "position_ids");
  EXPECT_TRUE(ids.keep);
  EXPECT_EQ(ids.keepReason, "integer data (int64)");
  const ScannedTensor& q = byName(s, "model.layers.0.self_attn.q_proj.weight");
  EXPECT_EQ(q.role.role, "attn_q");
  EXPECT_EQ(q.role.block, 0);
  EXPECT_EQ(q.role.ggufName, "blk.0.attn_q.weight");
  EXPECT_EQ(q.storedBytes, 96u * 96 * 2);
  EXPECT_EQ(byName(s, "model.embed_tokens.weight").role.ggufName, "token_embd.weight");
  EXPECT_EQ(s.totalParams(), 64 * 96 + 96 * 96 + 96 * 200 + 96 + 200 * 96 + 16);
}

TEST(Scan, RefusesBlocksThatDoNotDivideTheRows) {
  const auto src = model();
  const ScanResult s = scanModel(*src, options({"q4_k", "q8_0"}));
  const ScannedTensor& up = byName(s, "model.layers.1.mlp.up_proj.weight"); // rows of 96
  EXPECT_EQ(up.candidates[0].problem, "rows of 96 are not a multiple of q4_k's block of 256");
  EXPECT_TRUE(up.candidates[1].ok()) << up.candidates[1].problem;
}

TEST(Scan, FiltersCancelsAndReportsProgress) {
  const auto src = model();
  ScanOptions o = options({"int8"});
  o.include = R"(layers\.\d+\.mlp)";
  o.exclude = "up_proj";
  ScanResult s = scanModel(*src, o);
  ASSERT_EQ(s.tensors.size(), 1u);
  EXPECT_EQ(s.tensors[0].name, "model.layers.0.mlp.down_proj.weight");

  std::atomic<bool> cancel{false};
  std::vector<size_t> seen;
  s = scanModel(*src, options({"int8"}), &cancel, [&](const ScannedTensor&, size_t done, size_t total) {
    EXPECT_EQ(total, 6u);
    seen.push_back(done);
    if (done == 2)
      cancel = true;
  });
  EXPECT_FALSE(s.complete);
  EXPECT_EQ(s.tensors.size(), 2u);
  EXPECT_EQ(seen, (std::vector<size_t>{1, 2}));

  o.include = "(";
  EXPECT_THROW(scanModel(*src, o), Error);
  EXPECT_THROW(scanModel(*src, options({"int9x"})), Error);
}

TEST(Scan, WeighsErrorsByTheImatrixAsLlamaCppDoes) {
  const auto src = openTensorFile(refs() / "scan_imatrix.safetensors");
  const Imatrix imatrix = readImatrix(refs() / "scan_imatrix.dat");
  std::ifstream in(refs() / "scan_imatrix_refs.json");
  const nlohmann::json ref = nlohmann::json::parse(in);
  ScanOptions o = options({"int8"});
  o.imatrix = &imatrix;
  const ScanResult s = scanModel(*src, o);
  EXPECT_EQ(s.imatrix, (refs() / "scan_imatrix.dat").string());
  for (const auto& [name, r] : ref.items()) {
    const ScannedTensor& t = byName(s, name);
    expectNear(t.candidates[0].sse, r["sse"], 1e-9, name + " sse");
    expectNear(t.candidates[0].weightedSse, r["weighted_sse"], 1e-9, name + " weighted");
  }
  EXPECT_EQ(byName(s, "model.layers.0.self_attn.q_proj.weight").imatrixNote, "") << "found by its GGUF name";
  EXPECT_EQ(byName(s, "blk.1.ffn_up_exps.weight").imatrixNote, "") << "one row of weights per expert";
  EXPECT_EQ(byName(s, "model.layers.1.mlp.down_proj.weight").imatrixNote,
            "not in the imatrix: its error is weighted by the imatrix's mean weight");
  EXPECT_EQ(
      byName(s, "blk.2.attn_k.weight").imatrixNote,
      "the imatrix entry 'blk.2.attn_k.weight' has 48 weights, the tensor [16, 64] needs 64: its error is "
      "weighted by the imatrix's mean weight");
}

TEST(Scan, RefusesAnImatrixOfAnotherModel) {
  const Imatrix imatrix = readImatrix(refs() / "scan_imatrix.dat");
  ScanOptions o = options({"int8"});
  o.imatrix = &imatrix;
  o.include = "mlp|embed"; // q_proj is blk.0.attn_q, which the imatrix has
  try {                    // names: the other tensors are not in this imatrix
    scanModel(*model(), o);
    FAIL() << "an imatrix naming none of the tensors must be refused";
  } catch (const Error& e) {
    EXPECT_NE(
        std::string(e.what()).find("the imatrix names none of the model's 3 weight tensors (its first entry: "
                                   "'blk.0.attn_q.weight'): is it for another model?"),
        std::string::npos)
        << e.what();
  }
  o.include = "attn_k"; // sizes: only the entry sized for another tensor is left
  try {
    scanModel(*openTensorFile(refs() / "scan_imatrix.safetensors"), o);
    FAIL() << "an imatrix whose entries all have other sizes must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("every tensor the imatrix names has another size in the model (the "
                                         "imatrix entry 'blk.2.attn_k.weight' has 48 weights"),
              std::string::npos)
        << e.what();
  }
}

TEST(Scan, AxisOverridesReachTheQuantizer) {
  const auto src = model();
  ScanOptions o = options({"int8"});
  o.include = "down_proj";
  o.axes = {{"down_proj", -1}};
  const ScanResult s = scanModel(*src, o);
  ASSERT_EQ(s.tensors.size(), 1u);
  const ScannedTensor& t = s.tensors[0]; // [96, 200]: now 200 channels along axis 1
  EXPECT_EQ(t.layout.outAxis, 1);
  EXPECT_EQ(t.layout.reason, "set for tensors matching 'down_proj'");
  Tensor x = src->read(t.name);
  QuantConfig cfg;
  cfg.granularity = Granularity{GranularityKind::Channel, 1, 128};
  const auto r = quantize(x, cfg);
  EXPECT_EQ(r->scales.size(), 200u);
  expectNear(t.candidates[0].mse, r->metrics.mse, 1e-9, "per channel along axis 1");
  o.axes = {{"down_proj", 2}};
  EXPECT_THROW(scanModel(*src, o), Error);
}

TEST(Scan, JsonRoundTrips) {
  const auto src = model();
  const ScanResult s = scanModel(*src, options({"int8", "q4_k"}));
  const std::string text = scanToJson(s);
  const nlohmann::json j = nlohmann::json::parse(text);
  EXPECT_EQ(j["schema"], "quantscope.scan/1");
  EXPECT_EQ(j["tensors"][1]["candidates"]["int8"]["bits_per_element"].get<double>(),
            s.tensors[1].candidates[0].bitsPerElement);
  const ScanResult back = scanFromJson(text, "scan.json");
  ASSERT_EQ(back.tensors.size(), s.tensors.size());
  EXPECT_EQ(back.formats, s.formats);
  EXPECT_EQ(back.base, s.base);
  for (size_t i = 0; i < s.tensors.size(); ++i) {
    EXPECT_EQ(back.tensors[i].name, s.tensors[i].name);
    EXPECT_EQ(back.tensors[i].keep, s.tensors[i].keep);
    EXPECT_EQ(back.tensors[i].storedBytes, s.tensors[i].storedBytes);
    ASSERT_EQ(back.tensors[i].candidates.size(), s.tensors[i].candidates.size());
    for (size_t k = 0; k < s.tensors[i].candidates.size(); ++k) {
      EXPECT_EQ(back.tensors[i].candidates[k].problem, s.tensors[i].candidates[k].problem);
      EXPECT_EQ(back.tensors[i].candidates[k].sse, s.tensors[i].candidates[k].sse);
    }
  }
  EXPECT_THROW(scanFromJson("{\"schema\": \"quantscope.plan/1\"}", "x.json"), Error);
  try {
    scanFromJson(R"({"schema": "quantscope.scan/1", "model": "m", "formats": ["int8"],
                     "tensors": [{"name": "a", "shape": [2, 2], "stored_bytes": 16, "candidates": {}}]})",
                 "x.json");
    FAIL() << "a tensor without its candidate must be refused";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "x.json: tensors[0].candidates: no result for format 'int8'");
  }
}

} // namespace
} // namespace qs
