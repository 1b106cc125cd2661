#pragma once
// The error map of a zoomed region, pooled again to the screen size (the
// full map comes with every QuantResult from the fused analysis).
#include "core/quant/quant_result.h"
#include "core/tensor.h"

#include <cstdint>

namespace qs {

// Re-pools |x - q| for a zoomed region of the result's view (rows [r0,r1),
// cols [c0,c1) of channelView(shape, result.viewAxis)).
ErrorMap poolErrorMap(const Tensor& original, const QuantResult& result, int width, int height, int64_t r0,
                      int64_t r1, int64_t c0, int64_t c1);

} // namespace qs
