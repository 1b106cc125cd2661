// imatrixStatistics against a NumPy reference of llama-imatrix
// --show-statistics (tests/data/make_imatrix_fixtures.py), on both forms.
#include "../io/io_test_util.h"
#include "core/io/imatrix.h"
#include "core/model/imatrix_stats.h"

#include <cmath>

using namespace qs;
using namespace qs::test;

namespace {

namespace fs = std::filesystem;

fs::path fixtures() {
  return generateFixtures("make_imatrix_fixtures.py", "imatrix_stats");
}

nlohmann::json expected() {
  std::ifstream f(fixtures() / "expected.json");
  return nlohmann::json::parse(f);
}

// Relative 1e-9 for sums in double; the cosine of GGUF sums rebuilt from
// weight × count is within float rounding of the file's in_sum2.
void near(double got, double want, double rel, const char* what) {
  EXPECT_NEAR(got, want, rel * std::max(1.0, std::fabs(want))) << what;
}

void checkStats(const Imatrix& m, const nlohmann::json& want, double cosineTolerance) {
  const std::vector<ImatrixTensorStats> stats = imatrixStatistics(m);
  ASSERT_EQ(stats.size(), m.entries.size());
  ASSERT_EQ(stats.size(), want.size());
  size_t withPrevious = 0;
  for (const ImatrixTensorStats& s : stats) {
    SCOPED_TRACE(s.name);
    ASSERT_TRUE(want.contains(s.name));
    const auto& w = want[s.name];
    EXPECT_EQ(s.role.role, tensorRole(s.name).role);
    EXPECT_EQ(s.elements, w["elements"].get<int64_t>());
    near(s.sumSquares, w["sum"], 1e-9, "sum");
    EXPECT_EQ(s.min, w["min"].get<double>());
    EXPECT_EQ(s.max, w["max"].get<double>());
    near(s.mean, w["mean"], 1e-9, "mean");
    near(s.stdDev, w["std"], 1e-9, "std");
    EXPECT_EQ(s.activeFraction, w["active"].get<double>());
    near(s.entropy, w["entropy"], 1e-9, "entropy");
    near(s.entropyNormalised, w["entropy_norm"], 1e-9, "entropy_norm");
    EXPECT_EQ(s.zdScore, w["zd"].get<double>());
    if (w.contains("previous")) {
      ++withPrevious;
      EXPECT_EQ(s.previous, w["previous"].get<std::string>());
      near(s.cosinePrevious, w["cosine"], cosineTolerance, "cosine");
    } else {
      EXPECT_TRUE(s.previous.empty()) << s.previous;
      EXPECT_TRUE(std::isnan(s.cosinePrevious));
    }
  }
  // blk.1/2.attn_q, blk.1.ffn_up_exps; not blk.1.ffn_down (another size), blk.0.*, output.
  EXPECT_EQ(withPrevious, 3u);
}

TEST(ImatrixStats, GgufMatchesTheReference) {
  const Imatrix m = readImatrix(fixtures() / "imatrix.gguf");
  checkStats(m, expected()["gguf"]["stats"], 1e-6);
  // Experts that saw no token are not values: 3 of 4 experts × 8 columns.
  const auto stats = imatrixStatistics(m);
  for (const auto& s : stats) {
    if (s.name == "blk.0.ffn_up_exps.weight") {
      EXPECT_EQ(s.elements, 24);
    }
  }
}

TEST(ImatrixStats, LegacyMatchesTheReference) {
  checkStats(readImatrix(fixtures() / "imatrix.dat"), expected()["dat"]["stats"], 1e-12);
}

TEST(ImatrixStats, DegenerateEntries) {
  Imatrix m;
  m.form = "gguf";
  auto add = [&](std::string name, std::vector<float> w, std::vector<double> counts, int64_t experts) {
    ImatrixEntry e;
    e.name = std::move(name);
    e.experts = experts;
    e.columns = int64_t(w.size()) / experts;
    e.weights = std::move(w);
    e.counts = std::move(counts);
    m.entries.push_back(std::move(e));
  };
  add("blk.0.attn_k.weight", {0, 0, 0}, {5}, 1);
  add("blk.1.attn_k.weight", {0, 0, 0}, {5}, 1);
  add("blk.2.attn_k.weight", {1, 2, 3}, {5}, 1);
  add("blk.0.ffn_up_exps.weight", {1, 1, 1, 1}, {0, 0}, 2);
  add("model.layers.1.mlp.w9.weight", {1, 2}, {1}, 1); // role "other": matched by name
  add("model.layers.0.mlp.w9.weight", {2, 4}, {1}, 1);
  const auto s = imatrixStatistics(m);
  // All zero: no entropy, no spread, nothing active.
  EXPECT_EQ(s[0].sumSquares, 0);
  EXPECT_EQ(s[0].entropy, 0);
  EXPECT_EQ(s[0].zdScore, 0);
  EXPECT_EQ(s[0].activeFraction, 0);
  EXPECT_EQ(s[1].cosinePrevious, 1.0); // two all-zero vectors
  EXPECT_EQ(s[2].cosinePrevious, 0.0); // one all-zero vector
  EXPECT_EQ(s[2].previous, "blk.1.attn_k.weight");
  EXPECT_EQ(s[3].elements, 0); // no expert saw a token
  EXPECT_EQ(s[3].sumSquares, 0);
  EXPECT_EQ(s[4].previous, "model.layers.0.mlp.w9.weight");
  EXPECT_NEAR(s[4].cosinePrevious, 1.0, 1e-15);
  // 1, 2, 3: p = 1/6, 2/6, 3/6.
  EXPECT_NEAR(s[2].entropy,
              -(1 / 6.0 * std::log2(1 / 6.0) + 2 / 6.0 * std::log2(2 / 6.0) + 0.5 * std::log2(0.5)), 1e-15);
  EXPECT_NEAR(s[2].entropyNormalised, s[2].entropy / std::log2(3.0), 1e-15);
}

} // namespace
