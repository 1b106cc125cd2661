#include "app/cli/result_json.h"

#include <cmath>

namespace qs::cli {

using nlohmann::json;

namespace {

json number(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

} // namespace

json metricsJson(const Metrics& m) {
  return json{{"mse", number(m.mse)},
              {"rmse", number(m.rmse)},
              {"max_abs_error", number(m.maxAbsError)},
              {"sqnr_db", number(m.sqnrDb)},
              {"cosine", number(m.cosine)},
              {"clipped_fraction", number(m.clippedFraction)},
              {"bits_per_element", number(m.bitsPerElement)},
              {"code_entropy_bits", number(m.codeEntropyBits)},
              {"count", m.count},
              {"non_finite", m.nonFinite}};
}

json resultJson(const QuantResult& r, const std::string& storedDtype) {
  json j;
  j["tensor"] = r.tensorName;
  j["shape"] = r.shape;
  j["stored_dtype"] = storedDtype;
  j["format_label"] = r.formatLabel;
  j["config"] = json::parse(configToJson(r.config, -1));
  j["granularity"] = json{{"kind", toString(r.granularity.kind)},
                          {"axis", r.granularity.axis},
                          {"group_size", r.granularity.groupSize}};
  j["scale_shape"] = r.scaleShape;
  j["metrics"] = metricsJson(r.metrics);
  j["outlier_channels"] = r.channels.outlierChannels;
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
