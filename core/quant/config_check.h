#pragma once
// Config validation in one place: the config file parser, the CLI options and
// the GUI's config panel all report what is wrong with a QuantConfig through
// these checks, so they agree on what a valid config is.
#include "core/quant/quant_config.h"
#include "core/tensor.h"

#include <string>
#include <vector>

namespace qs {

struct ConfigProblem {
  std::string key;     // the setting as its JSON path: "granularity.group_size"
  std::string what;    // what is wrong, after the setting's name: "must be >= 1"
  std::string other{}; // the setting a rule compares with ("clipping.max"), or ""
  // "'granularity.group_size' must be >= 1"
  std::string message() const { return "'" + key + "' " + what + (other.empty() ? "" : " '" + other + "'"); }
};

// What a config file alone can get wrong: an empty format, axis beyond
// +-64, group size or block rows/columns < 1, percentile outside [0, 100], a fixed clip range
// with min > max, overrides without pattern or format.
std::vector<ConfigProblem> configValueProblems(const QuantConfig& config);

// The value problems plus unknown formats (also in overrides), codebook
// levels the user codebook refuses, block granularity for MX/GGUF formats, a
// scale format for a format that stores no scale of its own (MX, GGUF, NVFP4
// blocks, k-means) and HQQ's needs (affine integers, fp32 scales).
std::vector<ConfigProblem> configProblems(const QuantConfig& config);
// ... plus a channel/group axis outside a tensor of `shape`.
std::vector<ConfigProblem> configProblems(const QuantConfig& config, const Shape& shape);

// Throws qs::Error with the first problem's message.
void validateConfig(const QuantConfig& config);
void validateConfig(const QuantConfig& config, const Shape& shape);

} // namespace qs
