// `quantscope-cli sweep` runs the core sweep (core/sweep): its JSON equals
// sweepResults on the same candidates, and the Sweep tab's runSweep gives the
// same SQNR, bits and MSE for them, to the last bit.
#include "core/demo/demo_tensors.h"
#include "core/error.h"
#include "core/io/tensor_writer.h"
#include "core/metrics/metric_table.h"
#include "core/sweep/sweep_runner.h"

#include "cli_run.h"

#include <cmath>
#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace qs {
namespace {

using test::runCli;

double jsonValue(const nlohmann::json& v) {
  return v.is_null() ? INFINITY : v.get<double>(); // null: +inf SQNR
}

TEST(SweepCli, RunsTheCoreSweep) {
  Tensor t = makeDemoTensor(DemoKind::LlmWeight, {64, 256});
  t.name = "w";
  const std::filesystem::path file = std::filesystem::path(QS_TEST_OUT_DIR) / "sweep_cli_w.safetensors";
  writeSafetensors(file, {floatArray("w", t.shape, t.values)}, {});
  const std::vector<std::string> formats{"int8", "int4", "nf4", "fp8_e4m3", "mxfp4", "q4_0"};
  std::string list;
  for (const std::string& f : formats)
    list += (list.empty() ? "" : ",") + f;
  const test::CliRun r = runCli("sweep " + file.string() + " --formats " + list + " --clip mse --json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out)["results"];
  ASSERT_EQ(j.size(), formats.size());

  QuantConfig base;
  base.clipping.method = ClipMethod::Mse;
  const auto candidates = formatCandidates(base, formats);
  size_t i = 0;
  sweepResults(t, candidates, false, nullptr,
               [&](const SweepCandidate& c, const std::shared_ptr<const QuantResult>& res) {
                 ASSERT_LT(i, j.size());
                 EXPECT_EQ(j[i]["format"], c.label);
                 EXPECT_EQ(j[i]["format_label"], res->formatLabel);
                 for (const MetricInfo& m : metricTable())
                   EXPECT_EQ(jsonValue(j[i]["metrics"][m.key]), m.value(res->metrics))
                       << c.label << " " << m.key;
                 ++i;
               });
  EXPECT_EQ(i, formats.size());

  // The Sweep tab's points: the same candidates through the same runner.
  const std::vector<SweepPoint> points = runSweep(t, candidates, nullptr);
  ASSERT_EQ(points.size(), formats.size());
  for (size_t k = 0; k < points.size(); ++k) {
    const auto& m = j[k]["metrics"];
    EXPECT_EQ(points[k].bitsPerElement, m["bits_per_element"].get<double>()) << points[k].label;
    EXPECT_EQ(points[k].sqnrDb, jsonValue(m["sqnr_db"])) << points[k].label;
    EXPECT_EQ(points[k].mse, m["mse"].get<double>()) << points[k].label;
  }
}

TEST(SweepCli, AnUnsupportedCandidateFailsTheCliButNotTheTab) {
  Tensor t = makeDemoTensor(DemoKind::Gaussian, {4, 40});
  t.name = "w";
  QuantConfig channel5;
  channel5.granularity = Granularity{GranularityKind::Channel, 5, 128}; // a 2-D tensor has no axis 5
  std::vector<SweepCandidate> candidates = formatCandidates(QuantConfig{}, {"int8"});
  candidates.push_back(formatCandidates(channel5, {"int4"}).front());
  EXPECT_EQ(runSweep(t, candidates, nullptr).size(), 1u);
  EXPECT_THROW(sweepResults(t, candidates, false, nullptr, [](auto&&, auto&&) {}), Error);
  const std::filesystem::path file = std::filesystem::path(QS_TEST_OUT_DIR) / "sweep_cli_g.safetensors";
  writeSafetensors(file, {floatArray("w", t.shape, t.values)}, {});
  const test::CliRun r =
      runCli("sweep " + file.string() + " --formats int8,int4 --granularity channel --axis 5");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("axis 5 is out of range"), std::string::npos) << r.err;
}

} // namespace
} // namespace qs
