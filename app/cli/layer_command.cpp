// `quantscope-cli layer`: one linear layer Y = X W^T quantized by RTN,
// SmoothQuant, AWQ and GPTQ, compared on held-out tokens (core/layer).
#include "app/cli/commands.h"
#include "core/error.h"
#include "core/io/tensor_source.h"
#include "core/layer/layer_compare.h"
#include "core/layer/layer_source.h"
#include "core/layer/synthetic_layer.h"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
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
  --method M               rtn|smoothquant|awq|gptq|all, or a comma list (default all)
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
  --seed S                 seed of the token split (default 0)
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

double toNumber(const std::string& opt, const std::string& v) {
  try {
    size_t used = 0;
    const double d = std::stod(v, &used);
    if (used != v.size() || !std::isfinite(d))
      throw Error("");
    return d;
  } catch (...) {
    throw Error("option " + opt + " needs a number, got '" + v + "'");
  }
}

int64_t toInt(const std::string& opt, const std::string& v) {
  const double d = toNumber(opt, v);
  if (d != std::floor(d) || std::fabs(d) > 9e15)
    throw Error("option " + opt + " needs an integer, got '" + v + "'");
  return int64_t(d);
}

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

LayerArgs parseLayerArgs(const std::vector<std::string>& argv) {
  LayerArgs a;
  LayerOptions& o = a.options;
  Granularity g = *o.weight.granularity;
  bool granularitySet = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& k = argv[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= argv.size())
        throw Error("option " + k + " needs a value");
      return argv[++i];
    };
    if (k == "--weight")
      a.weight = value();
    else if (k == "--input")
      a.input = value();
    else if (k == "--input-file")
      a.inputFile = value();
    else if (k == "--layout")
      a.layout = layoutFromString(value());
    else if (k == "--demo")
      a.demo = true;
    else if (k == "--demo-shape") {
      const std::string& v = value();
      long long o1 = 0, i1 = 0, t1 = 0;
      char tail = 0;
      if (std::sscanf(v.c_str(), "%lldx%lldx%lld%c", &o1, &i1, &t1, &tail) != 3 || o1 < 1 || i1 < 1 || t1 < 2)
        throw Error("--demo-shape needs OUTxINxTOKENS, e.g. 512x512x1024, got '" + v + "'");
      a.demoSpec.outFeatures = o1;
      a.demoSpec.inFeatures = i1;
      a.demoSpec.tokens = t1;
    } else if (k == "--method")
      o.methods = methodsFromString(value());
    else if (k == "--w-format")
      o.weight.format = value();
    else if (k == "--w-granularity") {
      g.kind = granularityKindFromString(value());
      g.axis = g.kind == GranularityKind::Group ? 1 : 0;
      granularitySet = true;
    } else if (k == "--group-size")
      g.groupSize = toInt(k, value());
    else if (k == "--w-asym")
      o.weight.symmetric = false;
    else if (k == "--w-clip")
      o.weight.clipping.method = clipMethodFromString(value());
    else if (k == "--a-format")
      o.activation.format = value();
    else if (k == "--a-mode")
      o.activation.mode = actModeFromString(value());
    else if (k == "--a-clip")
      o.activation.range = actRangeFromString(value());
    else if (k == "--a-percentile")
      o.activation.percentile = toNumber(k, value());
    else if (k == "--a-asym")
      o.activation.symmetric = false;
    else if (k == "--alpha")
      o.smoothAlpha = toNumber(k, value());
    else if (k == "--awq-grid")
      o.awq.gridSteps = int(toInt(k, value()));
    else if (k == "--awq-tokens")
      o.awq.maxSearchTokens = toInt(k, value());
    else if (k == "--act-order")
      o.gptq.actOrder = true;
    else if (k == "--damp")
      o.gptq.dampPercent = toNumber(k, value());
    else if (k == "--block-size")
      o.gptq.blockSize = toInt(k, value());
    else if (k == "--calib-fraction")
      o.calibFraction = toNumber(k, value());
    else if (k == "--calib-count")
      o.calibCount = toInt(k, value());
    else if (k == "--seed")
      o.seed = uint64_t(toInt(k, value()));
    else if (k == "--outliers") {
      const std::string& v = value();
      if (v == "median")
        o.outlierRule = OutlierRule::MedianRatio;
      else if (v == "llm-int8")
        o.outlierRule = OutlierRule::Absolute;
      else
        throw Error("unknown outlier rule '" + v + "' (median, llm-int8)");
    } else if (k == "--json")
      a.json = true;
    else if (!k.empty() && k[0] == '-')
      throw Error("layer: unknown option " + k + " (see quantscope-cli layer --help)");
    else if (a.file.empty())
      a.file = k;
    else
      throw Error("layer: more than one file given");
  }
  (void)granularitySet;
  o.weight.granularity = g;
  return a;
}

nlohmann::json metricsJson(const Metrics& m) {
  auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  return {{"mse", num(m.mse)},
          {"rmse", num(m.rmse)},
          {"sqnr_db", num(m.sqnrDb)},
          {"cosine", num(m.cosine)},
          {"max_abs_error", num(m.maxAbsError)},
          {"count", m.count}};
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
    e["output"] = metricsJson(m.output);
    e["weight"] = metricsJson(m.weight);
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
  for (const auto& a : argv)
    if (a == "-h" || a == "--help") {
      std::cout << kLayerUsage;
      return 0;
    }
  LayerArgs a = parseLayerArgs(argv);
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
    const std::unique_ptr<TensorSource> ws = openTensorFile(a.file);
    std::unique_ptr<TensorSource> xsOwned;
    if (!a.inputFile.empty())
      xsOwned = openTensorFile(a.inputFile);
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
