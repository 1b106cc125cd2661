#include "core/pipeline/quant_plan.h"

#include "core/axis_layout.h"
#include "core/error.h"
#include "core/quant/format_config.h"

namespace qs {

namespace {

// "axis 0" or, with the roles known, "axis 3 (out of [kh, kw, in, out])".
std::string axisText(int axis, const Shape& shape) {
  const std::string names = axisNames(shape, axis);
  return "axis " + std::to_string(axis) + (names.empty() ? "" : " of " + names);
}

std::string granularityText(const SegmentLayout& L, const FormatKernel& kernel, const Shape& shape) {
  const Granularity& g = L.granularity;
  switch (g.kind) {
  case GranularityKind::None:
    return "cast";
  case GranularityKind::Tensor:
    return "per tensor";
  case GranularityKind::Channel:
    return "per channel (" + axisText(g.axis, shape) + ")";
  case GranularityKind::Token:
    return "per token";
  case GranularityKind::Group: {
    const std::string unit = kernel.fixedBlock() ? "block " + std::to_string(kernel.fixedBlock())
                                                 : "group " + std::to_string(g.groupSize);
    if (shape.size() <= 1)
      return unit;
    return unit + " along rows of " + std::to_string(L.cols) + " (channels on " + axisText(g.axis, shape) +
           ")";
  }
  }
  return "";
}

// The granularity that will be used, with a note when the user's was replaced.
Granularity chooseGranularity(const QuantConfig& config, const FormatKernel& kernel, const Tensor& tensor,
                              std::string& note) {
  Granularity g = config.granularity.value_or(defaultGranularity(kernel));
  if (const int block = kernel.fixedBlock()) {
    // Blocks run along each output channel's row, like groups.
    if (config.granularity &&
        !(config.granularity->kind == GranularityKind::Group && config.granularity->groupSize == block))
      note = "granularity fixed by the format";
    const bool keepsAxis = config.granularity && (config.granularity->kind == GranularityKind::Group ||
                                                  config.granularity->kind == GranularityKind::Channel);
    g = Granularity{GranularityKind::Group, keepsAxis ? config.granularity->axis : kAutoAxis, block};
  } else if (g.kind == GranularityKind::None && !kernel.castable()) {
    note = "a plain cast needs a float format: per tensor used";
    g.kind = GranularityKind::Tensor;
  }
  if (g.kind == GranularityKind::Channel || g.kind == GranularityKind::Group)
    g.axis = resolveAxis(g, tensor.shape, tensor.layout);
  return g;
}

// What the user should know about the segments: a padded last block, or
// groups so small that their scales outweigh the values.
void segmentNotes(const QuantPlan& plan, std::string& note) {
  const SegmentLayout& L = plan.layout;
  auto add = [&](const std::string& s) { note += (note.empty() ? "" : "; ") + s; };
  if (plan.block && L.cols % L.segLen != 0 && plan.numel > 0)
    add("each row of " + std::to_string(L.cols) + " ends in a block of " + std::to_string(L.cols % L.segLen) +
        ", padded");
  if (!plan.block && !plan.cast && L.granularity.kind == GranularityKind::Group && plan.numel > 0) {
    const double overhead = plan.kernel->overheadBitsPerSegment() / double(L.segLen);
    if (overhead >= plan.kernel->codeBits())
      add("groups of " + std::to_string(L.segLen) + ": each scale costs more bits than the values it serves");
  }
}

std::string formatLabel(const QuantPlan& plan, const Shape& shape, const std::string& note) {
  std::string label = plan.kernel->label() + " · " + granularityText(plan.layout, *plan.kernel, shape);
  if (!plan.cast && !plan.block && plan.config.clipping.method != ClipMethod::MinMax)
    label += std::string(" · clip ") + toString(plan.config.clipping.method);
  if (plan.stochastic())
    label += " · stochastic";
  if (plan.weighted)
    label += " · imatrix";
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
  const Granularity granularity = chooseGranularity(plan.config, *plan.kernel, tensor, note);
  plan.layout = makeLayout(tensor.shape, granularity);
  plan.numel = n;
  plan.segments = n > 0 ? plan.layout.numSegments() : 0;
  plan.cast = granularity.kind == GranularityKind::None;
  plan.block = plan.kernel->fixedBlock() > 0;
  plan.parallel = n >= (int64_t{1} << 18);
  plan.weighted = tensor.importance && plan.block && plan.kernel->usesImportance();
  if (plan.weighted) // a wrong size is an error before any work
    importanceIndex(tensor.name, tensor.shape, int64_t(tensor.importance->size()));
  segmentNotes(plan, note);
  plan.formatLabel = formatLabel(plan, tensor.shape, note);
  return plan;
}

} // namespace qs
