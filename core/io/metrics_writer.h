#pragma once
// Metrics of quantization results as CSV or JSON, one row/object per result.
// The CLI and the GUI's export share these, so both write the same columns.
//
// Columns: tensor, format, format_label, shape, numel, the keys of the metric
// table (core/metrics/metric_table.h: mse ... non_finite), quantize_ms,
// analyze_ms.
// Non-finite numbers are "inf"/"-inf"/"nan" in CSV and null in JSON.
#include "core/quant/quant_result.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace qs {

using ResultList = std::vector<std::shared_ptr<const QuantResult>>;

std::string metricsToCsv(const ResultList& results);
// {"schema": "quantscope.metrics/1", "results": [{"tensor", "shape", "format_label",
//   "config": {...}, "metrics": {...}, "quantize_ms", "analyze_ms"}]}
std::string metricsToJson(const ResultList& results, int indent = 2);
// By extension: .csv or .json. Throws qs::Error otherwise or when writing fails.
void writeMetrics(const std::filesystem::path& path, const ResultList& results);

} // namespace qs
