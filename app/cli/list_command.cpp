// `quantscope-cli list FILE [--json]`: the tensors of a file (name, shape,
// stored dtype, bytes) and its metadata, without reading tensor data.
#include "app/cli/commands.h"
#include "app/cli/options.h"
#include "core/io/listing.h"
#include "core/io/tensor_source.h"

#include <iostream>

namespace qs::cli {

namespace {
const char* kListUsage = R"(usage: quantscope-cli list FILE [--json]
Lists the tensors of FILE (.npy .npz .safetensors .h5/.hdf5 .gguf .onnx):
name, shape, stored dtype and bytes in the file, then the file's metadata
(safetensors __metadata__, GGUF key/values, HDF5 root attributes, ONNX model
properties). No tensor data is read, so huge files list instantly.
  --json     machine-readable output
)";
} // namespace

int runList(const Args& args) {
  if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
    std::cout << kListUsage;
    return 0;
  }
  ParsedArgs a = parseArgs(args, {{"json", false}}, kListUsage);
  if (a.positional.size() != 1)
    throw UsageError(a.positional.empty() ? "no file given" : "list takes exactly one file", kListUsage);
  auto source = openTensorFile(a.positional[0]);
  if (a.has("json"))
    std::cout << listingJson(*source) << '\n';
  else
    std::cout << listingText(*source);
  return 0;
}

} // namespace qs::cli
