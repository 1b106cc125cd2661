// quantscope-cli quantize --out / --metrics-out and sweep --metrics-out: the
// real binary on a NumPy-written fixture; the result files are read back with
// the in-process readers (bit-exact against qs::quantize) and with h5py, which
// recomputes the dequantized values from codes, scales and zero points.
#include "core/io/tensor_source.h"
#include "core/pipeline/quantize.h"

#include "cli_run.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace qs {
namespace {

using test::cliBinary;
using test::CliRun;
using test::runCli;

namespace fs = std::filesystem;

const fs::path kOut = fs::path(QS_TEST_OUT_DIR) / "result_out_cli";

int runPython(const std::string& script) {
  const fs::path py = kOut / "check.py";
  std::ofstream(py) << script;
  const int st = std::system((std::string(QS_PYTHON) + " " + py.string()).c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class ResultOutCli : public ::testing::Test {
protected:
  // 16 x 300 Student-t values from NumPy: 300 is not a multiple of 128, so the
  // last group of each row is partial.
  static void SetUpTestSuite() {
    fs::create_directories(kOut);
    ASSERT_EQ(runPython("import numpy as np\n"
                        "rng = np.random.default_rng(7)\n"
                        "np.save('" +
                        npy().string() + "', rng.standard_t(4, size=(16, 300)).astype(np.float32))\n"),
              0);
  }
  static fs::path npy() { return kOut / "w.npy"; }
  static std::string quantizeArgs() {
    return "quantize " + npy().string() + " --format int4 --granularity group --group-size 128";
  }
  // The same quantization in-process.
  static std::shared_ptr<const QuantResult> reference(bool symmetric) {
    const Tensor t = openTensorFile(npy())->read(openTensorFile(npy())->list().at(0).name);
    QuantConfig c;
    c.format = "int4";
    c.granularity = Granularity{GranularityKind::Group, kAutoAxis, 128};
    c.symmetric = symmetric;
    return quantize(t, c);
  }
};

void expectBitEqual(const std::vector<float>& a, const std::vector<float>& b) {
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0);
}

TEST_F(ResultOutCli, SafetensorsHoldsTheEnginesResult) {
  ASSERT_TRUE(fs::exists(cliBinary())) << cliBinary();
  const fs::path st = kOut / "r.safetensors";
  fs::remove(st);
  const CliRun r = runCli(quantizeArgs() + " --out " + st.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("sqnr (dB)"), std::string::npos);
  EXPECT_NE(r.out.find("wrote " + st.string() +
                       " (codes int8 [16, 300], scales float32 [16, 3], "
                       "dequantized float32 [16, 300])\n"),
            std::string::npos)
      << r.out;

  const auto ref = reference(true);
  const auto src = openTensorFile(st);
  const std::string name = ref->tensorName;
  const TensorEntry* codes = src->find(name + ".codes");
  const TensorEntry* scales = src->find(name + ".scales");
  ASSERT_TRUE(codes && scales) << name;
  EXPECT_EQ(codes->storedDtype, "int8");
  EXPECT_EQ(codes->shape, (Shape{16, 300}));
  EXPECT_EQ(scales->shape, (Shape{16, 3}));
  EXPECT_EQ(src->find(name + ".zero_points"), nullptr); // symmetric
  expectBitEqual(src->read(name + ".dequantized").values, ref->dequantized);
  expectBitEqual(src->read(name + ".scales").values, ref->scales);
  const std::vector<float> c = src->read(name + ".codes").values;
  ASSERT_EQ(c.size(), ref->codes.size());
  for (size_t i = 0; i < c.size(); ++i)
    ASSERT_EQ(c[i], float(ref->codes[i])) << i;
}

TEST_F(ResultOutCli, Hdf5DequantizedMatchesNumpyRecomputation) {
  for (const bool asymmetric : {false, true}) {
    const fs::path h5 = kOut / (asymmetric ? "asym.h5" : "sym.h5");
    fs::remove(h5);
    const CliRun r =
        runCli(quantizeArgs() + (asymmetric ? " --asymmetric" : "") + " --json --out " + h5.string());
    ASSERT_EQ(r.status, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out); // --json: no "wrote" line, "out" in the object
    EXPECT_EQ(j["out"], h5.string());
    const std::string name = j["tensor"];

    const auto ref = reference(!asymmetric);
    expectBitEqual(openTensorFile(h5)->read(name + "/dequantized").values, ref->dequantized);

    // h5py: dequantized == float32(codes - zp) * scales, every group of 128
    // along the last axis (the third one partial), bit for bit.
    const std::string script =
        "import h5py, numpy as np, sys\n"
        "g = h5py.File('" +
        h5.string() + "', 'r')['" + name +
        "']\n"
        "codes, scales, deq = g['codes'][()], g['scales'][()], g['dequantized'][()]\n"
        "assert codes.dtype == np.int8 and codes.shape == (16, 300), codes.dtype\n"
        "assert scales.dtype == np.float32 and scales.shape == (16, 3), scales.shape\n"
        "zp = g['zero_points'][()].astype(np.int64) if 'zero_points' in g else "
        "np.zeros((16, 3), np.int64)\n"
        "assert ('zero_points' in g) == " +
        (asymmetric ? "True" : "False") +
        "\n"
        "rep = lambda a: np.repeat(a, 128, axis=1)[:, :300]\n"
        "ref = (codes.astype(np.int64) - rep(zp)).astype(np.float32) * rep(scales)\n"
        // Symmetric INT4 codes are -7..7, asymmetric ones the unsigned 0..15 (PyTorch quint4).
        "assert (codes.min(), codes.max()) == " +
        (asymmetric ? "(0, 15)" : "(-7, 7)") +
        ", (codes.min(), codes.max())\n"
        "sys.exit(0 if np.array_equal(ref.view(np.uint32), deq.view(np.uint32)) else 3)\n";
    EXPECT_EQ(runPython(script), 0) << (asymmetric ? "asymmetric" : "symmetric");
  }
}

TEST_F(ResultOutCli, NoDequantized) {
  const fs::path st = kOut / "codes_only.safetensors";
  fs::remove(st);
  const CliRun r = runCli(quantizeArgs() + " --out " + st.string() + " --no-dequantized");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.find("dequantized float32"), std::string::npos) << r.out;
  const auto src = openTensorFile(st);
  const std::string name = reference(true)->tensorName;
  EXPECT_EQ(src->find(name + ".dequantized"), nullptr);
  EXPECT_NE(src->find(name + ".codes"), nullptr);
}

TEST_F(ResultOutCli, MetricsCsvAndJson) {
  const fs::path csv = kOut / "m.csv", json = kOut / "m.json", sweepCsv = kOut / "s.csv",
                 sweepJson = kOut / "s.json";
  CliRun r = runCli(quantizeArgs() + " --metrics-out " + csv.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("wrote " + csv.string() + " (metrics of 1 result)"), std::string::npos) << r.out;
  std::string text = slurp(csv);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
  EXPECT_EQ(text.rfind("tensor,format,format_label,shape,numel,mse,", 0), 0u) << text;

  r = runCli(quantizeArgs() + " --json --metrics-out " + json.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["metrics_out"], json.string());
  const auto mj = nlohmann::json::parse(slurp(json));
  ASSERT_EQ(mj["results"].size(), 1u);
  EXPECT_DOUBLE_EQ(mj["results"][0]["metrics"]["mse"].get<double>(), reference(true)->metrics.mse);

  r = runCli("sweep " + npy().string() + " --formats int8,int4,nf4 --csv --metrics-out " + sweepCsv.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.find("wrote"), std::string::npos); // stdout stays pure CSV
  text = slurp(sweepCsv);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4) << text;
  EXPECT_EQ(text.rfind("tensor,format,", 0), 0u) << text;

