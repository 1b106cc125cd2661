// A plan → AIMET encodings with the real scales (core/model/export_aimet.h).
#include "core/model/export_aimet.h"
#include "core/model/name_list.h"

#include "core/error.h"
#include "core/formats/format_registry.h"
#include "core/pipeline/quantize.h"
#include "core/quant/format_config.h"

#include <nlohmann/json.hpp>

namespace qs {

namespace {

using nlohmann::ordered_json;

ordered_json encoding(int bits, bool symmetric, double scale, int64_t offset) {
  ordered_json e;
  e["bitwidth"] = bits;
  e["dtype"] = "int";
  e["is_symmetric"] = symmetric ? "True" : "False";
  e["max"] = scale * double((int64_t(1) << bits) - 1 + offset);
  e["min"] = scale * double(offset);
  e["offset"] = offset;
  e["scale"] = scale;
  return e;
}

} // namespace

std::string exportAimet(const ModelPlan& plan, const TensorSource& source, int indent,
                        const std::atomic<bool>* cancel) {
  // Check every tensor before reading any.
  std::vector<std::string> unsupported;
  for (const TensorChoice& c : plan.tensors) {
    if (c.format.empty())
      continue;
    QuantConfig config = plan.base;
    config.format = c.format;
    const FormatInfo& info = findFormat(c.format);
    const Granularity g = config.granularity ? *config.granularity : defaultGranularity(*makeKernel(config));
    if (info.family != "integer" || (g.kind != GranularityKind::Tensor && g.kind != GranularityKind::Channel))
      unsupported.push_back(c.name + " (" + c.format + ", " + toString(g.kind) + ")");
  }
  if (!unsupported.empty())
    throw Error("AIMET export: only INT formats per tensor or per channel can be written, not " +
                nameList(unsupported));

  ordered_json params = ordered_json::object();
  AnalysisOptions analysis;
  analysis.keepCodes = false;
  for (const TensorChoice& c : plan.tensors) {
    if (c.format.empty())
      continue;
    QuantConfig config = plan.base;
    config.format = c.format;
    config.overrides.clear(); // the plan chose this tensor's format
    const Tensor tensor = source.read(c.name, cancel);
    const auto result = quantize(tensor, config, analysis, cancel);
    if (!result->realZeroPoints.empty())
      throw Error("AIMET encodings hold integer offsets; HQQ's zero points of '" + c.name +
                  "' are real numbers (export the plan without clip hqq)");
    const int bits = findFormat(c.format).bits;
    const bool symmetric = result->zeroPoints.empty();
    ordered_json list = ordered_json::array();
    for (size_t i = 0; i < result->scales.size(); ++i) {
      const int64_t offset = symmetric ? -(int64_t(1) << (bits - 1)) : -int64_t(result->zeroPoints[i]);
      list.push_back(encoding(bits, symmetric, double(result->scales[i]), offset));
    }
    params[c.name] = std::move(list);
  }
  ordered_json out;
  out["version"] = "0.6.1";
  out["activation_encodings"] = ordered_json::object();
  out["param_encodings"] = std::move(params);
  out["excluded_layers"] = ordered_json::array();
  return out.dump(indent < 0 ? -1 : indent);
}

} // namespace qs
