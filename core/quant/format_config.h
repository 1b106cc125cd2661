#pragma once
// A QuantConfig meets the format kernels (core/formats sit below quant/): the
// kernel of config.format with the config's options, and the granularity a
// kernel's default scaling stands for.
#include "core/formats/format_kernel.h"
#include "core/quant/quant_config.h"

#include <memory>

namespace qs {

KernelOptions kernelOptions(const QuantConfig& config);
// Throws qs::Error for unknown names and impossible configs ("codebook" without levels).
std::unique_ptr<FormatKernel> makeKernel(const QuantConfig& config);
// None for casts, per tensor, per channel, the fixed block along each channel's
// row, or square tiles (block granularity), all on the auto axis.
Granularity defaultGranularity(const FormatKernel& kernel);

} // namespace qs
