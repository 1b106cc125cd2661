#pragma once
// FILE [--tensor NAME] -> one Tensor, through qs::openModel: FILE may be a
// tensor file or a model folder (core/io/model_source.h).
#include "core/tensor.h"

#include <string>

namespace qs::cli {

// Without a name, a file holding exactly one tensor gives that tensor; else
// qs::Error listing the names.
Tensor loadTensor(const std::string& file, const std::string& name);

} // namespace qs::cli
