// `quantscope-cli list FILE... [--json]`: the tensors of a file, of several
// files or of a model folder (name, shape, stored dtype, bytes) and the
// metadata, without reading tensor data.
#include "app/cli/commands.h"
#include "app/cli/options.h"
#include "core/io/listing.h"
#include "core/io/model_source.h"
#include "core/io/tensor_source.h"

#include <iostream>

namespace qs::cli {

namespace {
const char* kListUsage = R"(usage: quantscope-cli list FILE... [--json]
       quantscope-cli list FOLDER [--json]
Lists the tensors of FILE (.npy .npz .safetensors .h5/.hdf5 .gguf .onnx):
name, shape, stored dtype and bytes in the file, then the file's metadata
(safetensors __metadata__, GGUF key/values, HDF5 root attributes, ONNX model
properties). No tensor data is read, so huge files list instantly.
Several files, or a model folder, list as one model: a Hugging Face folder
through its model.safetensors.index.json, any other folder as every tensor
file in it; the architecture (config.json, GGUF) is in the metadata.
  --json     machine-readable output
)";
} // namespace

int runList(const Args& args) {
  if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
    std::cout << kListUsage;
    return 0;
  }
  ParsedArgs a = parseArgs(args, {{"json", false}}, kListUsage);
  if (a.positional.empty())
    throw UsageError("no file given", kListUsage);
  auto source = openModel(std::vector<std::filesystem::path>(a.positional.begin(), a.positional.end()));
  if (a.has("json"))
    std::cout << listingJson(*source) << '\n';
  else
    std::cout << listingText(*source);
  return 0;
}

} // namespace qs::cli
