#include "core/io/metrics_writer.h"

#include "core/error.h"
#include "core/metrics/metric_table.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

namespace qs {
namespace {

std::string number(double v) {
  if (std::isnan(v))
    return "nan";
  if (std::isinf(v))
    return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v); // shortest round-trip form
  return std::string(buf, r.ptr);
}

// RFC 4180: quote fields holding a comma, quote or line break.
std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos)
    return s;
  std::string q = "\"";
  for (char c : s)
    q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

nlohmann::ordered_json jsonNumber(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

// The timings follow the metric table's columns in the CSV; JSON keeps them
// beside "metrics".
struct Timing {
  const char* name;
  double QuantResult::*ms;
};
const Timing kTimings[] = {{"quantize_ms", &QuantResult::quantizeMs},
                           {"analyze_ms", &QuantResult::analyzeMs}};

} // namespace

std::string metricsToCsv(const ResultList& results) {
  std::string out = "tensor,format,format_label,shape,numel";
  for (const MetricInfo& m : metricTable())
    out += std::string(",") + m.key;
  for (const Timing& t : kTimings)
    out += std::string(",") + t.name;
  out += "\n";
  for (const auto& rp : results) {
    if (!rp)
      continue;
    const QuantResult& r = *rp;
    out += csvField(r.tensorName) + "," + csvField(r.config.format) + "," + csvField(r.formatLabel) + "," +
           csvField(shapeToString(r.shape)) + "," + std::to_string(shapeNumel(r.shape));
    for (const MetricInfo& m : metricTable())
      out += "," + number(m.value(r.metrics));
    for (const Timing& t : kTimings)
      out += "," + number(r.*t.ms);
    out += "\n";
  }
  return out;
}

std::string metricsToJson(const ResultList& results, int indent) {
  nlohmann::ordered_json j;
  j["schema"] = "quantscope.metrics/1";
  j["results"] = nlohmann::ordered_json::array();
  for (const auto& rp : results) {
    if (!rp)
      continue;
    const QuantResult& r = *rp;
    nlohmann::ordered_json o;
    o["tensor"] = r.tensorName;
    o["shape"] = r.shape;
    o["numel"] = shapeNumel(r.shape);
    o["format_label"] = r.formatLabel;
    o["config"] = nlohmann::ordered_json::parse(configToJson(r.config, -1));
    nlohmann::ordered_json m;
    for (const MetricInfo& info : metricTable()) {
      const double v = info.value(r.metrics);
      if (info.style == MetricStyle::Count)
        m[info.key] = int64_t(v);
      else
        m[info.key] = jsonNumber(v);
    }
    o["metrics"] = std::move(m);
    o["quantize_ms"] = jsonNumber(r.quantizeMs);
    o["analyze_ms"] = jsonNumber(r.analyzeMs);
    j["results"].push_back(std::move(o));
  }
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void writeMetrics(const std::filesystem::path& path, const ResultList& results) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  std::string text;
  if (ext == ".csv")
    text = metricsToCsv(results);
  else if (ext == ".json")
    text = metricsToJson(results) + "\n";
  else
    throw Error(path.string() + ": unsupported metrics format '" + ext + "' (use .csv or .json)");
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f)
    throw Error("cannot create " + path.string() + ": " + std::strerror(errno));
  f << text;
  f.flush();
  if (!f)
    throw Error("cannot write " + path.string() + ": " + std::strerror(errno));
}

} // namespace qs
