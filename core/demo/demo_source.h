#pragma once
// The generated demo tensors as a TensorSource, so the GUI's browser lists
// them like a file and the workbench opens on something useful with no file.
#include "core/io/tensor_source.h"

#include <memory>
#include <string>
#include <vector>

namespace qs {

std::shared_ptr<const TensorSource> makeDemoSource();
std::vector<std::string> demoTensorNames(); // in the order the source lists them
std::string defaultDemoTensor();            // the LLM-like weight with outlier channels

} // namespace qs
