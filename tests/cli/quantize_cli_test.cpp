// quantscope-cli quantize / sweep / demo / formats: the real binary on files
// written here, checking exit codes, JSON against the in-process engine, and
// one-line errors with exit code 2.
#include "core/pipeline/quantize.h"

#include "cli_run.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

namespace qs {
namespace {

using test::cliBinary;
using test::CliRun;
using test::runCli;

namespace fs = std::filesystem;

Tensor gaussian(Shape shape, uint32_t seed) {
  Tensor t;
  t.name = "w";
  t.shape = shape;
  std::mt19937 rng(seed);
  std::normal_distribution<float> d;
  t.values.resize(size_t(shapeNumel(shape)));
  for (float& v : t.values)
    v = d(rng);
  return t;
}

// A version 1.0 .npy file (little-endian float32, C order).
std::string writeNpy(const std::string& name, const Tensor& t) {
  std::string shape = "(";
  for (int64_t d : t.shape)
    shape += std::to_string(d) + ", ";
  shape += ")";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  const std::string path = std::string(QS_TEST_OUT_DIR) + "/" + name;
  std::ofstream f(path, std::ios::binary);
  f.write("\x93NUMPY\x01\x00", 8);
  const uint16_t len = uint16_t(header.size());
  f.write(reinterpret_cast<const char*>(&len), 2);
  f << header;
  f.write(reinterpret_cast<const char*>(t.values.data()), std::streamsize(t.values.size() * 4));
  return path;
}

// A safetensors file with two float32 tensors.
std::string writeTwoTensors() {
  const std::string json = R"({"alpha":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                           R"("beta":{"dtype":"F32","shape":[2,2],"data_offsets":[8,24]}})";
  const std::string path = std::string(QS_TEST_OUT_DIR) + "/quantize_cli_two.safetensors";
  std::ofstream f(path, std::ios::binary);
  const uint64_t n = json.size();
  f.write(reinterpret_cast<const char*>(&n), 8);
  f << json;
  const float v[6] = {1, -2, 0.5f, 0.25f, -4, 3};
  f.write(reinterpret_cast<const char*>(v), sizeof v);
  return path;
}

TEST(QuantizeCli, JsonMatchesTheEngine) {
  ASSERT_TRUE(fs::exists(cliBinary())) << cliBinary();
  const Tensor t = gaussian({32, 64}, 1);
  const std::string file = writeNpy("quantize_cli_w.npy", t);
  const CliRun r = runCli("quantize " + file + " --format int4 --granularity group --group-size 16 --json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  QuantConfig c;
  c.format = "int4";
  c.granularity = Granularity{GranularityKind::Group, kAutoAxis, 16};
  const auto ref = quantize(t, c);
  EXPECT_EQ(j["shape"], nlohmann::json({32, 64}));
  EXPECT_EQ(j["scale_shape"], nlohmann::json({32, 4}));
  EXPECT_EQ(j["config"]["schema"], "quantscope.config/2");
  EXPECT_EQ(j["granularity"]["axis"], 0); // the output-channel axis, resolved
  const auto& m = j["metrics"];
  EXPECT_DOUBLE_EQ(m["mse"].get<double>(), ref->metrics.mse);
  EXPECT_DOUBLE_EQ(m["sqnr_db"].get<double>(), ref->metrics.sqnrDb);
  EXPECT_DOUBLE_EQ(m["cosine"].get<double>(), ref->metrics.cosine);
  EXPECT_DOUBLE_EQ(m["bits_per_element"].get<double>(), 4 + 32.0 / 16);
  for (const char* k : {"rmse", "max_abs_error", "clipped_fraction", "code_entropy_bits"})
    EXPECT_TRUE(m.contains(k)) << k;
}

// HQQ through the CLI: the same numbers as the engine, float zero points in
// the result file, 64 bits of scale and zero per group.
TEST(QuantizeCli, HqqMatchesTheEngine) {
  const Tensor t = gaussian({16, 128}, 3);
  const std::string file = writeNpy("quantize_cli_hqq.npy", t);
  const std::string out = std::string(QS_TEST_OUT_DIR) + "/quantize_cli_hqq.safetensors";
  const CliRun r = runCli("quantize " + file +
                          " --format int3 --asymmetric --granularity group --group-size 32 --clip hqq "
                          "--hqq-iters 12 --hqq-p 0.6 --json --out " +
                          out);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  QuantConfig c;
  c.format = "int3";
  c.symmetric = false;
  c.granularity = Granularity{GranularityKind::Group, kAutoAxis, 32};
  c.clipping.method = ClipMethod::Hqq;
  c.clipping.hqqIterations = 12;
  c.clipping.hqqP = 0.6;
  const auto ref = quantize(t, c);
  EXPECT_EQ(j["config"]["clipping"]["method"], "hqq");
  EXPECT_EQ(j["config"]["clipping"]["hqq_iterations"], 12);
  EXPECT_DOUBLE_EQ(j["metrics"]["mse"].get<double>(), ref->metrics.mse);
  EXPECT_DOUBLE_EQ(j["metrics"]["bits_per_element"].get<double>(), 3 + 64.0 / 32);
  std::ifstream f(out, std::ios::binary);
  uint64_t headerSize = 0;
  f.read(reinterpret_cast<char*>(&headerSize), 8);
  std::string header(headerSize, ' ');
  f.read(header.data(), std::streamsize(headerSize));
  const auto h = nlohmann::json::parse(header);
  ASSERT_TRUE(h.contains("quantize_cli_hqq.zero_points")) << header;
  EXPECT_EQ(h["quantize_cli_hqq.zero_points"]["dtype"], "F32");
  EXPECT_EQ(h["quantize_cli_hqq.zero_points"]["shape"], nlohmann::json({16, 4}));
  const CliRun bad = runCli("quantize " + file + " --format int4 --clip hqq");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("asymmetric"), std::string::npos) << bad.err;
}

// A 1x1 conv weight [480, 240, 1, 1]: blocks and groups run along each output
// channel's 240 values, never along a size-1 axis.
TEST(QuantizeCli, ConvWeightsGroupAlongTheFlattenedRow) {
  const std::string file = writeNpy("quantize_cli_conv.npy", gaussian({480, 240, 1, 1}, 6));
  const CliRun mx = runCli("quantize " + file + " --format mxfp4 --json");
  ASSERT_EQ(mx.status, 0) << mx.err;
  const auto m = nlohmann::json::parse(mx.out);
  EXPECT_EQ(m["scale_shape"], nlohmann::json({480, 8}));
  EXPECT_DOUBLE_EQ(m["metrics"]["bits_per_element"].get<double>(), 8.0 * (32 * 4 + 8) / 240);
  EXPECT_NE(m["format_label"].get<std::string>().find("block 32 along rows of 240"), std::string::npos);
  const CliRun g = runCli("quantize " + file + " --format int4 --granularity group --json");
  ASSERT_EQ(g.status, 0) << g.err;
  const auto j = nlohmann::json::parse(g.out);
  EXPECT_EQ(j["granularity"]["group_size"], 128); // the format's usual group
  EXPECT_EQ(j["scale_shape"], nlohmann::json({480, 2}));
  EXPECT_LT(j["metrics"]["bits_per_element"].get<double>(), 4.5);
}

TEST(QuantizeCli, ReadableOutputAndOptions) {
  const std::string file = writeNpy("quantize_cli_r.npy", gaussian({16, 32}, 2));
  CliRun r = runCli("quantize " + file + " --format nf4 --clip percentile --percentile 99 --two-sided");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("sqnr (dB)"), std::string::npos);
  EXPECT_NE(r.out.find("NF4"), std::string::npos);
  r = runCli("quantize " + file + " --format fp32 --json"); // no error: sqnr is +inf, written as null
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(nlohmann::json::parse(r.out)["metrics"]["sqnr_db"].is_null());
  r = runCli("quantize " + file +
             " --format int8 --clip-min -1 --clip-max 1 --rounding stochastic --seed 3 --json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_GT(nlohmann::json::parse(r.out)["metrics"]["clipped_fraction"].get<double>(), 0.2);
}

TEST(QuantizeCli, TensorSelection) {
  const std::string file = writeTwoTensors();
  CliRun r = runCli("quantize " + file + " --format int8");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("quantscope-cli: error:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("alpha, beta"), std::string::npos) << r.err;
  r = runCli("quantize " + file + " --tensor beta --format int8 --json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["tensor"], "beta");
  r = runCli("quantize " + file + " --tensor gamma --format int8");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("no tensor named 'gamma'"), std::string::npos) << r.err;
}

TEST(QuantizeCli, ConfigFile) {
  const std::string file = writeNpy("quantize_cli_c.npy", gaussian({8, 8}, 3));
  const std::string good = std::string(QS_TEST_OUT_DIR) + "/quantize_cli_good.json";
  const std::string bad = std::string(QS_TEST_OUT_DIR) + "/quantize_cli_bad.json";
  std::ofstream(good)
      << R"({"schema": "quantscope.config/1", "format": "int2", "granularity": {"kind": "tensor"}})";
  std::ofstream(bad) << R"({"format": "int2", "clipping": {"methd": "kl"}})";
  CliRun r = runCli("quantize " + file + " --config " + good + " --json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["config"]["format"], "int2");
  EXPECT_EQ(nlohmann::json::parse(r.out)["scale_shape"], nlohmann::json({1}));
  r = runCli("quantize " + file + " --config " + good + " --format int8 --json"); // options override
  EXPECT_EQ(nlohmann::json::parse(r.out)["config"]["format"], "int8");
  r = runCli("quantize " + file + " --config " + bad);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown key 'clipping.methd'"), std::string::npos) << r.err;
}

TEST(QuantizeCli, BadInputIsOneLineAndExitTwo) {
  const std::string file = writeNpy("quantize_cli_b.npy", gaussian({4, 4}, 4));
  struct Case {
    std::string args, needle;
  } cases[] = {
      {"quantize /nonexistent/x.npy --format int8", "quantscope-cli: error:"},
      {"quantize " + file + " --format int99", "unknown format 'int99'"},
      {"quantize " + file + " --format int8 --granularity channel --axis 5", "axis 5 is out of range"},
      {"quantize " + file + " --format int8 --bogus", "unknown option '--bogus'"},
      {"quantize " + file, "--format is required"},
      {"quantize " + file + " --format int8 --percentile abc", "needs a number"},
      {"quantize " + file + " --format int8 --group-size", "needs a value"},
      {"frobnicate", "unknown command 'frobnicate'"},
      {"sweep " + file, "--formats is required"},
  };
  for (const Case& c : cases) {
    const CliRun r = runCli(c.args);
    EXPECT_EQ(r.status, 2) << c.args;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.args << "\n" << r.err;
  }
  EXPECT_EQ(runCli("quantize " + file + " --format int8 --bogus").err.find("usage:") == std::string::npos,
            false);
  EXPECT_EQ(runCli("").status, 2);
  EXPECT_EQ(runCli("--help").status, 0);
  EXPECT_EQ(runCli("quantize --help").status, 0);
}

TEST(QuantizeCli, SweepCsvAndJson) {
  const std::string file = writeNpy("quantize_cli_s.npy", gaussian({16, 64}, 5));
  CliRun r = runCli("sweep " + file + " --formats int8,int4,nf4,q4_0 --csv");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 5);
  EXPECT_EQ(r.out.rfind("format,config,bits/elem", 0), 0u) << r.out;
  r = runCli("sweep " + file + " --formats int8,int4 --granularity tensor --json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["results"].size(), 2u);
  EXPECT_GT(j["results"][0]["metrics"]["sqnr_db"].get<double>(),
            j["results"][1]["metrics"]["sqnr_db"].get<double>());
}

TEST(QuantizeCli, DemoAndFormats) {
  CliRun r = runCli("demo --rows 64 --cols 128");
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* k : {"gaussian", "llm_weight", "student_t3", "INT4 sym", "GGUF Q4_0", "MXFP4"})
    EXPECT_NE(r.out.find(k), std::string::npos) << k;
  r = runCli("formats");
  ASSERT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("nf4"), std::string::npos);
  r = runCli("formats --json");
  ASSERT_EQ(r.status, 0);
  EXPECT_GT(nlohmann::json::parse(r.out).size(), 30u);
}

} // namespace
} // namespace qs
