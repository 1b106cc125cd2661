#pragma once
// Mean |x| per cell over a region of a tensor's 2-D view, with the same cell
// boundaries as the core's error map (cell i starts at ceil(i * n / cells)),
// for the error map's "relative" mode. Runs on a worker thread, never on the
// GUI thread: it reads every element of the region.
#include "core/tensor.h"

#include <vector>

namespace qs {

// Row-major height x width over channelView(shape, viewAxis); throws
// qs::Error for a region outside the view.
std::vector<float> poolMeanAbs(const Tensor& tensor, int width, int height, int64_t r0, int64_t r1,
                               int64_t c0, int64_t c1, int viewAxis = 0);

} // namespace qs
