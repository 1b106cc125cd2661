#pragma once
// A plan as the `quantization_config` block of a Hugging Face config.json in
// the compressed-tensors schema (QuantizationConfig with QuantizationScheme
// config groups of QuantizationArgs): one group per distinct weight scheme,
// targeting the planned modules by their exact names (compressed-tensors
// matches a target without "re:" by equality with the module name), kept 2-D
// weights listed in "ignore". Writes {"quantization_config": {...}}.
#include "core/model/model_plan.h"
#include "core/model/scan.h"

#include <string>

namespace qs {

// Only INT4/INT8 (symmetric or not) per channel or group along the output
// channels of a 2-D weight, and FP8 E4M3 per tensor or channel; anything else
// throws qs::Error naming the tensors (and a GGUF-named model, whose module
// names compressed-tensors would not know).
std::string exportCompressedTensors(const ModelPlan& plan, const ScanResult& scan, int indent = 2);

} // namespace qs
