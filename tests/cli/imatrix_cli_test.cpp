// `quantscope-cli imatrix`: the statistics of both imatrix forms against the
// NumPy reference of llama-imatrix --show-statistics
// (tests/data/make_imatrix_fixtures.py), the table, the filter, and clear
// errors on broken files.
#include "tests/io/io_test_util.h"

#include "cli_run.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace qs {
namespace {

using test::runCli;
namespace fs = std::filesystem;

fs::path fixtures() {
  return test::generateFixtures("make_imatrix_fixtures.py", "imatrix_cli");
}

nlohmann::json expected() {
  std::ifstream f(fixtures() / "expected.json");
  return nlohmann::json::parse(f);
}

void near(const nlohmann::json& got, const nlohmann::json& want, double rel, const std::string& what) {
  const double w = want.get<double>();
  EXPECT_NEAR(got.get<double>(), w, rel * std::max(1.0, std::fabs(w))) << what;
}

// Every entry of FILE --json against the reference; returns how many have a previous block.
int checkJson(const std::string& file, const nlohmann::json& ref, double cosineTolerance) {
  const test::CliRun r = runCli("imatrix " + (fixtures() / file).string() + " --json");
  EXPECT_EQ(r.status, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "quantscope.imatrix_stats/1");
  EXPECT_EQ(j["datasets"], ref["datasets"]);
  EXPECT_EQ(j["chunks"], ref["chunks"]);
  EXPECT_EQ(j["chunk_size"].get<int64_t>(), ref.value("chunk_size", int64_t(0)));
  const nlohmann::json& stats = ref["stats"];
  EXPECT_EQ(j["entries"].size(), stats.size());
  int withPrevious = 0;
  for (const nlohmann::json& e : j["entries"]) {
    const std::string name = e["name"];
    SCOPED_TRACE(file + " " + name);
    const nlohmann::json& w = stats.at(name);
    EXPECT_EQ(e["elements"], w["elements"]);
    near(e["sum_squares"], w["sum"], 1e-9, "sum");
    EXPECT_EQ(e["min"].get<double>(), w["min"].get<double>());
    EXPECT_EQ(e["max"].get<double>(), w["max"].get<double>());
    near(e["mean"], w["mean"], 1e-9, "mean");
    near(e["std"], w["std"], 1e-9, "std");
    EXPECT_EQ(e["active_fraction"].get<double>(), w["active"].get<double>());
    near(e["entropy"], w["entropy"], 1e-9, "entropy");
    near(e["entropy_norm"], w["entropy_norm"], 1e-9, "entropy_norm");
    EXPECT_EQ(e["zd"].get<double>(), w["zd"].get<double>());
    if (w.contains("previous")) {
      ++withPrevious;
      EXPECT_EQ(e["previous"], w["previous"]);
      near(e["cosine_previous"], w["cosine"], cosineTolerance, "cosine");
    } else {
      EXPECT_TRUE(e["previous"].is_null());
      EXPECT_TRUE(e["cosine_previous"].is_null());
    }
  }
  return withPrevious;
}

TEST(ImatrixCli, GgufJsonMatchesTheReference) {
  // blk.1/2.attn_q and blk.1.ffn_up_exps have a previous block of their size.
  EXPECT_EQ(checkJson("imatrix.gguf", expected()["gguf"], 1e-6), 3);
}

TEST(ImatrixCli, LegacyJsonMatchesTheReference) {
  EXPECT_EQ(checkJson("imatrix.dat", expected()["dat"], 1e-12), 3);
}

TEST(ImatrixCli, TableHasTheHeaderAndOneRowPerEntry) {
  const test::CliRun r = runCli("imatrix " + (fixtures() / "imatrix.gguf").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("datasets: wiki.train.raw; code, mixed.txt\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("chunks: 7 × 512 tokens = 3584 tokens"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Σ(act²)"), std::string::npos);
  EXPECT_NE(r.out.find("cos prev"), std::string::npos);
  for (const auto& [name, stats] : expected()["gguf"]["stats"].items())
    EXPECT_NE(r.out.find(name), std::string::npos) << name;
  // blk.2.attn_q has 3 dead columns of 16: 81.25 % active.
  const size_t row = r.out.find("blk.2.attn_q.weight");
  ASSERT_NE(row, std::string::npos);
  const std::string line = r.out.substr(row, r.out.find('\n', row) - row);
  EXPECT_NE(line.find("81.25"), std::string::npos) << line;

  const test::CliRun legacy = runCli("imatrix " + (fixtures() / "imatrix.dat").string());
  ASSERT_EQ(legacy.status, 0) << legacy.err;
  EXPECT_NE(legacy.out.find("datasets: calibration/wiki.train.raw"), std::string::npos) << legacy.out;
  EXPECT_NE(legacy.out.find("legacy .dat"), std::string::npos) << legacy.out;
}

TEST(ImatrixCli, IncludeFilters) {
  const test::CliRun r =
      runCli("imatrix " + (fixtures() / "imatrix.gguf").string() + " --json --include attn_q");
  ASSERT_EQ(r.status, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["entries"].size(), 3u);
  for (const nlohmann::json& e : j["entries"])
    EXPECT_NE(e["name"].get<std::string>().find("attn_q"), std::string::npos);
  EXPECT_EQ(j["entry_count"], 8) << "the file's count, not the filtered one";
  // The cosine of a filtered entry still compares with its previous block.
  EXPECT_FALSE(j["entries"][1]["cosine_previous"].is_null());
}

TEST(ImatrixCli, BadInputIsAClearError) {
  struct Case {
    std::string args, message;
  };
  const std::string dir = fixtures().string() + "/";
  const Case cases[] = {
      {"imatrix", "no imatrix file given"},
      {"imatrix a.dat b.dat", "one imatrix file at a time"},
      {"imatrix " + dir + "imatrix.gguf --include '('", "bad --include regex '('"},
      {"imatrix " + dir + "imatrix.gguf --bogus", "unknown option '--bogus'"},
      {"imatrix " + dir + "missing.dat", "missing.dat"},
      {"imatrix " + dir + "bad_truncated_values.dat", "bad_truncated_values.dat"},
      {"imatrix " + dir + "bad_no_counts.gguf", "bad_no_counts.gguf"},
      {"imatrix " + dir + "bad_nan_value.dat", "bad_nan_value.dat"},
      {"imatrix " + dir + "bad_empty.dat", "bad_empty.dat"},
      {"imatrix " + dir + "bad_model.gguf", "bad_model.gguf"},
  };
  for (const Case& c : cases) {
    const test::CliRun r = runCli(c.args);
    EXPECT_EQ(r.status, 2) << c.args;
    EXPECT_TRUE(r.out.empty()) << c.args << ": " << r.out;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << ": " << r.err;
    EXPECT_EQ(r.err.rfind("quantscope-cli", 0), 0u) << c.args << ": " << r.err;
  }
}

} // namespace
} // namespace qs
