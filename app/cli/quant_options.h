#pragma once
// The quantization options shared by `quantize` and `sweep` (and usable by
// other commands): they build a QuantConfig, starting from --config CFG.json
// when given, each command-line option overriding the file.
#include "app/cli/options.h"
#include "core/quant/quant_config.h"
#include "core/tensor.h"

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace qs::cli {

// --format --granularity --axis --group-size --asymmetric --clip --percentile
// --two-sided --clip-min --clip-max --rounding --seed --config --codebook
// --scale-format
std::vector<OptionSpec> quantOptionSpecs();
extern const char* const kQuantOptionsHelp;

// Throws UsageError / qs::Error. `requireFormat`: --format (or the config's) must be given.
// The config is checked by configProblems (core/quant/config_check.h).
QuantConfig configFromOptions(const ParsedArgs& args, bool requireFormat);
// Throws unless `config` fits a tensor of `shape` (the channel/group axis).
void validateForTensor(const QuantConfig& config, const Shape& shape, const ParsedArgs& args);

// The common start of a command that quantizes one tensor file: parses the
// quantization options plus `extra` and --tensor; prints `usage` and returns
// nothing for --help; throws UsageError unless exactly one FILE is given or
// when an option of `fileOptions` has an empty file name.
std::optional<ParsedArgs> parseTensorCommand(const std::vector<std::string>& argv,
                                             std::vector<OptionSpec> extra, const std::string& usage,
                                             std::initializer_list<const char*> fileOptions);

} // namespace qs::cli
