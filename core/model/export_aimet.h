#pragma once
// A plan as AIMET encodings ("version": "0.6.1"): for each planned weight a
// list of encodings, one per output channel (one for per-tensor scales),
// {"bitwidth", "dtype": "int", "is_symmetric": "True"/"False", "max", "min",
// "offset", "scale"} with AIMET's convention x ≈ scale · (q + offset), q in
// [0, 2^bits − 1]: min = scale · offset, max = scale · (2^bits − 1 + offset).
// Symmetric INT codes [−2^(b−1), 2^(b−1) − 1] give offset −2^(b−1); affine
// codes with zero point z give offset −z. The scales are the real ones: each
// planned tensor is read and quantized with its config.
#include "core/io/tensor_source.h"
#include "core/model/model_plan.h"

#include <atomic>
#include <string>

namespace qs {

// Only INT formats per tensor or per channel; anything else throws qs::Error
// naming the tensors. Kept tensors are left out (AIMET leaves a parameter
// without an encoding in float).
std::string exportAimet(const ModelPlan& plan, const TensorSource& source, int indent = 2,
                        const std::atomic<bool>* cancel = nullptr);

} // namespace qs
