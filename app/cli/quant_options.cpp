#include "app/cli/quant_options.h"

#include "core/error.h"
#include "core/formats/format_registry.h"
#include "core/quant/config_check.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

namespace qs::cli {

namespace {

// The format's usual group (its registry entry); 128 for a name the config check will refuse.
int64_t usualGroupSize(const std::string& format) {
  try {
    return findFormat(format).groupSize;
  } catch (const Error&) {
    return 128;
  }
}

// "--block RxC" (also "R,C"): whole numbers; their range is the config check's.
void parseBlockSize(const ParsedArgs& a, Granularity& g) {
  const std::string text = a.get("block");
  const size_t x = text.find_first_of("xX,*");
  auto number = [&](const std::string& part, int64_t& out) {
    size_t used = 0;
    try {
      out = std::stoll(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    return !part.empty() && used == part.size();
  };
  int64_t rows = 0, cols = 0;
  if (x == std::string::npos || !number(text.substr(0, x), rows) || !number(text.substr(x + 1), cols))
    throw UsageError("--block needs RxC, e.g. 128x128 (got '" + text + "')", a.usage);
  g.blockRows = rows;
  g.blockCols = cols;
}

} // namespace

const char* const kQuantOptionsHelp = R"(quantization options
  --format F             number format (see `quantscope-cli formats`), e.g. int8, int4, nf4, fp8_e4m3, q4_0
  --granularity G        none|tensor|channel|group|token|block (default: the format's: none for
                         FP16/BF16/TF32/FP32, tensor for FP8/FP6/FP4, channel for integers and codebooks,
                         the block of MX/GGUF, block 128x128 for fp8_block)
  --axis A|auto          the output-channel axis: channel scales along it; groups and blocks run along
                         every other axis, flattened ([out, in*kh*kw]). auto (default): inferred from
                         the file (PyTorch/safetensors/GGUF [out, in, ...] -> 0, Keras kernels -> last,
                         ONNX from the node that uses the weight)
  --group-size G         elements per group (default: the format's usual, 128; 64 for NF4/FP4 codebooks)
  --block RxC            tile of block granularity: R output channels x C of the other axes
                         flattened, one scale per tile, edge tiles smaller (default 128x128)
  --asymmetric           affine grid with a zero point (PyTorch MinMaxObserver) instead of symmetric
  --clip M               minmax|percentile|mse|kl|fixed|hqq (default minmax); hqq fits scale and zero
                         point of affine integers (with --asymmetric) by HQQ's half-quadratic solver
  --percentile P         for --clip percentile (default 99.99)
  --two-sided            percentile of x on both sides instead of |x|
  --clip-min X --clip-max Y   for --clip fixed
  --hqq-iters N          for --clip hqq: solver steps at most (default 20; it stops early)
  --hqq-p P              for --clip hqq: the l_p norm of the error, 0 < P <= 1 (default 0.7)
  --hqq-scale            for --clip hqq: search the scale too (HQQ's v2 solver with its scale grid search)
  --rounding R           nearest|stochastic (default nearest)
  --seed S               seed for stochastic rounding, k-means and the rotation's signs (default 0)
  --rotation R           none|hadamard (default none): quantize H·D·x/sqrt(b) along the reduction axis
                         (D seeded random signs, b the largest power of two dividing the row length)
                         and rotate the dequantized values back; metrics stay in the original basis
  --codebook a,b,c       levels for --format codebook
  --scale-format S       how each fitted scale is stored: fp32 (default)|fp16|bf16|e4m3|ue8m0|ue8m0-floor|
                         ue8m0-ceil|ue8m0-round|int8dq (bitsandbytes' double quantization); ue8m0 is
                         ue8m0-ceil. Scaled formats only (MX/GGUF/NVFP4 blocks store their own)
  --config CFG.json      start from a quantscope.config/2 (or /1) file (options above override it)
)";

std::vector<OptionSpec> quantOptionSpecs() {
  return {{"format", true},      {"granularity", true}, {"axis", true},       {"group-size", true},
          {"asymmetric", false}, {"clip", true},        {"percentile", true}, {"two-sided", false},
          {"clip-min", true},    {"clip-max", true},    {"rounding", true},   {"seed", true},
          {"codebook", true},    {"config", true},      {"hqq-iters", true},  {"hqq-p", true},
          {"hqq-scale", false},  {"block", true},       {"rotation", true},   {"scale-format", true}};
}

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error("cannot open config file '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The option that sets a config key, for messages in the user's terms.
const char* optionFor(const std::string& key) {
  static const std::pair<const char*, const char*> kOptions[] = {{"format", "format"},
                                                                 {"granularity.axis", "axis"},
                                                                 {"granularity.group_size", "group-size"},
                                                                 {"granularity.block_rows", "block"},
                                                                 {"granularity.block_cols", "block"},
                                                                 {"clipping.percentile", "percentile"},
                                                                 {"clipping.min", "clip-min"},
                                                                 {"clipping.max", "clip-max"},
                                                                 {"clipping.hqq_iterations", "hqq-iters"},
                                                                 {"clipping.hqq_p", "hqq-p"},
                                                                 {"codebook", "codebook"},
                                                                 {"scale_format", "scale-format"}};
  for (const auto& [k, o] : kOptions)
    if (key == k)
      return o;
  return nullptr;
}

// A setting given as an option is named as the option, one from a --config
// file by its key, prefixed with the file. Range problems of options are
// usage errors (the usage follows); the rest are plain errors.
void throwFirstProblem(const std::vector<ConfigProblem>& problems, const ParsedArgs& a, bool usage) {
  if (problems.empty())
    return;
  const ConfigProblem& p = problems.front();
  auto name = [&](const std::string& key) {
    const char* o = optionFor(key);
    return o && a.has(o) ? std::string("--") + o : "'" + key + "'";
  };
  const std::string text = name(p.key) + " " + p.what + (p.other.empty() ? "" : " " + name(p.other));
  const bool fromOption = text[0] == '-';
  if (usage && fromOption)
    throw UsageError(text, a.usage);
  throw Error(!fromOption && a.has("config") ? a.get("config") + ": " + text : text);
}

} // namespace

QuantConfig configFromOptions(const ParsedArgs& a, bool requireFormat) {
  QuantConfig c;
  bool haveFormat = false;
  if (a.has("config")) {
    const std::string path = a.get("config");
    try {
      c = configFromJson(readFile(path));
    } catch (const Error& e) {
      throw Error(path + ": " + e.what());
    }
    haveFormat = true;
  }
  if (a.has("format")) {
    c.format = a.get("format");
    haveFormat = true;
  }
  if (requireFormat && !haveFormat)
    throw UsageError("--format is required", a.usage);
  if (a.has("granularity") || a.has("axis") || a.has("group-size") || a.has("block")) {
    Granularity g = c.granularity.value_or(Granularity{});
    if (a.has("granularity")) {
      g.kind = granularityKindFromString(a.get("granularity"));
      if (!a.has("group-size") && !c.granularity && !c.format.empty())
        g.groupSize = usualGroupSize(c.format);
    } else if (!c.granularity) {
      throw UsageError("--axis, --group-size and --block need --granularity", a.usage);
    }
    if (a.has("axis"))
      g.axis = a.get("axis") == "auto" ? kAutoAxis : int(a.getInt("axis", 0));
    g.groupSize = a.getInt("group-size", g.groupSize);
    if (a.has("block"))
      parseBlockSize(a, g);
    c.granularity = g;
  }
  if (a.has("asymmetric"))
    c.symmetric = false;
  if (a.has("clip"))
    c.clipping.method = clipMethodFromString(a.get("clip"));
  c.clipping.percentile = a.getDouble("percentile", c.clipping.percentile);
  if (a.has("two-sided"))
    c.clipping.twoSided = true;
  if (a.has("clip-min") != a.has("clip-max"))
    throw UsageError("--clip-min and --clip-max go together", a.usage);
  if (a.has("clip-min")) {
    c.clipping.fixedMin = a.getDouble("clip-min", 0);
    c.clipping.fixedMax = a.getDouble("clip-max", 0);
    if (!a.has("clip"))
      c.clipping.method = ClipMethod::Fixed;
  }
  c.clipping.hqqIterations =
      int(std::clamp<int64_t>(a.getInt("hqq-iters", c.clipping.hqqIterations), -1, 100000));
  c.clipping.hqqP = a.getDouble("hqq-p", c.clipping.hqqP);
  if (a.has("hqq-scale"))
    c.clipping.hqqOptimizeScale = true;
  if (a.has("rounding"))
    c.rounding = roundingFromString(a.get("rounding"));
  c.seed = a.getUnsigned("seed", c.seed);
  if (a.has("rotation"))
    c.rotation = rotationFromString(a.get("rotation"));
  if (a.has("codebook")) {
    c.codebook.clear();
    for (const std::string& s : a.getList("codebook")) {
      size_t used = 0;
      float v = 0;
      try {
        v = std::stof(s, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != s.size())
        throw UsageError("--codebook needs numbers separated by commas (got '" + s + "')", a.usage);
      c.codebook.push_back(v);
    }
  }
  if (a.has("scale-format"))
    c.scaleFormat = scaleFormatFromString(a.get("scale-format"));
  throwFirstProblem(configValueProblems(c), a, true);
  throwFirstProblem(configProblems(c), a, false); // formats, codebook levels
  return c;
}

void validateForTensor(const QuantConfig& config, const Shape& shape, const ParsedArgs& args) {
  throwFirstProblem(configProblems(config, shape), args, false);
}

std::optional<ParsedArgs> parseTensorCommand(const std::vector<std::string>& argv,
                                             std::vector<OptionSpec> extra, const std::string& usage,
                                             std::initializer_list<const char*> fileOptions) {
  std::vector<OptionSpec> specs = quantOptionSpecs();
  specs.push_back({"tensor", true});
  specs.insert(specs.end(), extra.begin(), extra.end());
  ParsedArgs a = parseArgs(argv, specs, usage);
  if (a.has("help")) {
    std::cout << usage;
    return std::nullopt;
  }
  if (a.positional.size() != 1)
    throw UsageError(a.positional.empty() ? "FILE is missing" : "more than one FILE given", usage);
  for (const char* o : fileOptions)
    if (a.has(o) && a.get(o).empty())
      throw UsageError(std::string("--") + o + " needs a file name", usage);
  return a;
}

} // namespace qs::cli
