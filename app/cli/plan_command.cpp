// `quantscope-cli plan MODEL... | --scan SCAN.json --formats F1,F2 (--target-bpw B | --target-size BYTES)
//   [--pin REGEX=FORMAT ...] [--keep REGEX ...] [--json] [--export KIND --out PATH]`
#include "app/cli/commands.h"
#include "app/cli/quant_options.h"
#include "app/cli/scan_options.h"
#include "app/cli/table.h"
#include "core/error.h"
#include "core/io/model_source.h"
#include "core/io/text_file.h"
#include "core/model/export_aimet.h"
#include "core/model/export_compressed_tensors.h"
#include "core/model/export_llama_quantize.h"
#include "core/model/model_plan.h"
#include "core/model/recipe.h"
#include "core/model/scan.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace qs::cli {

namespace {

const std::string kUsage = std::string(
                               R"(usage: quantscope-cli plan MODEL... | --scan SCAN.json  --formats F1,F2,...
                          (--target-bpw B | --target-size BYTES) [--pin REGEX=FORMAT ...]
                          [--keep REGEX ...] [--json] [--export KIND --out PATH]
Chooses one format per tensor minimising the model's total error within a size
budget, and prints the plan with its total, the lower bound no plan can beat,
and the classic greedy's error. MODEL is a tensor file, several files or a
folder, scanned first (`quantscope-cli scan`); --scan reads a saved scan.
  --scan SCAN.json       a saved scan (`scan --out`); MODEL, if given too, is only read for
                         --export aimet. --formats then picks among the scan's (default all)
  --target-bpw B         total bits per weight, every tensor counted (kept ones as stored)
  --target-size BYTES    total bytes
  --pin REGEX=FORMAT     tensors whose name the regex finds take FORMAT (repeatable; first wins)
  --keep REGEX           tensors whose name the regex finds stay as stored (repeatable)
  --unweighted           plan on the plain squared error even when the scan has an imatrix
  --json                 print the plan as JSON ("quantscope.plan/1")
  --export KIND          llama-quantize (a bash script), compressed-tensors (config.json's
                         quantization_config), aimet (encodings with the real scales),
                         quantscope (a recipe for `quantize --recipe` and the GUI)
  --out PATH             where --export writes
scan options (with MODEL):
)") + kScanOptionsHelp + kQuantOptionsHelp;

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error("cannot open '" + path + "'");
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad())
    throw Error("cannot read '" + path + "'");
  return s.str();
}

PlanPin parsePin(const std::string& text) {
  const size_t eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    throw UsageError("--pin needs REGEX=FORMAT (got '" + text + "')", kUsage);
  return {text.substr(0, eq), text.substr(eq + 1)};
}

void printPlan(const ModelPlan& plan, const ScanResult& scan) {
  std::cout << "model " << plan.model << "  (" << scan.tensors.size() << " tensors"
            << (plan.weighted ? ", imatrix-weighted error" : "") << ")\n\n";
  Table t({"tensor", "format", "bits/elt", "error"});
  for (const TensorChoice& c : plan.tensors)
    t.add({c.name, c.format.empty() ? "keep" : c.format,
           fixed(c.params > 0 ? c.bits / double(c.params) : 0, 4), c.format.empty() ? "-" : num(c.error)});
  t.print(std::cout);
  const double gap = plan.totalError > 0 ? (plan.totalError - plan.lowerBound) / plan.totalError : 0;
  std::cout << "\ntotal        " << fixed(plan.totalBytes, 0) << " bytes, " << fixed(plan.bitsPerWeight, 4)
            << " bits per weight\n"
            << "error        " << num(plan.totalError, 6) << "\n"
            << "lower bound  " << num(plan.lowerBound, 6) << "  (gap " << percent(gap) << ")\n"
            << "greedy       " << num(plan.greedyError, 6) << "\n";
}

} // namespace

