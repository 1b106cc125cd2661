// The metric table is complete (every Metrics field, once), drives the CSV
// and JSON writers, and says what the README's "Metric definitions" say.
#include "core/error.h"
#include "core/io/metrics_writer.h"
#include "core/metrics/metric_table.h"

#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

using namespace qs;

namespace {

Metrics distinctMetrics() {
  Metrics m;
  m.mse = 1;
  m.rmse = 2;
  m.maxAbsError = 3;
  m.sqnrDb = 4;
  m.cosine = 5;
  m.clippedFraction = 6;
  m.bitsPerElement = 7;
  m.codeEntropyBits = 8;
  m.count = 9;
  m.nonFinite = 10;
  return m;
}

// `key` -> definition from the README table rows "| `key` | definition |",
// with the Markdown escapes and code marks removed.
std::map<std::string, std::string> readmeDefinitions() {
  std::ifstream f(std::string(QS_SOURCE_DIR) + "/README.md");
  std::map<std::string, std::string> out;
  std::string line;
  bool inSection = false;
  while (std::getline(f, line)) {
    if (line.rfind("## ", 0) == 0)
      inSection = line == "## Metric definitions";
    if (!inSection || line.rfind("| `", 0) != 0)
      continue;
    const size_t keyEnd = line.find("` |");
    std::string def = line.substr(keyEnd + 4, line.size() - keyEnd - 6);
    std::string clean;
    for (size_t i = 0; i < def.size(); ++i) {
      if (def[i] == '`' || (def[i] == '\\' && i + 1 < def.size() && def[i + 1] == '|'))
        continue;
      clean += def[i];
    }
    out[line.substr(3, keyEnd - 3)] = clean;
  }
  return out;
}

TEST(MetricTable, CoversEveryMetricsFieldOnce) {
  const Metrics m = distinctMetrics();
  std::set<double> values;
  std::set<std::string> keys, fields;
  for (const MetricInfo& info : metricTable()) {
    EXPECT_TRUE(values.insert(info.value(m)).second) << info.key;
    EXPECT_TRUE(keys.insert(info.key).second) << info.key;
    EXPECT_TRUE(fields.insert(info.field).second) << info.field;
    for (const char* text : {info.label, info.cliLabel, info.shortLabel, info.definition})
      EXPECT_STRNE(text, "") << info.key;
    EXPECT_EQ(&metricInfo(info.key), &info);
    EXPECT_EQ(&metricInfo(info.field), &info);
  }
  // Metrics holds 8 doubles and 2 counts; a new field needs a new entry.
  EXPECT_EQ(sizeof(Metrics), 8 * sizeof(double) + 2 * sizeof(int64_t));
  EXPECT_EQ(values, (std::set<double>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(metricInfo("sqnrDb").better, Better::Higher);
  EXPECT_EQ(metricInfo("mse").better, Better::Lower);
  EXPECT_THROW(metricInfo("psnr"), Error);
}

TEST(MetricTable, DefinitionsAreTheReadmes) {
  const auto readme = readmeDefinitions();
  EXPECT_EQ(readme.size(), metricTable().size());
  for (const MetricInfo& info : metricTable()) {
    ASSERT_TRUE(readme.count(info.key)) << info.key << " is missing from README.md";
    EXPECT_EQ(readme.at(info.key), info.definition) << info.key;
  }
}

TEST(MetricTable, WritersUseItsKeys) {
  auto r = std::make_shared<QuantResult>();
  r->tensorName = "w";
  r->shape = {2};
  r->metrics = distinctMetrics();
  const std::string csv = metricsToCsv({r});
  std::string header = "tensor,format,format_label,shape,numel";
  std::string row = "w,int8,,[2],2";
  for (const MetricInfo& info : metricTable()) {
    header += std::string(",") + info.key;
    std::ostringstream v;
    v << info.value(r->metrics);
    row += "," + v.str();
  }
  EXPECT_EQ(csv, header + ",quantize_ms,analyze_ms\n" + row + ",0,0\n");
  const auto json = nlohmann::json::parse(metricsToJson({r}));
  const auto& metrics = json["results"][0]["metrics"];
  EXPECT_EQ(metrics.size(), metricTable().size());
  for (const MetricInfo& info : metricTable())
    EXPECT_EQ(metrics[info.key].get<double>(), info.value(r->metrics)) << info.key;
  EXPECT_TRUE(metrics["count"].is_number_integer());
}

} // namespace
