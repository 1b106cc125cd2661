#include "app/cli/scan_options.h"

#include "app/cli/quant_options.h"
#include "core/io/model_source.h"

#include <cstdlib>
#include <iostream>
#include <unistd.h>

namespace qs::cli {

const char* const kScanOptionsHelp =
    R"(  --formats LIST         candidate formats, comma separated, e.g. int8,int4,nf4,mxfp4,q4_k,q6_k,q8_0
  --imatrix FILE         a llama.cpp importance matrix (GGUF or legacy .dat): errors are weighted
                         per input column by its mean squared activations, as llama.cpp weighs them
  --include REGEX        only tensors whose name contains a match (ECMAScript regex)
  --exclude REGEX        leave out tensors whose name contains a match
  --axis-for REGEX=AXIS  the output-channel axis of the tensors the regex finds, where the
                         file's convention guesses wrong (repeatable; the first match wins)
)";

std::vector<OptionSpec> scanOptionSpecs() {
  std::vector<OptionSpec> specs = quantOptionSpecs();
  for (const char* o : {"formats", "imatrix", "include", "exclude", "axis-for"})
    specs.push_back({o, true});
  return specs;
}

ScanInput scanInputFromArgs(const ParsedArgs& a) {
  if (a.positional.empty())
    throw UsageError("MODEL is missing (a tensor file, several files or a folder)", a.usage);
  if (a.has("format"))
    throw UsageError("a scan takes --formats (a list), not --format", a.usage);
  ScanInput in;
  in.options.formats = a.getList("formats");
  if (in.options.formats.empty())
    throw UsageError("--formats is required", a.usage);
  in.options.base = configFromOptions(a, false);
  in.options.include = a.get("include");
  in.options.exclude = a.get("exclude");
  for (const std::string& v : a.getAll("axis-for")) {
    const size_t eq = v.rfind('=');
    char* end = nullptr;
    const long axis = eq == std::string::npos ? 0 : std::strtol(v.c_str() + eq + 1, &end, 10);
    if (eq == std::string::npos || eq == 0 || end == v.c_str() + eq + 1 || *end != '\0')
      throw UsageError("--axis-for takes REGEX=AXIS (an integer axis), not '" + v + "'", a.usage);
    in.options.axes.push_back({v.substr(0, eq), int(axis)});
  }
  std::vector<std::filesystem::path> paths(a.positional.begin(), a.positional.end());
  in.model = openModel(paths);
  if (a.has("imatrix")) {
    if (a.get("imatrix").empty())
      throw UsageError("--imatrix needs a file name", a.usage);
    in.imatrix = readImatrix(a.get("imatrix"));
  }
  return in;
}

ScanResult runScan(const ScanInput& in) {
  ScanOptions o = in.options;
  o.imatrix = in.imatrix ? &*in.imatrix : nullptr;
  const bool tty = ::isatty(2);
  ScanResult r = scanModel(*in.model, o, nullptr, [&](const ScannedTensor& t, size_t done, size_t total) {
    if (tty)
      std::cerr << "\rscanned " << done << "/" << total << "  " << t.name << "\033[K" << std::flush;
  });
  if (tty)
    std::cerr << "\r\033[K" << std::flush;
  return r;
}

} // namespace qs::cli
