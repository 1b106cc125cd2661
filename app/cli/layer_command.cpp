// `quantscope-cli layer`: one linear layer Y = X W^T quantized by RTN,
// SmoothQuant, AWQ and GPTQ, compared on held-out tokens (core/layer).
#include "app/cli/commands.h"
#include "app/cli/options.h"
#include "app/cli/result_json.h"
#include "core/error.h"
#include "core/io/model_source.h"
#include "core/io/tensor_source.h"
#include "core/layer/layer_compare.h"
#include "core/layer/layer_source.h"
#include "core/layer/synthetic_layer.h"

#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace qs::cli {

namespace {

const char* kLayerUsage = R"(usage: quantscope-cli layer FILE --weight NAME --input NAME [options]
       quantscope-cli layer --demo [options]
Compares RTN, SmoothQuant, AWQ and GPTQ on one linear layer Y = X W^T: the
tokens of X are split into calibration and held-out evaluation tokens, and
every method's output is measured against the float output on the held-out
tokens. W: [out, in] or a 1x1 convolution [out, in, 1, 1]. X: [tokens, in],
[B, S, in] (-> [B*S, in]) or [N, in, H, W] (-> permute -> [N*H*W, in]).
Without --weight/--input, a file with exactly one <prefix>weight +
<prefix>input pair uses that pair.

inputs
  --weight NAME            weight tensor in FILE
  --input NAME             activation tensor (in FILE or --input-file)
  --input-file FILE2       read the activations from another file
  --layout L               auto|tokens|batch-seq|nchw|nhwc (default auto)
  --demo                   a synthetic LLM-like layer (outlier channels 50-100x)
  --demo-shape OxIxT       demo size (default 512x512x1024)
methods
  --method M               rtn|smoothquant|awq|gptq|hadamard|all, or a comma list (default all)
weights
  --w-format F             core format name (default int4)
  --w-granularity G        tensor|channel|group|token|none (default group)
  --group-size G           group size along the input axis (default 128)
  --w-asym                 asymmetric (affine) weight grid
  --w-clip C               minmax|percentile|mse|kl (default minmax; GPTQ uses minmax)
activations
  --a-format F             float (default: weight-only) or a format, e.g. int8, fp8_e4m3fn
  --a-mode M               static|dynamic-tensor|dynamic-token (default static)
  --a-clip C               minmax|percentile|mse|kl|histogram-l2 (static ranges; default minmax)
  --a-percentile P         for --a-clip percentile (default 99.99)
  --a-asym                 asymmetric activation grid
method options
  --alpha A                SmoothQuant migration strength in [0, 1] (default 0.5)
  --awq-grid N             AWQ grid steps: alpha = k/N, k = 0..N (default 20)
  --awq-tokens N           calibration tokens used by the AWQ search (default 512, 0 = all)
  --act-order              GPTQ: columns in order of decreasing Hessian diagonal
  --damp P                 GPTQ damping, fraction of mean diag(H) (default 0.01)
  --block-size B           GPTQ lazy-batch block (default 128)
split and statistics
  --calib-fraction F       share of tokens used for calibration (default 0.5)
  --calib-count N          number of calibration tokens (overrides the fraction)
  --seed S                 seed of the token split and of the Hadamard signs (default 0)
  --outliers R             median (absmax > 6 x median, default) | llm-int8 (|x| > 6)
  --json                   print the report as JSON
)";

struct LayerArgs {
  std::string file, weight, input, inputFile;
  ActivationLayout layout = ActivationLayout::Auto;
  bool demo = false, json = false;
  SyntheticLayerSpec demoSpec;
  LayerOptions options;
};

ActivationLayout layoutFromString(const std::string& s) {
  for (ActivationLayout l : {ActivationLayout::Auto, ActivationLayout::Tokens, ActivationLayout::BatchSeq,
                             ActivationLayout::Nchw, ActivationLayout::Nhwc})
    if (s == toString(l))
      return l;
  throw Error("unknown layout '" + s + "' (auto, tokens, batch-seq, nchw, nhwc)");
}

std::vector<LayerMethod> methodsFromString(const std::string& s) {
  if (s == "all")
    return allLayerMethods();
  std::vector<LayerMethod> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    out.push_back(layerMethodFromString(item));
  if (out.empty())
    throw Error("--method needs a method name");
  return out;
}

std::vector<OptionSpec> layerOptionSpecs() {
  std::vector<OptionSpec> specs;
  for (const char* v : {"weight",     "input",          "input-file",  "layout",   "demo-shape", "method",
                        "w-format",   "w-granularity",  "group-size",  "w-clip",   "a-format",   "a-mode",
                        "a-clip",     "a-percentile",   "alpha",       "awq-grid", "awq-tokens", "damp",
                        "block-size", "calib-fraction", "calib-count", "seed",     "outliers"})
    specs.push_back({v, true});
  for (const char* f : {"demo", "w-asym", "a-asym", "act-order", "json"})
    specs.push_back({f, false});
  return specs;
}

