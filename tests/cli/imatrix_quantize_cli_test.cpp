// An importance matrix into the GGUF quantizers, end to end: quantize and
// sweep --imatrix attach the tensor's entry (by its own name or its GGUF name,
// one row of weights per expert), the scan quantizes its GGUF candidates with
// it, and both give exactly the error of llama.cpp's weighted quantizer run
// row by row in process (ggufQuantizeRowWeighted, bit-exact against the NumPy
// port in gguf_kquants_low_test); a missing or wrong-sized entry is a clear
// error. Fixtures: tests/data/scan_refs.py (scan_imatrix.*).
#include "core/formats/block_formats.h"
#include "core/io/imatrix.h"
#include "core/io/tensor_source.h"
#include "core/model/scan.h"
#include "core/model/tensor_importance.h"
#include "core/pipeline/quantize.h"
#include "tests/io/io_test_util.h"

#include "cli_run.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>

namespace qs {
namespace {

using test::runCli;

std::filesystem::path refs() {
  return test::generateFixtures("scan_refs.py", "scan_refs");
}

// Σ (x - q)² of llama.cpp's quantize_<type>(…, quant_weights) applied to each
// row of the tensor's last axis, row r of expert e taking weights row e.
double llamaWeightedSse(const Tensor& t, GgufType type, const std::vector<float>& weights) {
  const int64_t cols = t.shape.back();
  const int64_t rows = t.numel() / cols;
  const int64_t perExpert = t.shape.size() == 3 ? t.shape[1] : rows;
  const GgufTypeInfo& info = ggufTypeInfo(type);
  std::vector<uint8_t> blocks(size_t(cols / info.blockElements * info.blockBytes));
  std::vector<float> q(static_cast<size_t>(cols));
  double sse = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = t.values.data() + r * cols;
    ggufQuantizeRowWeighted(type, x, blocks.data(), cols, weights.data() + (r / perExpert) * cols);
    ggufDequantizeRow(type, blocks.data(), q.data(), cols);
    for (int64_t j = 0; j < cols; ++j)
      sse += (double(x[j]) - q[size_t(j)]) * (double(x[j]) - q[size_t(j)]);
  }
  return sse;
}

const ImatrixEntry& entryOf(const Imatrix& m, const std::string& name) {
  const ImatrixEntry* e = m.find(name);
  if (!e)
    throw Error("fixture: no entry " + name);
  return *e;
}

TEST(ImatrixQuantize, ScanQuantizesGgufCandidatesWithTheImatrix) {
  const auto src = openTensorFile(refs() / "scan_imatrix.safetensors");
  const Imatrix imatrix = readImatrix(refs() / "scan_imatrix.dat");
  ScanOptions o;
  o.formats = {"q4_0", "q5_1", "int8"};
  o.imatrix = &imatrix;
  const ScanResult withImatrix = scanModel(*src, o);
  o.imatrix = nullptr;
  const ScanResult plain = scanModel(*src, o);
  // HF name matched through its GGUF name, and a 3-D expert stack.
  const std::pair<const char*, const char*> cases[] = {
      {"model.layers.0.self_attn.q_proj.weight", "blk.0.attn_q.weight"},
      {"blk.1.ffn_up_exps.weight", "blk.1.ffn_up_exps.weight"}};
  for (const auto& [name, entry] : cases) {
    SCOPED_TRACE(name);
    const Tensor t = src->read(name);
    auto find = [&](const ScanResult& s) {
      for (const ScannedTensor& st : s.tensors)
        if (st.name == name)
          return &st;
      throw Error("no tensor");
    };
    const ScannedTensor& w = *find(withImatrix);
    const ScannedTensor& p = *find(plain);
    ASSERT_EQ(w.candidates.size(), 3u);
    const std::vector<float>& weights = entryOf(imatrix, entry).weights;
    const double q40 = llamaWeightedSse(t, GgufType::Q4_0, weights);
    const double q51 = llamaWeightedSse(t, GgufType::Q5_1, weights);
    EXPECT_NEAR(w.candidates[0].sse, q40, 1e-9 * q40);
    EXPECT_NEAR(w.candidates[1].sse, q51, 1e-9 * q51);
    EXPECT_NE(w.candidates[0].sse, p.candidates[0].sse); // the weighted path, not the reference one
    EXPECT_EQ(w.candidates[2].sse, p.candidates[2].sse); // INT8 has no weighted quantizer
  }
}

TEST(ImatrixQuantize, QuantizeAndSweepAttachTheEntry) {
  const std::string file = (refs() / "scan_imatrix.safetensors").string();
  const std::string dat = (refs() / "scan_imatrix.dat").string();
  const std::string name = "model.layers.0.self_attn.q_proj.weight";
  const auto r =
      runCli("quantize " + file + " --tensor " + name + " --format q4_0 --imatrix " + dat + " --json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_NE(j["format_label"].get<std::string>().find("· imatrix"), std::string::npos) << j["format_label"];
  Tensor t = openTensorFile(file)->read(name);
  const Imatrix imatrix = readImatrix(dat);
  const double sse = llamaWeightedSse(t, GgufType::Q4_0, entryOf(imatrix, "blk.0.attn_q.weight").weights);
  const double mse = j["metrics"]["mse"].get<double>();
  EXPECT_NEAR(mse, sse / double(t.numel()), 1e-9 * mse);

  const auto plain = runCli("quantize " + file + " --tensor " + name + " --format q4_0 --json");
  ASSERT_EQ(plain.status, 0) << plain.err;
  EXPECT_NE(nlohmann::json::parse(plain.out)["metrics"]["mse"].get<double>(), mse);

  const auto s =
      runCli("sweep " + file + " --tensor " + name + " --formats q4_0,int8 --imatrix " + dat + " --json");
  ASSERT_EQ(s.status, 0) << s.err;
  const auto rows = nlohmann::json::parse(s.out)["results"];
  ASSERT_TRUE(rows.is_array());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_DOUBLE_EQ(rows[0]["metrics"]["mse"].get<double>(), mse);
  EXPECT_EQ(rows[1]["format_label"].get<std::string>().find("imatrix"), std::string::npos);
}

TEST(ImatrixQuantize, MissingOrWrongSizedEntryIsAnError) {
  const std::string file = (refs() / "scan_imatrix.safetensors").string();
  const std::string dat = (refs() / "scan_imatrix.dat").string();
  const auto missing = runCli("quantize " + file +
                              " --tensor model.layers.1.mlp.down_proj.weight --format q4_k "
                              "--imatrix " +
                              dat);
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("tensor 'model.layers.1.mlp.down_proj.weight' [32, 64]: not in the imatrix"),
            std::string::npos)
      << missing.err;
  const auto wrong =
      runCli("quantize " + file + " --tensor blk.2.attn_k.weight --format q4_0 --imatrix " + dat);
  EXPECT_EQ(wrong.status, 2);
  EXPECT_NE(wrong.err.find("sizes differ: the imatrix entry 'blk.2.attn_k.weight' has 48 weights"),
            std::string::npos)
      << wrong.err;
  EXPECT_EQ(runCli("quantize " + file + " --tensor blk.2.attn_k.weight --format q4_0 --imatrix").status, 2);

  Tensor t = openTensorFile(file)->read("blk.2.attn_k.weight");
  EXPECT_THROW(attachImportance(t, readImatrix(dat)), Error);
  EXPECT_FALSE(t.importance);
}

} // namespace
} // namespace qs
