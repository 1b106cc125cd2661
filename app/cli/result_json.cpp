#include "app/cli/result_json.h"

#include "core/metrics/metric_table.h"

#include <cmath>

namespace qs::cli {

using nlohmann::json;

namespace {

json number(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

json metricValueJson(const MetricInfo& info, const Metrics& m) {
  const double v = info.value(m);
  return info.style == MetricStyle::Count ? json(int64_t(v)) : number(v);
}

} // namespace

json metricsJson(const Metrics& m) {
  json j = json::object();
  for (const MetricInfo& info : metricTable())
    j[info.key] = metricValueJson(info, m);
  return j;
}

json metricsJson(const Metrics& m, const std::vector<std::string>& keys) {
  json j = json::object();
  for (const std::string& k : keys)
    j[k] = metricValueJson(metricInfo(k), m);
  return j;
}

json resultJson(const QuantResult& r, const std::string& storedDtype) {
  json j;
  j["tensor"] = r.tensorName;
  j["shape"] = r.shape;
  j["stored_dtype"] = storedDtype;
  j["format_label"] = r.formatLabel;
  j["config"] = json::parse(configToJson(r.config, -1));
  j["granularity"] = json{{"kind", toString(r.granularity.kind)},
                          {"axis", r.granularity.axis}, // resolved: never "auto"
                          {"group_size", r.granularity.groupSize}};
  if (r.granularity.kind == GranularityKind::Block) {
    j["granularity"]["block_rows"] = r.granularity.blockRows;
    j["granularity"]["block_cols"] = r.granularity.blockCols;
  }
  j["scale_shape"] = r.scaleShape;
  j["metrics"] = metricsJson(r.metrics);
  j["outlier_channels"] = r.channels.outlierChannels;
  if (r.rotation.applied) {
    const RotationReport& h = r.rotation;
    j["rotation"] = json{{"kind", toString(r.config.rotation)},
                         {"row_length", h.rowLength},
                         {"block", h.block},
                         {"note", h.note},
                         {"kurtosis", {h.kurtosisOriginal, h.kurtosisRotated}},
                         {"absmax", {h.absMaxOriginal, h.absMaxRotated}},
                         {"outlier_channels_rotated", h.channelsRotated.outlierChannels}};
  }
  json top = json::array();
  for (const TopEntry& e : r.topErrors)
    top.push_back(json{{"index", e.index},
                       {"row", e.row},
                       {"col", e.col},
                       {"original", number(e.original)},
                       {"dequantized", number(e.dequantized)},
                       {"error", number(e.error)}});
  j["top_errors"] = top;
  j["timing_ms"] = json{{"quantize", r.quantizeMs}, {"analyze", r.analyzeMs}};
  return j;
}

} // namespace qs::cli
