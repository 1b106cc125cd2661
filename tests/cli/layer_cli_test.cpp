// `quantscope-cli layer`: the real binary on an HDF5 file with two layers
// (Linear with [B, S, C] activations, 1x1 conv with NCHW activations), its
// RTN row against an independent NumPy computation (split, int8 RTN, SQNR),
// the demo, and bad input.
#include "../io/io_test_util.h"
#include "cli_run.h"

using namespace qs::test;

namespace {

nlohmann::json expected(const std::filesystem::path& dir) {
  std::ifstream f(dir / "expected.json");
  return nlohmann::json::parse(f);
}

TEST(LayerCli, RtnRowMatchesNumpy) {
  const auto dir = generateFixtures("make_layer_fixtures.py", "cli_layer");
  const auto want = expected(dir);
  for (const std::string& layer : std::vector<std::string>{"fc1", "conv"}) {
    const CliRun r =
        runCli("layer " + (dir / "layers.h5").string() + " --weight " + layer + "/weight --input " + layer +
                   "/input --method rtn --w-format int8 --w-granularity channel --seed 3 --json",
               Stderr::Dropped);
    ASSERT_EQ(r.status, 0) << r.out;
    const auto j = nlohmann::json::parse(r.out);
    const auto& w = want[layer];
    EXPECT_EQ(j["calibration_tokens"], w["calibration_tokens"]) << layer;
    EXPECT_EQ(j["evaluation_tokens"], w["evaluation_tokens"]) << layer;
    ASSERT_EQ(j["methods"].size(), 1u);
    EXPECT_NEAR(j["methods"][0]["output"]["sqnr_db"].get<double>(),
                w["rtn_int8_channel_sqnr_db"].get<double>(), 1e-3)
        << layer;
    EXPECT_EQ(j["outlier_channels"], w["outlier_channels"]) << layer;
  }
}

TEST(LayerCli, AllMethodsTableAndFlattening) {
  const auto dir = generateFixtures("make_layer_fixtures.py", "cli_layer");
  CliRun r = runCli(
      "layer " + (dir / "layers.h5").string() +
          " --weight conv/weight --input conv/input --a-format int8 --a-clip percentile --group-size 8",
      Stderr::Merged);
  ASSERT_EQ(r.status, 0) << r.out;
  for (const char* s : {"[N,C,H,W] -> permute [N,H,W,C] -> [32, 16]", "RTN", "SmoothQuant (alpha 0.50)",
                        "AWQ (alpha", "GPTQ", "int8 sym, static (percentile)"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  r = runCli("layer " + (dir / "layers.h5").string() +
                 " --weight fc1/weight --input fc1/input --json --method awq,gptq",
             Stderr::Dropped);
  ASSERT_EQ(r.status, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["flatten"], "[2, 96, 128] [B,S,C] -> [192, 128] = [B*S, C]");
  ASSERT_EQ(j["methods"].size(), 2u);
  EXPECT_EQ(j["methods"][0]["awq_grid_alpha"].size(), 21u);
}

TEST(LayerCli, DemoAndErrors) {
  CliRun r = runCli("layer --demo --demo-shape 64x128x256 --method rtn,smoothquant --a-format int8 --json",
                    Stderr::Dropped);
  ASSERT_EQ(r.status, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["in_features"], 128);
  EXPECT_GT(j["methods"][1]["output"]["sqnr_db"].get<double>(),
            j["methods"][0]["output"]["sqnr_db"].get<double>());
  const auto dir = generateFixtures("make_layer_fixtures.py", "cli_layer");
  const std::string file = (dir / "layers.h5").string();
  for (const std::string& bad :
       {"layer " + file,                                             // two pairs: ambiguous
        "layer " + file + " --weight fc1/weight --input conv/input", // 128 vs 16
        "layer " + file + " --weight fc1/weight --input nope",
        "layer " + file + " --weight fc1/weight --input fc1/input --alpha 3",
        "layer " + file + " --weight fc1/weight --input fc1/input --method magic",
        std::string("layer --demo --calib-fraction 1.5"), std::string("layer --demo --bogus")}) {
    r = runCli(bad, Stderr::Merged);
    EXPECT_EQ(r.status, 2) << bad << "\n" << r.out;
    EXPECT_NE(r.out.find("error"), std::string::npos) << bad << "\n" << r.out;
  }
  r = runCli("layer --help", Stderr::Merged);
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("--calib-fraction"), std::string::npos);
}

} // namespace
