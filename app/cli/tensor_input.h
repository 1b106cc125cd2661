#pragma once
// FILE [--tensor NAME] -> one Tensor, through qs::openTensorFile.
#include "core/tensor.h"

#include <string>

namespace qs::cli {

// Without a name, a file holding exactly one tensor gives that tensor; else
// qs::Error listing the names.
Tensor loadTensor(const std::string& file, const std::string& name);

} // namespace qs::cli
