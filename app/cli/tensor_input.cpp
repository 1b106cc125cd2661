#include "app/cli/tensor_input.h"

#include "core/error.h"
#include "core/io/model_source.h"
#include "core/io/tensor_source.h"

namespace qs::cli {

namespace {

std::string nameList(const TensorSource& s) {
  std::string out;
  size_t shown = 0;
  for (const TensorEntry& e : s.list()) {
    if (shown == 20) {
      out += ", ... (" + std::to_string(s.list().size()) + " in all; see `quantscope-cli list`)";
      break;
    }
    out += (shown++ ? ", " : "") + e.name;
  }
  return out;
}

} // namespace

Tensor loadTensor(const std::string& file, const std::string& name) {
  auto source = openModel({file}); // a tensor file or a model folder
  const auto& entries = source->list();
  if (name.empty()) {
    if (entries.size() == 1)
      return source->read(entries[0].name);
    if (entries.empty())
      throw Error(file + ": the file holds no tensors");
    throw Error(file + " holds " + std::to_string(entries.size()) +
                " tensors; choose one with --tensor: " + nameList(*source));
  }
  if (!source->find(name))
    throw Error(file + ": no tensor named '" + name + "' (tensors: " + nameList(*source) + ")");
  return source->read(name);
}

} // namespace qs::cli
