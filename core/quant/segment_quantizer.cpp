#include "core/quant/segment_quantizer.h"

namespace qs {

SegmentQuantizer::SegmentQuantizer(const Scheme& scheme, bool stochastic, uint64_t seed) {
  QuantConfig config = scheme.config;
  config.rounding = stochastic ? Rounding::Stochastic : Rounding::Nearest;
  config.seed = seed;
  kernel_ = scheme.format->makeKernel(config);
}

} // namespace qs
