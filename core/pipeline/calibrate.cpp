#include "core/pipeline/calibrate.h"

#include "core/calib/hqq.h"
#include "core/error.h"
#include "core/util/large_alloc.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace qs {

Calibration::~Calibration() {
  releaseLarge(params);
  releaseLarge(stats);
}

ClipRange mseClipSearch(const FormatKernel& kernel, const float* x, int64_t n, const DataStats& stats) {
  constexpr int64_t kMaxSample = 65536;
  std::vector<float> sample;
  const float* values = x;
  int64_t count = n;
  if (n > kMaxSample) {
    sample.resize(kMaxSample);
    for (int64_t k = 0; k < kMaxSample; ++k)
      sample[size_t(k)] = x[k * n / kMaxSample];
    values = sample.data();
    count = kMaxSample;
  }
  std::vector<float> scratch;
  ClipRange best{stats.min, stats.max};
  double bestError = HUGE_VAL;
  for (int i = 0; i < 100; ++i) {
    const float ratio = float(1.0 - i / 100.0);
    const ClipRange candidate{stats.min * ratio, stats.max * ratio};
    const double error = kernel.trialMse(values, count, candidate, scratch);
    if (error < bestError) {
      bestError = error;
      best = candidate;
    }
  }
  return best;
}

namespace {

// HQQ fits every segment at once (its early stop looks at the whole tensor);
// the kernel's grid edges become the clip range.
void fitHqq(const QuantPlan& plan, FormatKernel& kernel, const float* work, Calibration& out,
            ParallelErrors& errors) {
  const SegmentLayout& layout = plan.layout;
  std::vector<HqqSpan> spans(size_t(plan.segments));
  for (int64_t s = 0; s < plan.segments; ++s)
    spans[size_t(s)] = {layout.segmentBegin(s), layout.segmentLength(s)};
  const Clipping& clip = plan.config.clipping;
  const HqqSettings settings{kernel.codeBits(), clip.hqqIterations, clip.hqqP, clip.hqqOptimizeScale};
  const std::vector<HqqGroupFit> fits = hqqFit(work, spans, settings, errors);
  const float qmax = float((int64_t{1} << settings.bits) - 1);
  for (int64_t s = 0; s < plan.segments; ++s) {
    const HqqGroupFit& f = fits[size_t(s)];
    SegmentParams& p = out.params[size_t(s)];
    p = SegmentParams{};
    p.scale = f.scale;
    p.invScale = f.invScale;
    p.realZero = true;
    p.zero = f.zero;
    const float a = (0.0f - f.zero) * f.scale, b = (qmax - f.zero) * f.scale;
    p.lo = std::min(a, b);
    p.hi = std::max(a, b);
  }
}

// Per segment: statistics, clip range, parameters; then the tensor's range.
void calibrateSegments(const QuantPlan& plan, FormatKernel& kernel, const float* work, Calibration& out,
                       ParallelErrors& errors) {
  const SegmentLayout& layout = plan.layout;
  const Clipping& clip = plan.config.clipping;
  const int64_t segments = plan.segments;
  const bool hqq = clip.method == ClipMethod::Hqq;
#pragma omp parallel for schedule(dynamic, 16) if (segments > 1 && plan.parallel)
  for (int64_t s = 0; s < segments; ++s) {
    errors.run([&] {
      const float* segment = work + layout.segmentBegin(s);
      const int64_t length = layout.segmentLength(s);
      DataStats& stats = out.stats[size_t(s)];
      stats = segments == 1 ? dataStatsParallel(segment, length) : dataStats(segment, length);
      if (hqq)
        return;
      const ClipRange range = clip.method == ClipMethod::Mse
                                  ? mseClipSearch(kernel, segment, length, stats)
                                  : clipRange(clip, segment, length, stats, kernel.codeBits());
      out.params[size_t(s)] = kernel.fit(segment, length, range, s);
    });
  }
  errors.rethrow();
  if (hqq)
    fitHqq(plan, kernel, work, out, errors);
  float lo = FLT_MAX, hi = -FLT_MAX;
  for (const DataStats& d : out.stats) {
    if (d.finite) {
      lo = std::min(lo, d.min);
      hi = std::max(hi, d.max);
      out.global.finite += d.finite;
    }
  }
  if (out.global.finite) {
    out.global.min = lo;
    out.global.max = hi;
  }
}

} // namespace

void calibrate(const QuantPlan& plan, FormatKernel& kernel, const float* values, const float* work,
               Calibration& out, ParallelErrors& errors) {
  const ScaleFormat scaleFormat = plan.config.scaleFormat;
  if (scaleFormat != ScaleFormat::Fp32 && (plan.block || kernel.scaleExport().centroids))
    throw Error(std::string("scale format '") + toString(scaleFormat) + "' is refused for '" +
                plan.config.format + "': it stores " +
                (plan.block ? "its block scales in its own format" : "fitted levels, not a scale") +
                " (use fp32)");
  resizeLarge(out.params, size_t(plan.segments));
  kernel.reserveSegments(plan.segments);
  if (!plan.cast && !plan.block) {
    resizeLarge(out.stats, size_t(plan.segments));
    calibrateSegments(plan, kernel, work, out, errors);
    applyScaleFormat(scaleFormat, out.params, out.stored);
    return;
  }
  out.global = dataStatsParallel(values, plan.numel);
  kernel.prepareTensor(out.global);
  if (kernel.tensorScale() > 0) // NVFP4: E4M3 block scales under an FP32 tensor scale
    out.stored.format = "e4m3";
  if (plan.cast && plan.segments) { // no clamp: overflow follows the format (inf or saturation)
    out.params[0] = SegmentParams{};
    out.params[0].lo = -HUGE_VALF;
    out.params[0].hi = HUGE_VALF;
  }
}

} // namespace qs