SyntheticLayerSpec demoShape(const std::string& v, SyntheticLayerSpec spec) {
  long long o1 = 0, i1 = 0, t1 = 0;
  char tail = 0;
  if (std::sscanf(v.c_str(), "%lldx%lldx%lld%c", &o1, &i1, &t1, &tail) != 3 || o1 < 1 || i1 < 1 || t1 < 2)
    throw Error("--demo-shape needs OUTxINxTOKENS, e.g. 512x512x1024, got '" + v + "'");
  spec.outFeatures = o1;
  spec.inFeatures = i1;
  spec.tokens = t1;
  return spec;
}

OutlierRule outlierRule(const std::string& v) {
  if (v == "median")
    return OutlierRule::MedianRatio;
  if (v == "llm-int8")
    return OutlierRule::Absolute;
  throw Error("unknown outlier rule '" + v + "' (median, llm-int8)");
}

// The weight, activation and method options of LayerOptions.
void applyMethodOptions(const ParsedArgs& p, LayerOptions& o) {
  if (p.has("method"))
    o.methods = methodsFromString(p.get("method"));
  o.weight.format = p.get("w-format", o.weight.format);
  Granularity g = *o.weight.granularity;
  if (p.has("w-granularity")) {
    g.kind = granularityKindFromString(p.get("w-granularity"));
    g.axis = 0; // the weight [out, in]: channels on axis 0, groups along the input axis
  }
  g.groupSize = p.getInt("group-size", g.groupSize);
  o.weight.granularity = g;
  if (p.has("w-asym"))
    o.weight.symmetric = false;
  if (p.has("w-clip"))
    o.weight.clipping.method = clipMethodFromString(p.get("w-clip"));
  o.activation.format = p.get("a-format", o.activation.format);
  if (p.has("a-mode"))
    o.activation.mode = actModeFromString(p.get("a-mode"));
  if (p.has("a-clip"))
    o.activation.range = actRangeFromString(p.get("a-clip"));
  o.activation.percentile = p.getDouble("a-percentile", o.activation.percentile);
  if (p.has("a-asym"))
    o.activation.symmetric = false;
  o.smoothAlpha = p.getDouble("alpha", o.smoothAlpha);
  o.awq.gridSteps = int(p.getInt("awq-grid", o.awq.gridSteps));
  o.awq.maxSearchTokens = p.getInt("awq-tokens", o.awq.maxSearchTokens);
  if (p.has("act-order"))
    o.gptq.actOrder = true;
  o.gptq.dampPercent = p.getDouble("damp", o.gptq.dampPercent);
  o.gptq.blockSize = p.getInt("block-size", o.gptq.blockSize);
  o.calibFraction = p.getDouble("calib-fraction", o.calibFraction);
  o.calibCount = p.getInt("calib-count", o.calibCount);
  o.seed = p.getUnsigned("seed", o.seed);
  if (p.has("outliers"))
    o.outlierRule = outlierRule(p.get("outliers"));
}

// Nothing for --help. Option errors are one-line qs::Errors here: the usage
// is too long to repeat under each.
std::optional<LayerArgs> parseLayerArgs(const std::vector<std::string>& argv) {
  try {
    const ParsedArgs p = parseArgs(argv, layerOptionSpecs(), kLayerUsage);
    if (p.has("help"))
      return std::nullopt;
    if (p.positional.size() > 1)
      throw Error("layer: more than one file given");
    LayerArgs a;
    a.file = p.positional.empty() ? "" : p.positional[0];
    a.weight = p.get("weight");
    a.input = p.get("input");
    a.inputFile = p.get("input-file");
    if (p.has("layout"))
      a.layout = layoutFromString(p.get("layout"));
    a.demo = p.has("demo");
    a.json = p.has("json");
    if (p.has("demo-shape"))
      a.demoSpec = demoShape(p.get("demo-shape"), a.demoSpec);
    applyMethodOptions(p, a.options);
    return a;
  } catch (const UsageError& e) {
    throw Error(std::string("layer: ") + e.what() + " (see quantscope-cli layer --help)");
  }
}

// The layer report's subset of the metric table.
nlohmann::json layerMetricsJson(const Metrics& m) {
  return metricsJson(m, {"mse", "rmse", "sqnr_db", "cosine", "max_abs_error", "count"});
}

