// `quantscope-cli sweep FILE [--tensor NAME] --formats a,b,c [options] [--json|--csv] [--metrics-out M]`
#include "app/cli/commands.h"
#include "app/cli/quant_options.h"
#include "app/cli/result_json.h"
#include "app/cli/result_output.h"
#include "app/cli/table.h"
#include "app/cli/tensor_input.h"
#include "core/io/imatrix.h"
#include "core/model/tensor_importance.h"
#include "core/sweep/pareto.h"
#include "core/sweep/sweep_runner.h"

#include <algorithm>

#include <iostream>

namespace qs::cli {

namespace {

const std::string kUsage =
    std::string(
        R"(usage: quantscope-cli sweep FILE [--tensor NAME] --formats F1,F2,... [options] [--imatrix I] [--json|--csv]
Quantizes one tensor with each format (the other options apply to all) and
prints one row per format.
  --tensor NAME          the tensor (optional when FILE holds exactly one)
  --formats LIST         comma-separated format names, e.g. int8,int4,nf4,fp8_e4m3,mxfp4,q4_0
  --sort KEY             row order: input (default), bpe (bits per element, then SQNR best first),
                         sqnr (best first) or mse (best first); the pareto column marks the formats
                         no other beats with fewer or equal bits per element
  --imatrix I            a llama.cpp importance matrix: the tensor's entry makes the GGUF formats use
                         llama.cpp's weighted quantizers (as quantize --imatrix)
  --json | --csv         machine-readable output
  --metrics-out M        also save the full metrics, one row per format, as CSV (.csv) or JSON (.json)
)") +
    kQuantOptionsHelp;

// The metric columns of the table, narrowest first after the config.
const char* const kSweepColumns[] = {"bits_per_element", "mse",           "sqnr_db",
                                     "cosine",           "max_abs_error", "clipped_fraction"};

std::vector<std::string> sweepRow(const std::string& format, const QuantResult& r) {
  std::vector<std::string> row{format, r.formatLabel};
  for (const char* k : kSweepColumns)
    row.push_back(metricText(metricInfo(k), metricInfo(k).value(r.metrics)));
  row.push_back(fixed(r.quantizeMs + r.analyzeMs, 1));
  return row;
}

nlohmann::json sweepRowJson(const std::string& format, const QuantResult& r, bool pareto) {
  nlohmann::json j;
  j["format"] = format;
  j["format_label"] = r.formatLabel;
  j["bits_per_element"] = r.metrics.bitsPerElement;
  j["pareto"] = pareto;
  j["metrics"] = metricsJson(r.metrics);
  j["timing_ms"] = r.quantizeMs + r.analyzeMs;
  return j;
}

struct SweepRow {
  std::string label;
  std::shared_ptr<const QuantResult> result; // its dequantized tensor released
  bool pareto = false;
};

// Marks the Pareto front and puts the rows in the order --sort asks for.
void orderRows(std::vector<SweepRow>& rows, const std::string& sort, const std::string& usage) {
  std::vector<CostQuality> points;
  for (const SweepRow& row : rows)
    points.push_back({row.result->metrics.bitsPerElement, row.result->metrics.sqnrDb});
  for (size_t i : paretoFront(points))
    rows[i].pareto = true;
  auto by = [](auto key) {
    return [key](const SweepRow& a, const SweepRow& b) {
      return key(a.result->metrics) < key(b.result->metrics);
    };
  };
  if (sort == "bpe")
    std::stable_sort(rows.begin(), rows.end(), [](const SweepRow& a, const SweepRow& b) {
      const Metrics &x = a.result->metrics, &y = b.result->metrics;
      return x.bitsPerElement != y.bitsPerElement ? x.bitsPerElement < y.bitsPerElement : x.sqnrDb > y.sqnrDb;
    });
  else if (sort == "sqnr")
    std::stable_sort(rows.begin(), rows.end(), by([](const Metrics& m) { return -m.sqnrDb; }));
  else if (sort == "mse")
    std::stable_sort(rows.begin(), rows.end(), by([](const Metrics& m) { return m.mse; }));
  else if (sort != "input")
    throw UsageError("--sort takes input, bpe, sqnr or mse (got '" + sort + "')", usage);
}

} // namespace

int runSweep(const Args& argv) {
  const std::optional<ParsedArgs> parsed = parseTensorCommand(argv,
                                                              {{"formats", true},
                                                               {"json", false},
                                                               {"csv", false},
                                                               {"metrics-out", true},
                                                               {"sort", true},
                                                               {"imatrix", true}},
                                                              kUsage, {"metrics-out", "imatrix"});
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
  Tensor t = loadTensor(a.positional[0], a.get("tensor"));
  if (a.has("imatrix"))
    attachImportance(t, readImatrix(a.get("imatrix")));

  const std::string sort = a.has("sort") ? a.get("sort") : "input";
  std::vector<std::string> header{"format", "config"};
  for (const char* k : kSweepColumns)
    header.push_back(metricInfo(k).shortLabel);
  header.push_back("pareto");
  header.push_back("ms");
  Table table(header);
  ResultList results;
  std::vector<SweepRow> swept;
  sweepResults(t, formatCandidates(base, formats), false, nullptr,
               [&](const SweepCandidate& c, const std::shared_ptr<const QuantResult>& r) {
                 if (a.has("metrics-out")) // a result holds the dequantized tensor: keep only what is written
                   results.push_back(r);
                 auto kept = std::make_shared<QuantResult>();
                 kept->formatLabel = r->formatLabel;
                 kept->metrics = r->metrics;
                 kept->quantizeMs = r->quantizeMs;
                 kept->analyzeMs = r->analyzeMs;
                 swept.push_back({c.label, std::move(kept)});
               });
  orderRows(swept, sort, kUsage);
  nlohmann::json rows = nlohmann::json::array();
  for (const SweepRow& row : swept) {
    if (a.has("json"))
      rows.push_back(sweepRowJson(row.label, *row.result, row.pareto));
    std::vector<std::string> cells = sweepRow(row.label, *row.result);
    cells.insert(cells.end() - 1, row.pareto ? "*" : "");
    table.add(cells);
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
