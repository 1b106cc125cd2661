#pragma once
// Stage 2 of quantize(): the clip range and the parameters (scale, zero point,
// centroids) of every scale segment, from the working layout of the tensor.
#include "core/calib/clip_range.h"
#include "core/formats/format_kernel.h"
#include "core/pipeline/quant_plan.h"
#include "core/quant/scale_format.h"
#include "core/util/parallel_errors.h"

#include <vector>

namespace qs {

struct Calibration {
  // One entry per scale group: 24 MB for group 32 of a 4096^2 tensor, so both
  // come from the large-buffer pool and go back to it in the destructor.
  // Every entry is assigned before it is read: fit() per segment, the block
  // formats' applyBlock() per block, the cast's single entry here.
  std::vector<SegmentParams> params;
  std::vector<DataStats> stats; // per segment; scaled (not cast or block) formats only
  DataStats global;             // finite count and range of the whole tensor
  StoredScales stored;          // how the scales are stored: codes, fitted scales, second level

  Calibration() = default;
  Calibration(const Calibration&) = delete;
  Calibration& operator=(const Calibration&) = delete;
  ~Calibration();
};

// `values` is the tensor in its own order, `work` in the working layout. A
// block format gets the tensor's statistics (FormatKernel::prepareTensor)
// before its blocks; a scaled format's fitted scales are stored in the
// config's scale format (applyScaleFormat) before any element is quantized.
void calibrate(const QuantPlan& plan, FormatKernel& kernel, const float* values, const float* work,
               Calibration& out, ParallelErrors& errors);

// The MSE clip search: the minmax range scaled by 1 - i/100 for i = 0..99, each
// scored by the squared error of a nearest-rounding trial quantization on at
// most 65536 evenly strided values of the segment. The first minimum wins.
ClipRange mseClipSearch(const FormatKernel& kernel, const float* x, int64_t n, const DataStats& stats);

} // namespace qs
