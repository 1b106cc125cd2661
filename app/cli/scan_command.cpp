// `quantscope-cli scan MODEL... --formats F1,F2,... [options] [--json|--csv] [--out SCAN.json]`
#include "app/cli/commands.h"
#include "app/cli/quant_options.h"
#include "app/cli/scan_options.h"
#include "app/cli/table.h"
#include "core/io/text_file.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>

namespace qs::cli {

namespace {

const std::string kUsage =
    std::string(
        R"(usage: quantscope-cli scan MODEL... --formats F1,F2,... [options] [--json|--csv] [--out SCAN.json]
Quantizes every tensor of a model with every candidate format, one tensor at a
time, and prints the SQNR of each (table), every metric (--json, --csv) or
saves the scan for `quantscope-cli plan --scan`. MODEL is a tensor file,
several files, or a folder (a Hugging Face folder through its
model.safetensors.index.json). Vectors (biases, norms) and integer tensors are
kept as stored.
)") +
    kScanOptionsHelp +
    R"(  --json | --csv         every metric: JSON "quantscope.scan/1", or CSV with one row per tensor and format
  --out SCAN.json        also save the scan as JSON
)" + kQuantOptionsHelp;

const char* const kCsvColumns[] = {"sqnr_db",   "mse",    "sse",           "weighted_sse",
                                   "rel_error", "cosine", "max_abs_error", "bits_per_element",
                                   "bytes"};

std::string csvNumber(double v) {
  return std::isnan(v) ? "" : num(v, 10);
}

void printCsv(const ScanResult& s) {
  Table t({"tensor", "role", "block", "shape", "params", "stored_dtype", "format", "sqnr_db", "mse", "sse",
           "weighted_sse", "rel_error", "cosine", "max_abs_error", "bits_per_element", "bytes", "note"});
  for (const ScannedTensor& x : s.tensors) {
    const std::vector<std::string> head{x.name,
                                        x.role.role,
                                        std::to_string(x.role.block),
                                        shapeToString(x.shape),
                                        std::to_string(x.params),
                                        x.storedDtype};
    if (x.keep) {
      std::vector<std::string> row = head;
      row.push_back("keep");
      row.insert(row.end(), std::size(kCsvColumns), "");
      row.push_back(x.keepReason);
      t.add(row);
    }
    for (const CandidateScore& c : x.candidates) {
      std::vector<std::string> row = head;
      row.push_back(c.format);
      for (double v : {c.sqnrDb, c.mse, c.sse, c.weightedSse, c.relError, c.cosine, c.maxAbsError,
                       c.bitsPerElement, c.bytes})
        row.push_back(c.ok() ? csvNumber(v) : "");
      row.push_back(c.problem);
      t.add(row);
    }
  }
  t.printCsv(std::cout);
}

// The model if every tensor that can took `format` (the others as stored).
struct FormatTotal {
  double bits = 0, sse = 0, signal = 0, worstSqnr = std::numeric_limits<double>::infinity();
  std::string worst;
  int refused = 0;
};

FormatTotal formatTotal(const ScanResult& s, size_t k) {
  FormatTotal f;
  for (const ScannedTensor& x : s.tensors) {
    if (x.keep || !x.candidates[k].ok()) {
      f.bits += double(x.storedBytes) * 8;
      f.refused += x.keep ? 0 : 1;
      continue;
    }
    const CandidateScore& c = x.candidates[k];
    f.bits += c.bytes * 8;
    f.sse += c.sse;
    f.signal += x.sumSquares;
    if (c.sqnrDb < f.worstSqnr) {
      f.worstSqnr = c.sqnrDb;
      f.worst = x.name;
    }
  }
  return f;
}

void printTable(const ScanResult& s) {
  std::vector<std::string> header{"tensor", "role", "shape", "params"};
  for (const std::string& f : s.formats)
    header.push_back(f + " dB");
  Table t(header);
  for (const ScannedTensor& x : s.tensors) {
    std::vector<std::string> row{x.name, x.role.role, shapeToString(x.shape), std::to_string(x.params)};
    for (size_t k = 0; k < s.formats.size(); ++k)
      row.push_back(x.keep ? "keep" : x.candidates[k].ok() ? fixed(x.candidates[k].sqnrDb, 2) : "n/a");
    t.add(row);
  }
  std::cout << "model " << s.model;
  if (!s.architecture.empty())
    std::cout << "  (" << s.architecture << ")";
  std::cout << "  " << s.tensors.size() << " tensors, " << s.totalParams() << " parameters";
  if (!s.imatrix.empty())
    std::cout << ", imatrix " << s.imatrix;
  std::cout
      << "\nSQNR per tensor and format (n/a: the format cannot take the tensor; keep: not quantized)\n\n";
  t.print(std::cout);

  const double params = double(std::max<int64_t>(1, s.totalParams()));
  Table totals({"format", "bits/weight", "size MB", "model SQNR dB", "worst tensor", "worst dB", "n/a"});
  for (size_t k = 0; k < s.formats.size(); ++k) {
    const FormatTotal f = formatTotal(s, k);
    const bool any = f.signal > 0;
    totals.add({s.formats[k], fixed(f.bits / params, 3), fixed(f.bits / 8 / 1e6, 2),
                any ? (f.sse > 0 ? fixed(10 * std::log10(f.signal / f.sse), 2) : "inf") : "-", f.worst,
                any ? fixed(f.worstSqnr, 2) : "-", std::to_string(f.refused)});
  }
  std::cout
      << "\nThe whole model in each format (kept and n/a tensors as stored; model SQNR over the quantized "
         "tensors)\n\n";
  totals.print(std::cout);
}

} // namespace

int runScan(const Args& argv) {
  std::vector<OptionSpec> specs = scanOptionSpecs();
  for (const OptionSpec& o : std::vector<OptionSpec>{{"json", false}, {"csv", false}, {"out", true}})
    specs.push_back(o);
  const ParsedArgs a = parseArgs(argv, specs, kUsage);
  if (a.has("help")) {
    std::cout << kUsage;
    return 0;
  }
  if (a.has("json") && a.has("csv"))
    throw UsageError("--json and --csv exclude each other", kUsage);
  if (a.has("out") && a.get("out").empty())
    throw UsageError("--out needs a file name", kUsage);
  const ScanInput in = scanInputFromArgs(a);
  const ScanResult s = runScan(in);
  if (a.has("out"))
    writeFileAtomically(a.get("out"), scanToJson(s) + "\n");
  if (a.has("json"))
    std::cout << scanToJson(s) << '\n';
  else if (a.has("csv"))
    printCsv(s);
  else {
    printTable(s);
    if (a.has("out"))
      std::cout << "\nwrote " << a.get("out") << '\n';
  }
  return 0;
}

} // namespace qs::cli
