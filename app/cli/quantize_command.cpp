// `quantscope-cli quantize FILE [--tensor NAME] --format F [...] [--json] [--out R] [--metrics-out M]`
#include "app/cli/commands.h"
#include "app/cli/quant_options.h"
#include "app/cli/result_json.h"
#include "app/cli/result_output.h"
#include "app/cli/table.h"
#include "app/cli/tensor_input.h"
#include "core/pipeline/quantize.h"

#include <iostream>

namespace qs::cli {

namespace {

const std::string kUsage =
    std::string(R"(usage: quantscope-cli quantize FILE [--tensor NAME] --format F [options] [--json]
                               [--out R.safetensors|R.h5 [--no-dequantized]] [--metrics-out M.csv|M.json]
Quantizes one tensor and prints its error metrics (--json: one JSON object).
  --tensor NAME          the tensor (optional when FILE holds exactly one)
  --json                 machine-readable output; sqnr_db is null when the error is zero (+inf)
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
  t.add({"mse", num(m.mse)});
  t.add({"rmse", num(m.rmse)});
  t.add({"max |error|", num(m.maxAbsError)});
  t.add({"sqnr (dB)", fixed(m.sqnrDb, 2)});
  t.add({"cosine", fixed(m.cosine, 6)});
  t.add({"clipped", percent(m.clippedFraction)});
  t.add({"bits/element", fixed(m.bitsPerElement, 3)});
  t.add({"code entropy (bits)", fixed(m.codeEntropyBits, 3)});
  t.add({"values", std::to_string(m.count)});
  if (m.nonFinite)
    t.add({"non-finite (skipped)", std::to_string(m.nonFinite)});
  t.print(std::cout);
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

} // namespace

int runQuantize(const Args& argv) {
  const std::optional<ParsedArgs> parsed = parseTensorCommand(
      argv, {{"json", false}, {"out", true}, {"no-dequantized", false}, {"metrics-out", true}}, kUsage,
      {"out", "metrics-out"});
  if (!parsed)
    return 0;
  const ParsedArgs& a = *parsed;
  if (a.has("no-dequantized") && !a.has("out"))
    throw UsageError("--no-dequantized needs --out", kUsage);
  const QuantConfig config = configFromOptions(a, true);
  const Tensor t = loadTensor(a.positional[0], a.get("tensor"));
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
