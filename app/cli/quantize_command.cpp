// `quantscope-cli quantize FILE [--tensor NAME] --format F [...] [--json] [--out R] [--metrics-out M]`
// or with `--recipe R.json` instead of the quantization options.
#include "app/cli/commands.h"
#include "app/cli/quant_options.h"
#include "app/cli/result_json.h"
#include "app/cli/result_output.h"
#include "app/cli/table.h"
#include "app/cli/tensor_input.h"
#include "core/error.h"
#include "core/io/imatrix.h"
#include "core/model/recipe.h"
#include "core/model/tensor_importance.h"
#include "core/pipeline/quantize.h"

#include <fstream>
#include <iostream>
#include <sstream>

namespace qs::cli {

namespace {

const std::string kUsage =
    std::string(
        R"(usage: quantscope-cli quantize FILE [--tensor NAME] (--format F [options] | --recipe R.json) [--json]
                               [--imatrix I] [--out R.safetensors|R.h5 [--no-dequantized]]
                               [--metrics-out M.csv|M.json]
Quantizes one tensor and prints its error metrics (--json: one JSON object).
  --tensor NAME          the tensor (optional when FILE holds exactly one)
  --recipe R.json        take the tensor's config from a plan's recipe ("quantscope.recipe/1",
                         `quantscope-cli plan --export quantscope`) instead of the options below
  --json                 machine-readable output; sqnr_db is null when the error is zero (+inf)
  --imatrix I            a llama.cpp importance matrix (GGUF or legacy .dat): the tensor's entry makes
                         the GGUF formats use llama.cpp's weighted quantizers, as llama-quantize
                         --imatrix does (Q8_0 and the other families ignore it)
  --out R                save the result: codes, scales, zero points, config and the dequantized
                         float32 values, as safetensors (.safetensors) or HDF5 (.h5, .hdf5)
  --no-dequantized       with --out: leave the dequantized values out (they follow from the codes)
  --metrics-out M        save the metrics as CSV (.csv) or JSON (.json), the columns of the GUI export
)") +
    kQuantOptionsHelp;

void printReadable(const QuantResult& r, const std::string& dtype) {
  const Metrics& m = r.metrics;
  std::cout << "tensor   " << r.tensorName << "  " << shapeToString(r.shape) << "  (" << dtype << ")\n"
            << "format   " << r.formatLabel << "\n"
            << "scales   " << r.scales.size() << " " << shapeToString(r.scaleShape) << "\n\n";
  Table t({"metric", "value"});
  for (const MetricInfo& info : metricTable()) {
    const double v = info.value(m);
    if (!info.onlyWhenNonZero || v != 0)
      t.add({info.cliLabel, metricText(info, v)});
  }
  t.print(std::cout);
  if (r.rotation.applied) {
    const RotationReport& h = r.rotation;
    std::cout << "\nrotation Hadamard along rows of " << h.rowLength << ", block " << h.block
              << (h.note.empty() ? "" : " (" + h.note + ")") << "\n"
              << "         excess kurtosis " << fixed(h.kurtosisOriginal, 2) << " -> "
              << fixed(h.kurtosisRotated, 2) << ", absmax " << num(h.absMaxOriginal, 5) << " -> "
              << num(h.absMaxRotated, 5) << ", outlier channels " << r.channels.outlierChannels.size()
              << " -> " << h.channelsRotated.outlierChannels.size() << "\n";
  }
  if (!r.channels.outlierChannels.empty()) {
    std::cout << "\noutlier channels (absmax > 6x median):";
    size_t shown = 0;
    for (int64_t c : r.channels.outlierChannels) {
      if (shown++ == 16) {
        std::cout << " ...";
        break;
      }
      std::cout << ' ' << c;
    }
    std::cout << " (" << r.channels.outlierChannels.size() << ")\n";
  }
  if (!r.topErrors.empty()) {
    std::cout << "\nlargest errors\n";
    Table e({"row", "col", "original", "dequantized", "error"});
    for (size_t i = 0; i < r.topErrors.size() && i < 5; ++i) {
      const TopEntry& x = r.topErrors[i];
      e.add({std::to_string(x.row), std::to_string(x.col), num(x.original, 6), num(x.dequantized, 6),
             num(x.error, 4)});
    }
    e.print(std::cout);
  }
  std::cout << "\ntime     quantize " << fixed(r.quantizeMs, 1) << " ms, analyze " << fixed(r.analyzeMs, 1)
            << " ms\n";
}

// The config a recipe gives the tensor `name`.
QuantConfig configFromRecipe(const std::string& path, const std::string& name) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error("cannot open recipe '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  const Recipe recipe = recipeFromJson(text.str(), path);
  const RecipeTensor* entry = recipe.find(name);
  if (!entry)
    throw Error(path + ": the recipe has no tensor '" + name + "'");
  if (entry->keep)
    throw Error(path + ": the recipe keeps tensor '" + name + "' unquantized");
  return entry->config;
}

} // namespace

int runQuantize(const Args& argv) {
  const std::optional<ParsedArgs> parsed =
      parseTensorCommand(argv,
                         {{"json", false},
                          {"out", true},
                          {"no-dequantized", false},
                          {"metrics-out", true},
                          {"recipe", true},
                          {"imatrix", true}},
                         kUsage, {"out", "metrics-out", "recipe", "imatrix"});
  if (!parsed)
    return 0;
  const ParsedArgs& a = *parsed;
  if (a.has("no-dequantized") && !a.has("out"))
    throw UsageError("--no-dequantized needs --out", kUsage);
  if (a.has("recipe"))
    for (const OptionSpec& s : quantOptionSpecs())
      if (a.has(s.name))
        throw UsageError("--recipe gives the whole config; drop --" + s.name, kUsage);
  QuantConfig config = a.has("recipe") ? QuantConfig{} : configFromOptions(a, true);
  Tensor t = loadTensor(a.positional[0], a.get("tensor"));
  if (a.has("imatrix"))
    attachImportance(t, readImatrix(a.get("imatrix")));
  if (a.has("recipe"))
    config = configFromRecipe(a.get("recipe"), t.name);
  validateForTensor(resolveForTensor(config, t.name), t.shape, a);
  AnalysisOptions opt;
  opt.keepCodes = a.has("out"); // the codes are only needed for the result file
  const std::shared_ptr<const QuantResult> r = quantize(t, config, opt);
  // Write the files before printing, so a failed write leaves only the error on the terminal.
  std::vector<std::string> wrote;
  if (a.has("out"))
    wrote.push_back(writeResultFile(a.get("out"), *r, !a.has("no-dequantized")));
  if (a.has("metrics-out"))
    wrote.push_back(writeMetricsFile(a.get("metrics-out"), {r}));
  if (a.has("json")) {
    nlohmann::json j = resultJson(*r, t.storedDtype);
    if (a.has("out"))
      j["out"] = a.get("out");
    if (a.has("metrics-out"))
      j["metrics_out"] = a.get("metrics-out");
    std::cout << j.dump(2) << '\n';
  } else {
    printReadable(*r, t.storedDtype);
    for (const std::string& line : wrote)
      std::cout << line << '\n';
  }
  return 0;
}

} // namespace qs::cli
