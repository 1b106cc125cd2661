#pragma once
// The options of a whole-model scan, shared by `scan` and `plan MODEL...`:
// the models (files or folders), the candidate formats, the quantization
// options of `quantize` for all of them, the imatrix and the name filters.
#include "app/cli/options.h"
#include "core/io/imatrix.h"
#include "core/io/tensor_source.h"
#include "core/model/scan.h"

#include <memory>
#include <optional>
#include <vector>

namespace qs::cli {

// --formats --imatrix --include --exclude, plus the quantization options.
std::vector<OptionSpec> scanOptionSpecs();
extern const char* const kScanOptionsHelp;

// What a scan needs, owned: the model and the imatrix outlive the scan.
struct ScanInput {
  std::unique_ptr<TensorSource> model;
  std::optional<Imatrix> imatrix;
  ScanOptions options;
};

// Opens the models of a.positional (one model: a file, several files or a
// folder) and the imatrix; throws UsageError / qs::Error.
ScanInput scanInputFromArgs(const ParsedArgs& a);

// Runs the scan, printing "scanned 3/291 blk.0.attn_q.weight" to stderr when
// it is a terminal.
ScanResult runScan(const ScanInput& in);

} // namespace qs::cli
