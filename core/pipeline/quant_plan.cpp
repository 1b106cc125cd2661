#include "core/pipeline/quant_plan.h"

#include "core/error.h"
#include "core/quant/format_config.h"

namespace qs {

namespace {

std::string granularityText(const Granularity& g, const FormatKernel& kernel) {
  switch (g.kind) {
  case GranularityKind::None:
    return "cast";
  case GranularityKind::Tensor:
    return "per tensor";
  case GranularityKind::Channel:
    return "per channel (axis " + std::to_string(g.axis) + ")";
  case GranularityKind::Token:
    return "per token";
  case GranularityKind::Group:
    if (kernel.fixedBlock())
      return "block " + std::to_string(kernel.fixedBlock()) + " along axis " + std::to_string(g.axis);
    return "group " + std::to_string(g.groupSize) + " along axis " + std::to_string(g.axis);
  }
  return "";
}

// The granularity that will be used, with a note when the user's was replaced.
Granularity chooseGranularity(const QuantConfig& config, const FormatKernel& kernel, const Shape& shape,
                              std::string& note) {
  Granularity g = config.granularity.value_or(defaultGranularity(kernel));
  if (const int block = kernel.fixedBlock()) {
    const Granularity fixed{GranularityKind::Group, shape.empty() ? 0 : int(shape.size()) - 1, block};
    if (config.granularity &&
        !(config.granularity->kind == GranularityKind::Group && config.granularity->groupSize == block &&
          (config.granularity->axis == -1 || config.granularity->axis == fixed.axis)))
      note = "granularity fixed by the format";
    return fixed;
  }
  if (g.kind == GranularityKind::None && !kernel.castable()) {
    note = "a plain cast needs a float format: per tensor used";
    g.kind = GranularityKind::Tensor;
  }
  return g;
}

std::string formatLabel(const QuantPlan& plan, const std::string& note) {
  std::string label = plan.kernel->label() + " · " + granularityText(plan.layout.granularity, *plan.kernel);
  if (!plan.cast && !plan.block && plan.config.clipping.method != ClipMethod::MinMax)
    label += std::string(" · clip ") + toString(plan.config.clipping.method);
  if (plan.stochastic())
    label += " · stochastic";
  if (!note.empty())
    label += " (" + note + ")";
  return label;
}

} // namespace

QuantPlan planQuantization(const Tensor& tensor, const QuantConfig& config) {
  const int64_t n = shapeNumel(tensor.shape);
  if (n != tensor.numel())
    throw Error("tensor '" + tensor.name + "' has " + std::to_string(tensor.numel()) +
                " values but its shape " + shapeToString(tensor.shape) + " needs " + std::to_string(n));
  QuantPlan plan;
  plan.config = resolveForTensor(config, tensor.name);
  plan.kernel = makeKernel(plan.config);
  std::string note;
  const Granularity granularity = chooseGranularity(plan.config, *plan.kernel, tensor.shape, note);
  plan.layout = makeLayout(tensor.shape, granularity);
  plan.numel = n;
  plan.segments = n > 0 ? plan.layout.numSegments() : 0;
  plan.cast = granularity.kind == GranularityKind::None;
  plan.block = plan.kernel->fixedBlock() > 0;
  plan.parallel = n >= (int64_t{1} << 18);
  plan.formatLabel = formatLabel(plan, note);
  return plan;
}

} // namespace qs