  r = runCli("sweep " + npy().string() + " --formats int8,int4,nf4 --metrics-out " + sweepJson.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("wrote " + sweepJson.string() + " (metrics of 3 results)"), std::string::npos);
  const auto sj = nlohmann::json::parse(slurp(sweepJson));
  ASSERT_EQ(sj["results"].size(), 3u);
  EXPECT_EQ(sj["schema"], "quantscope.metrics/1");
}

TEST_F(ResultOutCli, BadPathsAreOneLineAndExitTwo) {
  const std::string missing = (kOut / "no_such_dir").string();
  const std::string noDir = "directory '" + missing + "' does not exist";
  struct Case {
    std::string args, needle;
  } cases[] = {
      {quantizeArgs() + " --out " + missing + "/r.safetensors", noDir},
      {quantizeArgs() + " --out " + missing + "/r.h5", noDir},
      {quantizeArgs() + " --out " + (kOut / "r.txt").string(), "unsupported output"},
      {quantizeArgs() + " --metrics-out " + missing + "/m.csv", noDir},
      {quantizeArgs() + " --metrics-out " + (kOut / "m.xml").string(), "unsupported metrics format"},
      {"sweep " + npy().string() + " --formats int8 --metrics-out " + missing + "/s.json", noDir},
  };
  for (const Case& c : cases) {
    const CliRun r = runCli(c.args);
    EXPECT_EQ(r.status, 2) << c.args;
    EXPECT_EQ(r.err.rfind("quantscope-cli: error: ", 0), 0u) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out; // the write happens before any output
  }
  EXPECT_FALSE(fs::exists(missing));
  const CliRun r = runCli(quantizeArgs() + " --no-dequantized");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--no-dequantized needs --out"), std::string::npos) << r.err;
  EXPECT_NE(runCli("quantize --help").out.find("--metrics-out M"), std::string::npos);
  EXPECT_NE(runCli("sweep --help").out.find("--metrics-out M"), std::string::npos);
}

} // namespace
} // namespace qs
