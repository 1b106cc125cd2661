// `quantscope-cli imatrix FILE [--json] [--include REGEX]`: what
// `llama-imatrix --show-statistics` prints per entry of an importance matrix
// (core/model/imatrix_stats.h), with the file's dataset and chunk counts.
#include "app/cli/commands.h"
#include "app/cli/options.h"
#include "app/cli/table.h"
#include "core/error.h"
#include "core/io/imatrix.h"
#include "core/model/imatrix_stats.h"

#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>

namespace qs::cli {

namespace {

const char* kUsage = R"(usage: quantscope-cli imatrix FILE [--json] [--include REGEX]
The statistics of a llama.cpp importance matrix (GGUF or legacy .dat), as
llama-imatrix --show-statistics computes them, per entry; the values a are
each input column's mean squared activation E[x²] (what llama-quantize
weighs the rounding error with), all experts' rows together.
  N          values a (columns × experts that saw tokens)
  Σ(act²)    Σ a;  min, max, mean, std (population) of a
  % active   share of a above 1e-5
  entropy    −Σ p log2 p with p = a / Σ a;  E(norm) = entropy / log2 N
  ZD         share of a more than one std above the mean
  cos prev   cosine of the raw sums with the same tensor in the previous block
  --include REGEX   only entries whose name matches (ECMAScript, searched)
  --json            machine-readable output ("quantscope.imatrix_stats/1")
)";

// NaN (no previous block) is JSON null.
nlohmann::json number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

nlohmann::json toJson(const Imatrix& m, const std::vector<ImatrixTensorStats>& rows,
                      const std::vector<const ImatrixEntry*>& entries) {
  nlohmann::json j;
  j["schema"] = "quantscope.imatrix_stats/1";
  j["file"] = m.path.string();
  j["form"] = m.form;
  j["datasets"] = m.datasets;
  j["chunks"] = m.chunks;
  j["chunk_size"] = m.chunkSize;
  j["entry_count"] = m.entries.size();
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < rows.size(); ++i) {
    const ImatrixTensorStats& s = rows[i];
    const ImatrixEntry& e = *entries[i];
    list.push_back({{"name", s.name},
                    {"role", s.role.role},
                    {"block", s.role.block},
                    {"columns", e.columns},
                    {"experts", e.experts},
                    {"calls", e.calls},
                    {"elements", s.elements},
                    {"sum_squares", s.sumSquares},
                    {"min", s.min},
                    {"max", s.max},
                    {"mean", s.mean},
                    {"std", s.stdDev},
                    {"active_fraction", s.activeFraction},
                    {"entropy", s.entropy},
                    {"entropy_norm", s.entropyNormalised},
                    {"zd", s.zdScore},
                    {"previous", s.previous.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.previous)},
                    {"cosine_previous", number(s.cosinePrevious)}});
  }
  j["entries"] = std::move(list);
  return j;
}

void printTable(const Imatrix& m, const std::vector<ImatrixTensorStats>& rows) {
  std::cout << "imatrix " << m.path.string() << "  (" << (m.form == "gguf" ? "GGUF" : "legacy .dat") << ", "
            << m.entries.size() << " entries)\n";
  std::cout << "datasets: ";
  for (size_t i = 0; i < m.datasets.size(); ++i)
    std::cout << (i ? "; " : "") << m.datasets[i];
  std::cout << (m.datasets.empty() ? "(none recorded)\n" : "\n");
  std::cout << "chunks: " << m.chunks;
  if (m.chunkSize > 0)
    std::cout << " × " << m.chunkSize << " tokens = " << m.chunks * m.chunkSize << " tokens";
  else
    std::cout << " (the legacy form records no chunk size)";
  std::cout << "\n\n";
  Table t({"tensor", "role", "block", "N", "Σ(act²)", "min", "max", "mean", "std", "% active", "entropy",
           "E(norm)", "ZD", "cos prev"});
  for (const ImatrixTensorStats& s : rows)
    t.add({s.name, s.role.role, s.role.block < 0 ? "-" : std::to_string(s.role.block),
           std::to_string(s.elements), num(s.sumSquares), num(s.min), num(s.max), num(s.mean), num(s.stdDev),
           fixed(100 * s.activeFraction, 2), fixed(s.entropy, 4), fixed(s.entropyNormalised, 4),
           fixed(100 * s.zdScore, 2) + "%", s.previous.empty() ? "-" : fixed(s.cosinePrevious, 4)});
  t.print(std::cout);
}

} // namespace

int runImatrix(const Args& args) {
  const ParsedArgs a = parseArgs(args, {{"json", false}, {"include", true}}, kUsage);
  if (a.has("help")) {
    std::cout << kUsage;
    return 0;
  }
  if (a.positional.size() != 1)
    throw UsageError(a.positional.empty() ? "no imatrix file given" : "one imatrix file at a time", kUsage);
  std::regex include;
  const bool filter = a.has("include");
  if (filter) {
    try {
      include = std::regex(a.get("include"), std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      throw UsageError("bad --include regex '" + a.get("include") + "': " + e.what(), kUsage);
    }
  }
  const Imatrix m = readImatrix(a.positional[0]);
  const std::vector<ImatrixTensorStats> all = imatrixStatistics(m);
  std::vector<ImatrixTensorStats> rows;
  std::vector<const ImatrixEntry*> entries;
  for (size_t i = 0; i < all.size(); ++i)
    if (!filter || std::regex_search(all[i].name, include)) {
      rows.push_back(all[i]);
      entries.push_back(&m.entries[i]);
    }
  if (a.has("json"))
    std::cout << toJson(m, rows, entries).dump(2) << '\n';
  else
    printTable(m, rows);
  return 0;
}

} // namespace qs::cli
