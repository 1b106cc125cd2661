#pragma once
// TensorRT entropy calibration as NVIDIA's pytorch-quantization implements it
// (calib/histogram.py, _compute_amax_entropy): a 2048-bin histogram of |x|
// over [0, amax]; for every candidate i in [128, 2048] the reference
// distribution is bins[0:i] with the outliers added to its last bin, the
// candidate is bins[0:i] merged into 2^(bits-1) chunks and spread back over
// the chunk's non-empty bins; KL(reference || candidate) is minimised and the
// LAST minimum wins; the threshold is i * amax / 2048. As there, bins[0] is
// replaced by bins[1] (the zero bin would dominate after ReLU) and a bin that
// is empty in the candidate but not in the reference gives KL = +inf.
#include <cstdint>
#include <vector>

namespace qs {

constexpr int kKlBins = 2048;
constexpr int kKlStartBin = 128;

// The |x| histogram (finite values only) over [0, amax] with torch.histc
// binning: bin = min(int(|x| / amax * bins), bins - 1).
std::vector<int64_t> absHistogram(const float* x, int64_t n, float amax, int bins = kKlBins);

// The chosen threshold from a histogram of |x| over [0, amax]; `bits` sets the
// number of quantized chunks 2^(bits-1) (at most 2048). Returns amax for an
// empty histogram or amax == 0.
double klThreshold(const std::vector<int64_t>& hist, double amax, int bits);

// KL divergence of candidate i (exposed for tests): +inf when undefined.
double klDivergence(const std::vector<int64_t>& hist, int i, int bits);

} // namespace qs
