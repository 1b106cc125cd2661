#pragma once
// Stage 5 of quantize(): what the result says about storage and parameters:
// bits per element, code occupancy and entropy, and the per-group scales,
// zero points, clip ranges, offsets and centroids in the tensor's axis order.
#include "core/pipeline/calibrate.h"
#include "core/pipeline/quant_plan.h"
#include "core/quant/quant_result.h"
#include "core/quant/segment_quantizer.h"

#include <cstdint>
#include <vector>

namespace qs {

// Codes plus, per segment, the scale and zero point (or the k-means
// centroids); GGUF: the real llama.cpp block size.
double bitsPerElement(const QuantPlan& plan);

// result.codeCounts and metrics.codeEntropyBits from the occupancy counts.
void setCodeOccupancy(const std::vector<int64_t>& counts, QuantResult& result);

// result.scales, clipLo/clipHi, zeroPoints, offsets, segmentLevels and levels.
void exportParameters(const QuantPlan& plan, const std::vector<SegmentParams>& params,
                      const SegmentQuantizer& quantizer, QuantResult& result);

} // namespace qs
