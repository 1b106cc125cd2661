#pragma once
// Stage 5 of quantize(): what the result says about storage and parameters:
// bits per element, code occupancy and entropy, and the per-group scales,
// zero points, clip ranges, offsets and centroids in the tensor's axis order.
#include "core/pipeline/calibrate.h"
#include "core/pipeline/quant_plan.h"
#include "core/quant/quant_result.h"

#include <cstdint>
#include <vector>

namespace qs {

// Codes plus the kernel's overhead per segment (scale and zero point, k-means
// centroids) or per block (the real llama.cpp / MX block size), the scale
// counted in its scale format. Per-tensor constants (NVFP4's FP32 tensor
// scale, int8dq's mean) are not counted.
double bitsPerElement(const QuantPlan& plan);

// result.codeCounts and metrics.codeEntropyBits from the occupancy counts.
void setCodeOccupancy(const std::vector<int64_t>& counts, QuantResult& result);

// result.scales, clipLo/clipHi, zeroPoints, offsets, segmentLevels and levels.
void exportParameters(const QuantPlan& plan, const std::vector<SegmentParams>& params,
                      const FormatKernel& kernel, QuantResult& result);

// result.storedScales: the scale format, every segment's fitted scale and
// stored code in scale order, NVFP4's tensor scale, int8dq's second level.
void exportStoredScales(const QuantPlan& plan, const Calibration& calibration, const FormatKernel& kernel,
                        QuantResult& result);

} // namespace qs
