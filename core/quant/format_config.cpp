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
    return {GranularityKind::None, 0, 128};
  case DefaultScaling::PerTensor:
    return {GranularityKind::Tensor, 0, 128};
  case DefaultScaling::PerChannel:
    return {GranularityKind::Channel, 0, 128};
  case DefaultScaling::FixedBlock:
    return {GranularityKind::Group, -1, kernel.fixedBlock()};
  }
  return {GranularityKind::Channel, 0, 128};
}

} // namespace qs
