// The CLI side of block granularity and of comparing formats at equal bits
// per element: --granularity block --block RxC, `formats` with its bits per
// element, `sweep --sort bpe` and its Pareto column.
#include "core/demo/demo_tensors.h"
#include "core/io/tensor_writer.h"

#include "cli_run.h"

#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace qs {
namespace {

using test::runCli;

std::string weightFile() {
  static const std::string file = [] {
    Tensor t = makeDemoTensor(DemoKind::LlmWeight, {300, 200});
    const std::filesystem::path path = std::filesystem::path(QS_TEST_OUT_DIR) / "block_cli_w.safetensors";
    writeSafetensors(path, {floatArray("w", t.shape, t.values)}, {});
    return path.string();
  }();
  return file;
}

TEST(BlockCli, GranularityBlockWithItsTile) {
  test::CliRun r = runCli("quantize " + weightFile() +
                          " --format int4 --asymmetric --granularity block --block 128x64 --json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["granularity"]["kind"], "block");
  EXPECT_EQ(j["granularity"]["block_rows"], 128);
  EXPECT_EQ(j["granularity"]["block_cols"], 64);
  EXPECT_EQ(j["scale_shape"], nlohmann::json::parse("[3, 4]"));
  EXPECT_EQ(j["config"]["granularity"]["block_cols"], 64);
  // 4-bit codes plus an FP32 scale and a zero point per tile (12 tiles over 60000 values).
  const double bpe = j["metrics"]["bits_per_element"].get<double>();
  EXPECT_GT(bpe, 4.0);
  EXPECT_LT(bpe, 4.02);
  // fp8_block alone: 128 x 128 tiles.
  r = runCli("quantize " + weightFile() + " --format fp8_block --json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["scale_shape"], nlohmann::json::parse("[3, 2]"));
}

TEST(BlockCli, BadBlocksAreRefused) {
  const std::string q = "quantize " + weightFile() + " --format int8 --granularity block ";
  for (const char* bad : {"--block 128", "--block x", "--block 12xfour", "--block 0x4"}) {
    const test::CliRun r = runCli(q + bad);
    EXPECT_EQ(r.status, 2) << bad;
    EXPECT_NE(r.err.find("--block"), std::string::npos) << bad << ": " << r.err;
  }
  const test::CliRun r = runCli("quantize " + weightFile() + " --format mxfp4 --granularity block");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("fixed by the format"), std::string::npos) << r.err;
}

TEST(BlockCli, FormatsListBitsPerElement) {
  test::CliRun r = runCli("formats --json");
  ASSERT_EQ(r.status, 0) << r.err;
  std::map<std::string, nlohmann::json> byName;
  for (const auto& f : nlohmann::json::parse(r.out))
    byName[f["name"]] = f;
  EXPECT_DOUBLE_EQ(byName["fp8_block"]["usual_bits_per_element"].get<double>(), 8 + 32.0 / (128 * 128));
  EXPECT_EQ(byName["fp8_block"]["usual_scales"], "block 128x128");
  EXPECT_DOUBLE_EQ(byName["int4"]["usual_bits_per_element"].get<double>(), 4 + 32.0 / 128);
  EXPECT_EQ(byName["int4"]["usual_scales"], "group 128");
  EXPECT_DOUBLE_EQ(byName["nf4"]["usual_bits_per_element"].get<double>(), 4 + 32.0 / 64);
  EXPECT_DOUBLE_EQ(byName["mxfp4"]["usual_bits_per_element"].get<double>(), 4.25);
  EXPECT_DOUBLE_EQ(byName["gguf:q4_k"]["usual_bits_per_element"].get<double>(), 4.5);
  EXPECT_DOUBLE_EQ(byName["bf16"]["usual_bits_per_element"].get<double>(), 16);
  EXPECT_EQ(byName["bf16"]["usual_scales"], "none (cast)");
  r = runCli("formats --sort bpe");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("bits/elem"), std::string::npos);
  EXPECT_LT(r.out.find("mxfp4 "), r.out.find("q8_0 "));
  EXPECT_LT(r.out.find("q8_0 "), r.out.find("bf16 "));
  EXPECT_EQ(runCli("formats --sort name").status, 2);
}

TEST(BlockCli, SweepSortsByBitsAndMarksTheParetoFront) {
  const test::CliRun r =
      runCli("sweep " + weightFile() + " --formats q8_0,int4,fp8_block,mxfp8,int8,mxfp4 --sort bpe --json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out)["results"];
  ASSERT_EQ(rows.size(), 6u);
  double best = -1e300, previousBits = 0;
  for (const auto& row : rows) {
    const double bits = row["bits_per_element"].get<double>();
    const double sqnr = row["metrics"]["sqnr_db"].get<double>();
    EXPECT_GE(bits, previousBits) << row["format"];
    // Sorted by bits: a row is on the front exactly when it beats every cheaper row.
    EXPECT_EQ(row["pareto"].get<bool>(), sqnr > best) << row["format"];
    best = std::max(best, sqnr);
    previousBits = bits;
  }
  EXPECT_EQ(rows[0]["format"], "int4"); // 4 + 32/200 bits per element, per channel
  EXPECT_TRUE(rows[0]["pareto"].get<bool>());
  const test::CliRun table = runCli("sweep " + weightFile() + " --formats int8,fp8_block --sort bpe");
  ASSERT_EQ(table.status, 0) << table.err;
  EXPECT_NE(table.out.find("pareto"), std::string::npos);
  EXPECT_EQ(runCli("sweep " + weightFile() + " --formats int8 --sort size").status, 2);
}

} // namespace
} // namespace qs
