#pragma once
// A model as one TensorSource (docs/ARCHITECTURE.md, "The whole model"): one
// tensor file, several files, or a folder — a Hugging Face folder through its
// `model.safetensors.index.json` (every shard it names, nothing else), any
// other folder through every tensor file in it. Reading stays lazy: each file
// is opened (mapped) once, tensors are read on demand.
#include "core/io/tensor_source.h"

#include <filesystem>
#include <memory>
#include <vector>

namespace qs {

// Tensor names must be unique across the files. fileMetadata() holds
// "architecture" (config.json's `architectures[0]` or `model_type`, GGUF's
// `general.architecture`) when known. Throws qs::Error naming the file on a
// missing shard, an index that names a tensor its shard lacks (or a shard
// tensor the index does not name), a duplicate name, or an empty folder.
std::unique_ptr<TensorSource> openModel(const std::vector<std::filesystem::path>& paths);

} // namespace qs
