// quantscope-cli --scale-format and the two-level result files: the real
// binary on a NumPy-written fixture, read back with the in-process readers
// and checked against qs::quantize; h5py recomputes NVFP4's dequantized
// values from the stored E4M3 codes and FP32 tensor scale.
#include "core/io/tensor_source.h"
#include "core/pipeline/quantize.h"

#include "cli_run.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace qs {
namespace {

using test::cliBinary;
using test::CliRun;
using test::runCli;

namespace fs = std::filesystem;

const fs::path kOut = fs::path(QS_TEST_OUT_DIR) / "scale_format_cli";

int runPython(const std::string& script) {
  const fs::path py = kOut / "check.py";
  std::ofstream(py) << script;
  const int st = std::system((std::string(QS_PYTHON) + " " + py.string()).c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

class ScaleFormatCli : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    fs::create_directories(kOut);
    ASSERT_EQ(runPython("import numpy as np\n"
                        "rng = np.random.default_rng(11)\n"
                        "np.save('" +
                        npy().string() + "', (rng.standard_normal((32, 512)) * 0.02).astype(np.float32))\n"),
              0);
  }
  static fs::path npy() { return kOut / "w.npy"; }
  static Tensor tensor() {
    const auto src = openTensorFile(npy());
    return src->read(src->list().at(0).name);
  }
};

TEST_F(ScaleFormatCli, Nf4WithDoubleQuantWritesBothLevels) {
  ASSERT_TRUE(fs::exists(cliBinary())) << cliBinary();
  const fs::path st = kOut / "nf4dq.safetensors";
  fs::remove(st);
  const CliRun r =
      runCli("quantize " + npy().string() +
             " --format nf4 --granularity group --group-size 64 --scale-format int8dq --out " + st.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("int8dq scale codes uint8, scale absmax float32 [1], scale offset float32"),
            std::string::npos)
      << r.out;
  QuantConfig c;
  c.format = "nf4";
  c.granularity = Granularity{GranularityKind::Group, kAutoAxis, 64};
  c.scaleFormat = ScaleFormat::Int8Dq;
  const auto ref = quantize(tensor(), c);
  // 32 x 8 = 256 groups: one block of 256 scales.
  EXPECT_DOUBLE_EQ(ref->metrics.bitsPerElement, 4.0 + 8.0 / 64 + 32.0 / (32 * 512));
  const auto src = openTensorFile(st);
  const std::string name = ref->tensorName;
  EXPECT_EQ(src->read(name + ".scales").values, ref->scales);
  EXPECT_EQ(src->read(name + ".dequantized").values, ref->dequantized);
  const Tensor codes = src->read(name + ".scale_codes");
  ASSERT_EQ(codes.values.size(), ref->storedScales.codes.size());
  for (size_t i = 0; i < codes.values.size(); ++i)
    ASSERT_EQ(codes.values[i], float(ref->storedScales.codes[i])) << i;
  EXPECT_EQ(src->read(name + ".scale_absmax").values, ref->storedScales.absmax);
  EXPECT_EQ(src->read(name + ".scale_offset").values, std::vector<float>{ref->storedScales.offset});
}

TEST_F(ScaleFormatCli, Nvfp4H5RecomputedFromTheTwoLevels) {
  const fs::path h5 = kOut / "nvfp4.h5";
  fs::remove(h5);
  const CliRun r = runCli("quantize " + npy().string() + " --format nvfp4 --out " + h5.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("e4m3 scale codes int8, tensor scale float32"), std::string::npos) << r.out;
  const std::string script =
      "import h5py, numpy as np\n"
      "g = h5py.File('" +
      h5.string() +
      "', 'r')\n"
      "g = g[list(g.keys())[0]]\n"
      "codes, sc, ts, deq = g['codes'][()], g['scale_codes'][()], g['tensor_scale'][()], "
      "g['dequantized'][()]\n"
      "assert sc.shape == (32, 32) and ts.shape == (1,), (sc.shape, ts.shape)\n"
      "e, m = (sc.astype(np.int64) >> 3) & 15, sc.astype(np.int64) & 7\n"
      "s_block = np.where(e == 0, m / 8.0 * 2.0**-6, (1 + m / 8.0) * 2.0 ** (e - 7)).astype(np.float32)\n"
      "d = (s_block * ts[0]).astype(np.float32)\n"
      "assert np.array_equal(d, g['scales'][()])\n"
      "mag = np.array([0, .5, 1, 1.5, 2, 3, 4, 6], np.float32)[codes & 7]\n"
      "val = np.where(codes & 8, -mag, mag).astype(np.float32)\n"
      "ref = val * np.repeat(d, 16, axis=1)\n"
      "assert np.array_equal(ref, deq), np.argwhere(ref != deq)[:5]\n"
      "assert g.attrs['scale_format'] == 'e4m3'\n";
  EXPECT_EQ(runPython(script), 0);
}

TEST_F(ScaleFormatCli, RefusedAndUnknown) {
  const CliRun mx = runCli("quantize " + npy().string() + " --format mxfp4 --scale-format e4m3");
  EXPECT_NE(mx.status, 0);
  EXPECT_NE(mx.err.find("--scale-format is refused for 'mxfp4'"), std::string::npos) << mx.err;
  const CliRun bad = runCli("quantize " + npy().string() + " --format int4 --scale-format fp8");
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.err.find("unknown scale format 'fp8'"), std::string::npos) << bad.err;
  const CliRun ok = runCli("quantize " + npy().string() + " --format int4 --scale-format ue8m0 --json");
  ASSERT_EQ(ok.status, 0) << ok.err;
  EXPECT_NE(ok.out.find("\"bits_per_element\": 4.015625"), std::string::npos) << ok.out; // 4 + 8/512
}

} // namespace
} // namespace qs
