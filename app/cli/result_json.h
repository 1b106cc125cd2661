#pragma once
// QuantResult -> the JSON the CLI prints. Non-finite numbers (sqnr_db = +inf
// when the error is zero) are written as null.
#include "core/quant/quant_result.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace qs::cli {

// The metric table's keys (core/metrics/metric_table.h), or only `keys`.
nlohmann::json metricsJson(const Metrics& m);
nlohmann::json metricsJson(const Metrics& m, const std::vector<std::string>& keys);
// "tensor", "shape", "stored_dtype", "format_label", "config", "granularity",
// "scale_shape", "metrics", "outlier_channels", "top_errors", "timing_ms".
nlohmann::json resultJson(const QuantResult& r, const std::string& storedDtype);

} // namespace qs::cli
