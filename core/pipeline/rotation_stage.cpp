#include "core/pipeline/rotation_stage.h"

#include "core/error.h"
#include "core/metrics/analysis_outputs.h"
#include "core/quant/layout.h"
#include "core/util/large_alloc.h"
#include "core/util/parallel_errors.h"
#include "core/util/simd.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

namespace qs {

namespace {

// Population excess kurtosis (0 for a constant tensor) and max |x|, in double.
struct Moments {
  double kurtosis = 0, absMax = 0;
};

Moments moments(const std::vector<float>& v) {
  const int64_t n = int64_t(v.size());
  Moments m;
  if (n == 0)
    return m;
  double sum = 0, absMax = 0;
#pragma omp parallel for schedule(static) reduction(+ : sum) reduction(max : absMax)
  for (int64_t i = 0; i < n; ++i) {
    sum += v[size_t(i)];
    absMax = std::max(absMax, double(std::fabs(v[size_t(i)])));
  }
  const double mean = sum / double(n);
  double c2 = 0, c4 = 0;
#pragma omp parallel for schedule(static) reduction(+ : c2, c4)
  for (int64_t i = 0; i < n; ++i) {
    const double d = double(v[size_t(i)]) - mean, d2 = d * d;
    c2 += d2;
    c4 += d2 * d2;
  }
  c2 /= double(n);
  c4 /= double(n);
  m.kurtosis = c2 > 0 ? c4 / (c2 * c2) - 3.0 : 0.0;
  m.absMax = absMax;
  return m;
}

std::string rotationNote(const HadamardRotation& h) {
  const std::string n = std::to_string(h.length), b = std::to_string(h.block);
  if (h.length == 0)
    return "empty rows: nothing to rotate";
  if (h.block <= 1)
    return "rows of " + n + " have no power-of-two divisor above 1: block 1, nothing was rotated";
  if (h.block < h.length)
    return "rows of " + n + " are not a power of two: block-diagonal Hadamard, blocks of " + b;
  return "";
}

} // namespace

RotatedInput rotateInput(const Tensor& tensor, const QuantConfig& config) {
  RotatedInput out;
  out.outAxis = resolveAxis(Granularity{}, tensor.shape, tensor.layout);
  out.tensor = tensor;
  int64_t nonFinite = 0;
  for (float v : tensor.values)
    nonFinite += simd::isFinite(v) ? 0 : 1;
  if (nonFinite)
    throw Error("Hadamard rotation of '" + tensor.name + "': " + std::to_string(nonFinite) +
                " NaN/inf values would spread over their rows; rotation needs finite values");
  const ChannelView view = channelView(tensor.shape, out.outAxis);
  if (view.cols() == 0) {
    out.rotation.length = 0;
    return out;
  }
  out.rotation = tensorRotation(tensor.shape, out.outAxis, config.seed);
  rotateTensor(out.rotation, tensor.shape, out.outAxis, out.tensor.values.data(), false);
  return out;
}

void rotateBack(const RotatedInput& rotated, float* values) {
  if (rotated.rotation.length > 0)
    rotateTensor(rotated.rotation, rotated.tensor.shape, rotated.outAxis, values, true);
}

void analyseInOriginalBasis(const Tensor& original, const RotatedInput& rotated,
                            const AnalysisOptions& options, const std::atomic<bool>* cancel, QuantResult& r) {
  RotationReport& report = r.rotation;
  report.applied = true;
  report.rowLength = rotated.rotation.length;
  report.block = rotated.rotation.block;
  report.note = rotationNote(rotated.rotation);
  report.histRotated = std::move(r.histOriginal);
  report.channelsRotated = std::move(r.channels);
  const Moments before = moments(original.values), after = moments(rotated.tensor.values);
  report.kurtosisOriginal = before.kurtosis;
  report.kurtosisRotated = after.kurtosis;
  report.absMaxOriginal = before.absMax;
  report.absMaxRotated = after.absMax;

  const int64_t n = original.numel();
  float lo = 0, hi = 0;
  if (n > 0) {
    const auto [mn, mx] = std::minmax_element(original.values.begin(), original.values.end());
    lo = *mn;
    hi = *mx;
  }
  const AnalysisPlan plan = makeAnalysisPlan(original.shape, options.histogramBins, options.mapWidth,
                                             options.mapHeight, options.topK, lo, hi, r.viewAxis);
  if (n == 0) {
    Accumulator(plan).finish(r);
    return;
  }
  allocateAnalysisOutputs(plan, r);
  // The analysis reads the view's order: copies when it is not the tensor's.
  std::vector<float> viewX, viewQ;
  const float* x = original.values.data();
  const float* q = r.dequantized.data();
  if (plan.view.permuted()) {
    const SegmentLayout layout =
        makeLayout(original.shape, Granularity{GranularityKind::Channel, r.viewAxis});
    resizeLarge(viewX, size_t(n));
    resizeLarge(viewQ, size_t(n));
    permuteToWorking(layout, x, viewX.data());
    permuteToWorking(layout, q, viewQ.data());
    x = viewX.data();
    q = viewQ.data();
  }
  const int threads = omp_get_max_threads();
  std::vector<Accumulator> accumulators(size_t(threads), Accumulator{plan});
  ParallelErrors errors(cancel);
  const int64_t tiles = plan.numTiles();
#pragma omp parallel num_threads(threads) if (n >= (int64_t{1} << 16))
  {
    Accumulator& mine = accumulators[size_t(omp_get_thread_num())];
#pragma omp for schedule(dynamic, 1)
    for (int64_t tile = 0; tile < tiles; ++tile)
      errors.run([&] { mine.addTile(tile, x, q, r); });
  }
  errors.rethrow();
  finishAnalysis(accumulators, plan, x, nullptr, r);
  releaseLarge(viewX);
  releaseLarge(viewQ);
}

} // namespace qs