int runPlan(const Args& argv) {
  std::vector<OptionSpec> specs = scanOptionSpecs();
  for (const char* o : {"scan", "target-bpw", "target-size", "pin", "keep", "export", "out"})
    specs.push_back({o, true});
  for (const char* f : {"unweighted", "json"})
    specs.push_back({f, false});
  const ParsedArgs a = parseArgs(argv, specs, kUsage);
  if (a.has("help")) {
    std::cout << kUsage;
    return 0;
  }
  const bool fromScan = a.has("scan");
  if (!fromScan && a.positional.empty())
    throw UsageError("give MODEL (files or a folder) or --scan SCAN.json", kUsage);
  if (a.has("target-bpw") == a.has("target-size"))
    throw UsageError("give exactly one of --target-bpw and --target-size", kUsage);
  const std::string kind = a.get("export");
  if (a.has("export") != a.has("out"))
    throw UsageError("--export and --out go together", kUsage);
  if (a.has("export") && kind != "llama-quantize" && kind != "compressed-tensors" && kind != "aimet" &&
      kind != "quantscope")
    throw UsageError("--export takes llama-quantize, compressed-tensors, aimet or quantscope (got '" + kind +
                         "')",
                     kUsage);
  if (a.has("out") && a.get("out").empty())
    throw UsageError("--out needs a file name", kUsage);
  if (fromScan) {
    for (const char* o : {"imatrix", "include", "exclude"})
      if (a.has(o))
        throw UsageError(std::string("--") + o + " applies to a scan; --scan reads a finished one", kUsage);
    for (const OptionSpec& s : quantOptionSpecs())
      if (a.has(s.name))
        throw UsageError("--" + s.name + " applies to a scan; --scan reads a finished one", kUsage);
  }

  PlanRequest request;
  request.formats = a.getList("formats");
  if (a.has("target-bpw"))
    request.targetBitsPerWeight = a.getDouble("target-bpw", 0);
  else
    request.targetBytes = a.getDouble("target-size", 0);
  for (const std::string& p : a.getAll("pin"))
    request.pins.push_back(parsePin(p));
  request.keeps = a.getAll("keep");
  request.weighted = !a.has("unweighted");

  std::unique_ptr<TensorSource> source;
  ScanResult scan;
  if (fromScan) {
    scan = scanFromJson(readText(a.get("scan")), a.get("scan"));
  } else {
    ScanInput in = scanInputFromArgs(a);
    scan = runScan(in);
    source = std::move(in.model);
  }

  const ModelPlan plan = planModel(scan, request);
  // The export is written before anything is printed: a refused export leaves only its error.
  if (a.has("export")) {
    std::string text;
    if (kind == "llama-quantize") {
      text = exportLlamaQuantize(plan, scan).script;
    } else if (kind == "compressed-tensors") {
      text = exportCompressedTensors(plan, scan) + "\n";
    } else if (kind == "aimet") {
      if (!source) {
        if (a.positional.empty())
          throw UsageError("--export aimet reads the planned tensors: give MODEL with --scan", kUsage);
        source = openModel(std::vector<std::filesystem::path>(a.positional.begin(), a.positional.end()));
      }
      text = exportAimet(plan, *source) + "\n";
    } else {
      text = recipeToJson(recipeFromPlan(plan)) + "\n";
    }
    writeFileAtomically(a.get("out"), text);
    if (kind == "llama-quantize") {
      std::error_code ec; // a script that cannot be made executable still runs with bash
      std::filesystem::permissions(a.get("out"),
                                   std::filesystem::perms::owner_exec | std::filesystem::perms::group_exec |
                                       std::filesystem::perms::others_exec,
                                   std::filesystem::perm_options::add, ec);
    }
  }
  if (a.has("json"))
    std::cout << planToJson(plan) << '\n';
  else
    printPlan(plan, scan);
  if (a.has("export"))
    (a.has("json") ? std::cerr : std::cout) << "wrote " << kind << " export to " << a.get("out") << '\n';
  return 0;
}

} // namespace qs::cli
