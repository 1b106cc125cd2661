// `quantscope-cli sweep FILE [--tensor NAME] --formats a,b,c [options] [--json|--csv] [--metrics-out M]`
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
    std::string(
        R"(usage: quantscope-cli sweep FILE [--tensor NAME] --formats F1,F2,... [options] [--json|--csv]
Quantizes one tensor with each format (the other options apply to all) and
prints one row per format.
  --tensor NAME          the tensor (optional when FILE holds exactly one)
  --formats LIST         comma-separated format names, e.g. int8,int4,nf4,fp8_e4m3,mxfp4,q4_0
  --json | --csv         machine-readable output
  --metrics-out M        also save the full metrics, one row per format, as CSV (.csv) or JSON (.json)
)") +
    kQuantOptionsHelp;

} // namespace

int runSweep(const Args& argv) {
  const std::optional<ParsedArgs> parsed =
      parseTensorCommand(argv, {{"formats", true}, {"json", false}, {"csv", false}, {"metrics-out", true}},
                         kUsage, {"metrics-out"});
  if (!parsed)
    return 0;
  const ParsedArgs& a = *parsed;
  if (a.has("format"))
    throw UsageError("sweep takes --formats (a list), not --format", kUsage);
  if (a.has("json") && a.has("csv"))
    throw UsageError("--json and --csv exclude each other", kUsage);
  const std::vector<std::string> formats = a.getList("formats");
  if (formats.empty())
    throw UsageError("--formats is required", kUsage);
  const QuantConfig base = configFromOptions(a, false);
  const Tensor t = loadTensor(a.positional[0], a.get("tensor"));

  AnalysisOptions opt;
  opt.keepCodes = false;
  opt.topK = 0;
  nlohmann::json rows = nlohmann::json::array();
  Table table({"format", "config", "bits/elem", "mse", "sqnr dB", "cosine", "max |err|", "clipped", "ms"});
  ResultList results;
  for (const std::string& f : formats) {
    QuantConfig c = base;
    c.format = f;
    const auto r = quantize(t, c, opt);
    if (!opt.summary) // later formats skip the input-only analysis
      opt.summary = TensorSummary::fromResult(*r, opt.topK);
    if (a.has("metrics-out")) // a result holds the dequantized tensor: keep only what is written
      results.push_back(r);
    const Metrics& m = r->metrics;
    if (a.has("json")) {
      nlohmann::json j;
      j["format"] = f;
      j["format_label"] = r->formatLabel;
      j["metrics"] = metricsJson(m);
      j["timing_ms"] = r->quantizeMs + r->analyzeMs;
      rows.push_back(j);
    }
    table.add({f, r->formatLabel, fixed(m.bitsPerElement, 3), num(m.mse), fixed(m.sqnrDb, 2),
               fixed(m.cosine, 6), num(m.maxAbsError), percent(m.clippedFraction),
               fixed(r->quantizeMs + r->analyzeMs, 1)});
  }
  std::string wrote;
  if (a.has("metrics-out"))
    wrote = writeMetricsFile(a.get("metrics-out"), results);
  if (a.has("json")) {
    nlohmann::json out{{"tensor", t.name}, {"shape", t.shape}, {"results", rows}};
    if (a.has("metrics-out"))
      out["metrics_out"] = a.get("metrics-out");
    std::cout << out.dump(2) << '\n';
  } else if (a.has("csv")) {
    table.printCsv(std::cout); // stdout stays pure CSV
  } else {
    std::cout << "tensor " << t.name << "  " << shapeToString(t.shape) << "  (" << t.storedDtype << ")\n\n";
    table.print(std::cout);
    if (!wrote.empty())
      std::cout << '\n' << wrote << '\n';
  }
  return 0;
}

} // namespace qs::cli
