#include "core/quant/config_check.h"

#include "core/error.h"
#include "core/formats/codebook.h"
#include "core/formats/format_registry.h"

#include <algorithm>
#include <cmath>

namespace qs {
namespace {

// The registry's entry for `name`, or null with findFormat's message in `error`.
const FormatInfo* lookupFormat(const std::string& name, std::string& error) {
  try {
    return &findFormat(name);
  } catch (const Error& e) {
    error = e.what();
    return nullptr;
  }
}

std::string unknownFormat(const std::string& name) {
  std::string error;
  lookupFormat(name, error);
  return error;
}

void checkFormats(const QuantConfig& c, std::vector<ConfigProblem>& out) {
  if (!c.format.empty())
    if (std::string e = unknownFormat(c.format); !e.empty())
      out.push_back({"format", "names an " + e});
  for (size_t i = 0; i < c.overrides.size(); ++i)
    if (!c.overrides[i].format.empty())
      if (std::string e = unknownFormat(c.overrides[i].format); !e.empty())
        out.push_back({"overrides[" + std::to_string(i) + "].format", "names an " + e});
}

void checkCodebook(const QuantConfig& c, std::vector<ConfigProblem>& out) {
  std::string error;
  const FormatInfo* info = lookupFormat(c.format, error);
  if (!info || !info->takesLevels)
    return;
  if (c.codebook.empty()) {
    out.push_back({"codebook", "is empty: format 'codebook' needs levels (config \"codebook\": [...], CLI "
                               "--codebook a,b,c)"});
    return;
  }
  try {
    makeUserCodebook(c.codebook);
  } catch (const Error& e) {
    out.push_back({"codebook", std::string("is refused: ") + e.what()});
  }
}

// HQQ fits affine integer parameters with nearest rounding (core/calib/hqq.h).
void checkHqq(const QuantConfig& c, std::vector<ConfigProblem>& out) {
  if (c.clipping.method != ClipMethod::Hqq)
    return;
  std::string error;
  const FormatInfo* info = lookupFormat(c.format, error);
  if (info && info->family != "integer")
    out.push_back(
        {"clipping.method", "hqq fits the scale and zero point of an integer format, not " + info->label});
  if (c.symmetric)
    out.push_back({"clipping.method", "hqq fits a zero point: it needs affine (asymmetric) integers"});
  if (c.rounding != Rounding::Nearest)
    out.push_back({"rounding", "hqq optimises nearest rounding; stochastic rounding is not its model"});
  if (c.granularity && c.granularity->kind == GranularityKind::None)
    out.push_back({"granularity", "hqq needs scale groups, not a plain cast"});
  if (c.scaleFormat != ScaleFormat::Fp32)
    out.push_back({"scale_format", "is refused with clip hqq: HQQ's fit keeps its scale in fp32"});
}

// MX and GGUF formats fix their own 1-D blocks: a 2-D tile has no place in them.
void checkBlockGranularity(const QuantConfig& c, std::vector<ConfigProblem>& out) {
  if (!c.granularity || c.granularity->kind != GranularityKind::Block)
    return;
  std::string error;
  if (const FormatInfo* info = lookupFormat(c.format, error); info && info->fixedBlock)
    out.push_back({"granularity.kind", "block does not apply to " + info->label + ": its blocks of " +
                                           std::to_string(info->fixedBlock) + " are fixed by the format"});
}

// A scale format needs a scale it can store: fixed blocks (MX, GGUF, NVFP4)
// store theirs in their own format and k-means stores levels, not a scale.
std::string scaleFormatRefusal(const std::string& format, ScaleFormat scaleFormat) {
  if (scaleFormat == ScaleFormat::Fp32 || format.empty())
    return {};
  std::string error;
  const FormatInfo* info = lookupFormat(format, error);
  if (!info || info->takesLevels)
    return {};
  if (info->fixedBlock)
    return "is refused for '" + info->name +
           "': its blocks store their scales in their own format (use fp32)";
  if (info->makeKernel(KernelOptions{})->scaleExport().centroids)
    return "is refused for '" + info->name + "': it stores fitted levels, not a scale (use fp32)";
  return {};
}

void checkScaleFormat(const QuantConfig& c, std::vector<ConfigProblem>& out) {
  if (std::string e = scaleFormatRefusal(c.format, c.scaleFormat); !e.empty())
    out.push_back({"scale_format", e});
  for (size_t i = 0; i < c.overrides.size(); ++i)
    if (std::string e = scaleFormatRefusal(c.overrides[i].format, c.scaleFormat); !e.empty())
      out.push_back({"scale_format", e + " (overrides[" + std::to_string(i) + "])"});
}

} // namespace

std::vector<ConfigProblem> configValueProblems(const QuantConfig& c) {
  std::vector<ConfigProblem> out;
  if (c.format.empty())
    out.push_back({"format", "must not be empty"});
  if (c.granularity) {
    if (!c.granularity->autoAxis() && (c.granularity->axis < -64 || c.granularity->axis > 64))
      out.push_back({"granularity.axis", "out of range: " + std::to_string(c.granularity->axis)});
    if (c.granularity->groupSize < 1)
      out.push_back({"granularity.group_size", "must be >= 1"});
    if (c.granularity->blockRows < 1)
      out.push_back({"granularity.block_rows", "must be >= 1"});
    if (c.granularity->blockCols < 1)
      out.push_back({"granularity.block_cols", "must be >= 1"});
  }
  if (!(c.clipping.percentile >= 0 && c.clipping.percentile <= 100))
    out.push_back({"clipping.percentile", "must be in [0, 100]"});
  // Non-finite numbers have no JSON spelling: the config could not be saved and read back.
  if (!std::isfinite(c.clipping.fixedMin))
    out.push_back({"clipping.min", "must be a finite number"});
  if (!std::isfinite(c.clipping.fixedMax))
    out.push_back({"clipping.max", "must be a finite number"});
  for (size_t i = 0; i < c.codebook.size(); ++i)
    if (!std::isfinite(c.codebook[i])) {
      out.push_back({"codebook[" + std::to_string(i) + "]", "must be a finite float32 level"});
      break;
    }
  if (!(c.clipping.hqqP > 0 && c.clipping.hqqP <= 1))
    out.push_back({"clipping.hqq_p", "must be in (0, 1]"});
  if (c.clipping.hqqIterations < 0 || c.clipping.hqqIterations > 10000)
    out.push_back({"clipping.hqq_iterations", "must be 0 to 10000"});
  if (c.clipping.method == ClipMethod::Fixed && c.clipping.fixedMin > c.clipping.fixedMax)
    out.push_back({"clipping.min", "must not exceed", "clipping.max"});
  for (size_t i = 0; i < c.overrides.size(); ++i)
    if (c.overrides[i].match.empty() || c.overrides[i].format.empty())
      out.push_back({"overrides[" + std::to_string(i) + "]", "needs 'match' and 'format'"});
  return out;
}

std::vector<ConfigProblem> configProblems(const QuantConfig& c) {
  std::vector<ConfigProblem> out = configValueProblems(c);
  checkFormats(c, out);
  checkCodebook(c, out);
  checkHqq(c, out);
  checkBlockGranularity(c, out);
  checkScaleFormat(c, out);
  return out;
}

std::vector<ConfigProblem> configProblems(const QuantConfig& c, const Shape& shape) {
  std::vector<ConfigProblem> out = configProblems(c);
  // The output-channel axis must exist (block formats keep it too); a scalar counts as one axis.
  if (c.granularity && !c.granularity->autoAxis() &&
      (c.granularity->kind == GranularityKind::Channel || c.granularity->kind == GranularityKind::Group ||
       c.granularity->kind == GranularityKind::Block)) {
    const int rank = std::max<int>(1, int(shape.size()));
    const int axis = c.granularity->axis;
    if (axis < -rank || axis >= rank)
      out.push_back({"granularity.axis", std::to_string(axis) + " is out of range for a tensor of shape " +
                                             shapeToString(shape)});
  }
  return out;
}

void validateConfig(const QuantConfig& config) {
  if (const auto p = configProblems(config); !p.empty())
    throw Error(p.front().message());
}

void validateConfig(const QuantConfig& config, const Shape& shape) {
  if (const auto p = configProblems(config, shape); !p.empty())
    throw Error(p.front().message());
}

} // namespace qs
