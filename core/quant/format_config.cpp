#include "core/quant/format_config.h"

#include "core/formats/format_registry.h"

namespace qs {

KernelOptions kernelOptions(const QuantConfig& config) {
  KernelOptions options;
  options.symmetric = config.symmetric;
  options.stochastic = config.rounding == Rounding::Stochastic;
  options.seed = config.seed;
  options.levels = config.codebook;
  return options;
}

std::unique_ptr<FormatKernel> makeKernel(const QuantConfig& config) {
  return findFormat(config.format).makeKernel(kernelOptions(config)); // throws "unknown format ..."
}

Granularity defaultGranularity(const FormatKernel& kernel) {
  switch (kernel.defaultScaling()) {
  case DefaultScaling::Cast:
    return {GranularityKind::None, kAutoAxis, kernel.usualGroupSize()};
  case DefaultScaling::PerTensor:
    return {GranularityKind::Tensor, kAutoAxis, kernel.usualGroupSize()};
  case DefaultScaling::PerChannel:
    return {GranularityKind::Channel, kAutoAxis, kernel.usualGroupSize()};
  case DefaultScaling::FixedBlock:
    return {GranularityKind::Group, kAutoAxis, kernel.fixedBlock()};
  case DefaultScaling::Tiles: {
    const int64_t side = kernel.usualGroupSize();
    return {GranularityKind::Block, kAutoAxis, side, side, side};
  }
  }
  return {GranularityKind::Channel, kAutoAxis, kernel.usualGroupSize()};
}

} // namespace qs
