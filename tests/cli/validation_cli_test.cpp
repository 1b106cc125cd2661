// The CLI checks configs with the core's validation (core/quant/config_check.h)
// in its own terms: option names for options, the file and key for --config;
// `layer` parses with the shared option parser.
#include "cli_run.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace qs {
namespace {

using test::runCli;

std::string out(const std::string& name) {
  return (std::filesystem::path(QS_TEST_OUT_DIR) / name).string();
}

// A version 1.0 .npy of 4 x 8 float32 ramps.
std::string npy() {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 8), }";
  while ((10 + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  const std::string path = out("validation_cli.npy");
  std::ofstream f(path, std::ios::binary);
  f.write("\x93NUMPY\x01\x00", 8);
  const uint16_t len = uint16_t(header.size());
  f.write(reinterpret_cast<const char*>(&len), 2);
  f << header;
  for (int i = 0; i < 32; ++i) {
    const float v = float(i) - 15.5f;
    f.write(reinterpret_cast<const char*>(&v), 4);
  }
  return path;
}

TEST(ValidationCli, OptionProblemsNameTheOption) {
  const std::string file = npy();
  struct Case {
    std::string args, needle;
    bool usage;
  } cases[] = {
      {"--format int4 --granularity group --group-size 0", "--group-size must be >= 1", true},
      {"--format int8 --clip percentile --percentile 120", "--percentile must be in [0, 100]", true},
      {"--format int8 --clip-min 2 --clip-max 1", "--clip-min must not exceed --clip-max", true},
      {"--format int99", "--format names an unknown format 'int99'", false},
      {"--format codebook", "'codebook' is empty: format 'codebook' needs levels", false},
      {"--format int8 --granularity channel --axis 5",
       "--axis 5 is out of range for a tensor of shape [4, 8]", false},
  };
  for (const Case& c : cases) {
    const test::CliRun r = runCli("quantize " + file + " " + c.args);
    EXPECT_EQ(r.status, 2) << c.args;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_EQ(r.err.find("usage:") != std::string::npos, c.usage) << c.args << "\n" << r.err;
  }
}

TEST(ValidationCli, ConfigFileProblemsNameTheFile) {
  const std::string cfg = out("validation_cli_cfg.json");
  std::ofstream(cfg) << R"({"schema": "quantscope.config/1", "format": "int99"})";
  const test::CliRun r = runCli("quantize " + npy() + " --config " + cfg);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(cfg + ": 'format' names an unknown format 'int99'"), std::string::npos) << r.err;
}

TEST(ValidationCli, LayerUsesTheSharedParser) {
  for (const auto& [args, needle] : std::vector<std::pair<std::string, std::string>>{
           {"layer --demo --bogus", "layer: unknown option '--bogus' (see quantscope-cli layer --help)"},
           {"layer --demo --alpha", "layer: option '--alpha' needs a value"},
           {"layer --demo --alpha x", "layer: option '--alpha' needs a number (got 'x')"},
           {"layer --demo --json=1", "layer: option '--json' takes no value"},
           {"layer a.h5 b.h5", "layer: more than one file given"}}) {
    const test::CliRun r = runCli(args);
    EXPECT_EQ(r.status, 2) << args;
    EXPECT_NE(r.err.find("quantscope-cli: error: " + needle), std::string::npos) << args << "\n" << r.err;
  }
  const test::CliRun help = runCli("layer --demo -h");
  EXPECT_EQ(help.status, 0);
  EXPECT_EQ(help.out.rfind("usage: quantscope-cli layer FILE", 0), 0u) << help.out;
}

} // namespace
} // namespace qs
