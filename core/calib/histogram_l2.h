#pragma once
// PyTorch HistogramObserver's range search (torch.ao.quantization.observer,
// _non_linear_param_search, after caffe2's NormMinimization): a 2048-bin
// histogram of the data over [min, max]; the range shrinks one histogram bin
// at a time from the side whose quantile moves less, while the estimated L2
// quantization error (uniform density inside each bin, dstBins output levels)
// keeps falling. Arithmetic mirrors the float32 tensors of the reference.
#include <cstdint>
#include <vector>

namespace qs {

struct HistogramL2Range {
  float min = 0, max = 0;       // the chosen range (min_val + bin_width * bin)
  int startBin = 0, endBin = 0; // inclusive histogram bins kept
};

// torch.histc semantics: `bins` equal bins over [lo, hi]; x == hi falls into the
// last bin; values outside or non-finite are not counted.
std::vector<float> histc(const float* x, int64_t n, int bins, float lo, float hi);

// The search on a ready histogram over [minVal, maxVal]. dstBins = 2^bits of
// the target format (256 for 8-bit). Throws qs::Error for an empty histogram.
HistogramL2Range histogramL2Search(const std::vector<float>& histogram, float minVal, float maxVal,
                                   int dstBins);

// Min/max of the finite values, the 2048-bin histogram over them, the search.
// A constant input returns [v, v].
HistogramL2Range histogramL2Range(const float* x, int64_t n, int dstBins, int bins = 2048);

} // namespace qs
