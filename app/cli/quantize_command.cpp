// `quantscope-cli quantize FILE [--tensor NAME] --format F [...] [--json]`
#include "app/cli/commands.h"
#include "app/cli/quant_options.h"
#include "app/cli/result_json.h"
#include "app/cli/table.h"
#include "app/cli/tensor_input.h"
#include "core/quant/quantize.h"

#include <iostream>

namespace qs::cli {

namespace {

const std::string kUsage =
    std::string(R"(usage: quantscope-cli quantize FILE [--tensor NAME] --format F [options] [--json]
Quantizes one tensor and prints its error metrics (--json: one JSON object).
  --tensor NAME          the tensor (optional when FILE holds exactly one)
  --json                 machine-readable output; sqnr_db is null when the error is zero (+inf)
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
  std::vector<OptionSpec> specs = quantOptionSpecs();
  specs.push_back({"tensor", true});
  specs.push_back({"json", false});
  const ParsedArgs a = parseArgs(argv, specs, kUsage);
  if (a.has("help")) {
    std::cout << kUsage;
    return 0;
  }
  if (a.positional.size() != 1)
    throw UsageError(a.positional.empty() ? "FILE is missing" : "more than one FILE given", kUsage);
  const QuantConfig config = configFromOptions(a, true);
  const Tensor t = loadTensor(a.positional[0], a.get("tensor"));
  AnalysisOptions opt;
  opt.keepCodes = false;
  const auto r = quantize(t, config, opt);
  if (a.has("json"))
    std::cout << resultJson(*r, t.storedDtype).dump(2) << '\n';
  else
    printReadable(*r, t.storedDtype);
  return 0;
}

} // namespace qs::cli
