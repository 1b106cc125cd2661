#pragma once
// The quantization options shared by `quantize` and `sweep` (and usable by
// other commands): they build a QuantConfig, starting from --config CFG.json
// when given, each command-line option overriding the file.
#include "app/cli/options.h"
#include "core/quant/quant_config.h"

#include <string>
#include <vector>

namespace qs::cli {

// --format --granularity --axis --group-size --asymmetric --clip --percentile
// --two-sided --clip-min --clip-max --rounding --seed --config --codebook
std::vector<OptionSpec> quantOptionSpecs();
extern const char* const kQuantOptionsHelp;

// Throws UsageError / qs::Error. `requireFormat`: --format (or the config's) must be given.
QuantConfig configFromOptions(const ParsedArgs& args, bool requireFormat);

} // namespace qs::cli
