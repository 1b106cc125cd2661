#include "core/calib/histogram_l2.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qs {

std::vector<float> histc(const float* x, int64_t n, int bins, float lo, float hi) {
  if (bins < 1)
    throw Error("histogram needs at least one bin");
  std::vector<float> h(static_cast<size_t>(bins), 0.0f);
  std::vector<int64_t> counts(static_cast<size_t>(bins), 0);
  if (!(hi > lo)) { // torch widens a degenerate range by 1 on each side
    lo -= 1.0f;
    hi += 1.0f;
  }
  const double width = double(hi) - double(lo);
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    if (!(v >= lo && v <= hi))
      continue;
    int64_t pos = int64_t((double(v) - double(lo)) * double(bins) / width);
    pos = std::min<int64_t>(pos, bins - 1);
    ++counts[size_t(pos)];
  }
  for (int b = 0; b < bins; ++b)
    h[size_t(b)] = float(counts[size_t(b)]);
  return h;
}

namespace {

// _get_norm: density * (end^3 - begin^3) / 3, in float32.
inline float l2Norm(float begin, float end, float density) {
  return density * ((end * end * end - begin * begin * begin) / 3.0f);
}

// _compute_quantization_error for keeping bins [start, end].
double quantizationError(const std::vector<float>& hist, double binWidth, int start, int end, int dstBins) {
  const double dstWidthD = binWidth * double(end - start + 1) / double(dstBins);
  if (dstWidthD == 0.0)
    return 0.0;
  const float bw = float(binWidth), dst = float(dstWidthD);
  const float halfDst = float(dstWidthD / 2.0);
  const float lastDst = float(dstBins - 1);
  double total = 0.0;
  for (size_t i = 0; i < hist.size(); ++i) {
    const float srcBegin = float(int64_t(i) - start) * bw;
    const float srcEnd = srcBegin + bw;
    const float ofBegin = std::clamp(std::floor(srcBegin / dst), 0.0f, lastDst);
    const float ofEnd = std::clamp(std::floor(srcEnd / dst), 0.0f, lastDst);
    const float density = hist[i] / bw;
    const float beginCenter = (ofBegin + 0.5f) * dst;
    float norm = l2Norm(srcBegin - beginCenter, halfDst, density);
    norm += (ofEnd - ofBegin - 1.0f) * l2Norm(-halfDst, halfDst, density);
    const float endCenter = ofEnd * dst + halfDst;
    norm += l2Norm(-halfDst, srcEnd - endCenter, density);
    total += double(norm);
  }
  return total;
}

} // namespace

HistogramL2Range histogramL2Search(const std::vector<float>& hist, float minVal, float maxVal, int dstBins) {
  const int bins = int(hist.size());
  if (bins < 1)
    throw Error("histogram L2 search needs a histogram");
  if (dstBins < 2)
    throw Error("histogram L2 search needs at least 2 output levels");
  const float binWidthF = (maxVal - minVal) / float(bins);          // the float32 tensor
  const double binWidth = (double(maxVal) - double(minVal)) / bins; // the Python float
  std::vector<float> cSum(hist.size());
  float running = 0.0f;
  double totalD = 0.0;
  for (int i = 0; i < bins; ++i) {
    running += hist[size_t(i)];
    cSum[size_t(i)] = running;
    totalD += hist[size_t(i)];
  }
  if (totalD <= 0.0)
    throw Error("histogram L2 search on an empty histogram");
  const double total = totalD;
  const double stepsize = 1e-5;
  double alpha = 0.0, beta = 1.0;
  int startBin = 0, endBin = bins - 1;
  double normMin = std::numeric_limits<double>::infinity();
  while (alpha < beta) {
    const double nextAlpha = alpha + stepsize;
    const double nextBeta = beta - stepsize;
    // float32 tensor vs Python float: the scalar is rounded to float32.
    const float loQuantile = float(nextAlpha * total), hiQuantile = float(nextBeta * total);
    int l = startBin, r = endBin;
    while (l < endBin && cSum[size_t(l)] < loQuantile)
      ++l;
    while (r > startBin && cSum[size_t(r)] > hiQuantile)
      --r;
    int nextStart = startBin, nextEnd = endBin;
    if ((l - startBin) > (endBin - r)) {
      nextStart = l;
      alpha = nextAlpha;
    } else {
      nextEnd = r;
      beta = nextBeta;
    }
    if (nextStart == startBin && nextEnd == endBin)
      continue;
    const double norm = quantizationError(hist, binWidth, nextStart, nextEnd, dstBins);
    if (norm > normMin)
      break;
    normMin = norm;
    startBin = nextStart;
    endBin = nextEnd;
  }
  HistogramL2Range out;
  out.startBin = startBin;
  out.endBin = endBin;
  out.min = minVal + binWidthF * float(startBin);
  out.max = minVal + binWidthF * float(endBin + 1);
  return out;
}

HistogramL2Range histogramL2Range(const float* x, int64_t n, int dstBins, int bins) {
  float lo = std::numeric_limits<float>::infinity(), hi = -lo;
  for (int64_t i = 0; i < n; ++i)
    if (std::isfinite(x[i])) {
      lo = std::min(lo, x[i]);
      hi = std::max(hi, x[i]);
    }
  if (!(lo <= hi))
    throw Error("histogram L2 range: no finite values");
  if (lo == hi)
    return {lo, hi, 0, bins - 1};
  return histogramL2Search(histc(x, n, bins, lo, hi), lo, hi, dstBins);
}

} // namespace qs