nlohmann::json reportJson(const LayerReport& r, const std::string& source, const std::string& how) {
  nlohmann::json j;
  j["schema"] = "quantscope.layer/1";
  j["source"] = source;
  j["flatten"] = how;
  j["out_features"] = r.outFeatures;
  j["in_features"] = r.inFeatures;
  j["calibration_tokens"] = r.calibrationTokens;
  j["evaluation_tokens"] = r.evaluationTokens;
  j["weight"] = r.weightLabel;
  j["activation"] = r.activationLabel;
  j["outlier_channels"] = r.calibration.outlierChannels;
  j["float_output_rms"] = r.floatOutputRms;
  j["methods"] = nlohmann::json::array();
  for (const auto& m : r.methods) {
    nlohmann::json e;
    e["method"] = toString(m.method);
    e["label"] = m.label;
    if (!m.error.empty()) {
      e["error"] = m.error;
      j["methods"].push_back(e);
      continue;
    }
    e["alpha"] = m.alpha >= 0 ? nlohmann::json(m.alpha) : nlohmann::json(nullptr);
    e["output"] = layerMetricsJson(m.output);
    e["weight"] = layerMetricsJson(m.weight);
    e["activation_clipped"] = m.actClipped;
    e["activation_values"] = m.actCount;
    e["activation_clipped_fraction"] = m.actCount ? double(m.actClipped) / double(m.actCount) : 0.0;
    if (!m.gridAlpha.empty()) {
      e["awq_grid_alpha"] = m.gridAlpha;
      e["awq_grid_loss"] = m.gridLoss;
    }
    e["ms"] = m.ms;
    j["methods"].push_back(e);
  }
  j["total_ms"] = r.totalMs;
  return j;
}

void printTable(const LayerReport& r, const std::string& source, const std::string& how) {
  std::printf("layer %s: W [%lld, %lld], X %s\n", source.c_str(), (long long)r.outFeatures,
              (long long)r.inFeatures, how.c_str());
  std::printf("tokens: %lld calibration, %lld held-out evaluation\n", (long long)r.calibrationTokens,
              (long long)r.evaluationTokens);
  std::printf("weights: %s   activations: %s\n", r.weightLabel.c_str(), r.activationLabel.c_str());
  std::printf("outlier channels (calibration): %zu", r.calibration.outlierChannels.size());
  for (size_t i = 0; i < r.calibration.outlierChannels.size() && i < 12; ++i)
    std::printf("%s%lld", i ? ", " : " [", (long long)r.calibration.outlierChannels[i]);
  std::printf("%s\n\n", r.calibration.outlierChannels.empty()
                            ? ""
                            : (r.calibration.outlierChannels.size() > 12 ? ", ...]" : "]"));
  std::printf("%-26s %12s %9s %10s %12s %11s %9s %10s %9s\n", "method", "out MSE", "SQNR dB", "cosine",
              "max |err|", "W MSE", "W SQNR", "A clip %", "ms");
  for (const auto& m : r.methods) {
    if (!m.error.empty()) {
      std::printf("%-26s error: %s\n", m.label.c_str(), m.error.c_str());
      continue;
    }
    const double clip = m.actCount ? 100.0 * double(m.actClipped) / double(m.actCount) : 0.0;
    std::printf("%-26s %12.4e %9.2f %10.6f %12.4e %11.3e %9.2f %10.4f %9.1f\n", m.label.c_str(), m.output.mse,
                m.output.sqnrDb, m.output.cosine, m.output.maxAbsError, m.weight.mse, m.weight.sqnrDb, clip,
                m.ms);
  }
}

} // namespace

int runLayer(const std::vector<std::string>& argv) {
  std::optional<LayerArgs> parsed = parseLayerArgs(argv);
  if (!parsed) {
    std::cout << kLayerUsage;
    return 0;
  }
  LayerArgs& a = *parsed;
  Tensor weight;
  FlatActivations input;
  std::string source;
  if (a.demo) {
    if (!a.file.empty() || !a.weight.empty() || !a.input.empty())
      throw Error("layer: --demo takes no FILE, --weight or --input");
    SyntheticLayer L = makeSyntheticLayer(a.demoSpec);
    weight = std::move(L.weight);
    input = flattenActivations(L.input, weight.shape[1], ActivationLayout::Tokens);
    source = "demo";
  } else {
    if (a.file.empty())
      throw Error(std::string("layer: no FILE given\n") + kLayerUsage);
    const std::unique_ptr<TensorSource> ws = openModel({a.file});
    std::unique_ptr<TensorSource> xsOwned;
    if (!a.inputFile.empty())
      xsOwned = openModel({a.inputFile});
    const TensorSource& xs = xsOwned ? *xsOwned : *ws;
    if (a.weight.empty() != a.input.empty() || (a.weight.empty() && xsOwned))
      throw Error("layer: give both --weight and --input");
    if (a.weight.empty()) {
      const std::vector<LayerPair> pairs = findLayerPairs(*ws);
      if (pairs.size() != 1)
        throw Error("layer: " + a.file + " has " + std::to_string(pairs.size()) +
                    " weight/input pairs; choose with --weight and --input");
      a.weight = pairs[0].weight;
      a.input = pairs[0].input;
    }
    LayerOperands ops = loadLayerOperands(*ws, a.weight, xs, a.input, a.layout);
    weight = std::move(ops.weight);
    input = std::move(ops.input);
    source = a.file + ":" + a.weight + " x " + (a.inputFile.empty() ? a.file : a.inputFile) + ":" + a.input;
  }
  const LayerReport r = runLayerComparison(weight, input.tokens, a.options);
  if (a.json)
    std::cout << reportJson(r, source, input.how).dump(2) << '\n';
  else
    printTable(r, source, input.how);
  return 0;
}

} // namespace qs::cli
