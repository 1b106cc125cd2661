#include "core/layer/activation_quant.h"

#include "core/calib/clip_range.h"
#include "core/calib/histogram_l2.h"
#include "core/error.h"
#include "core/pipeline/quantize.h"
#include "core/quant/format_config.h"

#include <algorithm>
#include <cmath>

namespace qs {

const char* toString(ActMode mode) {
  switch (mode) {
  case ActMode::Static:
    return "static";
  case ActMode::DynamicTensor:
    return "dynamic-tensor";
  case ActMode::DynamicToken:
    return "dynamic-token";
  }
  return "?";
}

const char* toString(ActRange range) {
  switch (range) {
  case ActRange::MinMax:
    return "minmax";
  case ActRange::Percentile:
    return "percentile";
  case ActRange::Mse:
    return "mse";
  case ActRange::Kl:
    return "kl";
  case ActRange::HistogramL2:
    return "histogram-l2";
  }
  return "?";
}

ActMode actModeFromString(const std::string& s) {
  for (ActMode m : {ActMode::Static, ActMode::DynamicTensor, ActMode::DynamicToken})
    if (s == toString(m))
      return m;
  throw Error("unknown activation mode '" + s + "' (static, dynamic-tensor, dynamic-token)");
}

ActRange actRangeFromString(const std::string& s) {
  for (ActRange r :
       {ActRange::MinMax, ActRange::Percentile, ActRange::Mse, ActRange::Kl, ActRange::HistogramL2})
    if (s == toString(r))
      return r;
  throw Error("unknown activation range method '" + s + "' (minmax, percentile, mse, kl, histogram-l2)");
}

bool ActQuantConfig::quantized() const {
  return !(format == "float" || format == "none" || format == "fp32");
}

namespace {

QuantConfig baseConfig(const ActQuantConfig& c) {
  QuantConfig q;
  q.format = c.format;
  q.symmetric = c.symmetric;
  q.granularity = Granularity{GranularityKind::Tensor, 0, 128};
  return q;
}

} // namespace

ActCalibration calibrateActivations(const Tensor& calibration, const ActQuantConfig& config) {
  if (!config.quantized())
    return {};
  const QuantConfig base = baseConfig(config);
  const int codeBits = makeKernel(base)->codeBits();
  const float* x = calibration.values.data();
  const int64_t n = calibration.numel();
  const DataStats stats = dataStatsParallel(x, n);
  if (stats.finite == 0)
    throw Error("activation calibration: no finite calibration values");
  ActCalibration cal;
  switch (config.range) {
  case ActRange::MinMax:
  case ActRange::Percentile:
  case ActRange::Kl: {
    Clipping clip;
    clip.method = config.range == ActRange::MinMax
                      ? ClipMethod::MinMax
                      : (config.range == ActRange::Percentile ? ClipMethod::Percentile : ClipMethod::Kl);
    clip.percentile = config.percentile;
    const ClipRange r = clipRange(clip, x, n, stats, codeBits);
    cal.lo = r.lo;
    cal.hi = r.hi;
    break;
  }
  case ActRange::Mse: {
    // The engine's MSE clip search runs inside quantize(); its chosen range
    // is the clip range of the single (per-tensor) scale group.
    QuantConfig q = base;
    q.clipping.method = ClipMethod::Mse;
    AnalysisOptions opt;
    opt.keepCodes = false;
    opt.histogramBins = 16;
    opt.mapWidth = opt.mapHeight = 1;
    opt.topK = 0;
    const auto res = quantize(calibration, q, opt);
    if (res->clipLo.empty())
      throw Error("activation calibration: the MSE search returned no range");
    // A symmetric grid reports +-T; within the data range it is the same
    // threshold T and keeps the observer's meaning (a range of the data).
    const DataStats d = dataStats(x, n);
    cal.lo = std::max(res->clipLo[0], d.min);
    cal.hi = std::min(res->clipHi[0], d.max);
    break;
  }
  case ActRange::HistogramL2: {
    const int dstBins = int(std::min<int64_t>(int64_t{1} << std::min(codeBits, 16), 65536));
    const HistogramL2Range r = histogramL2Range(x, n, dstBins);
    cal.lo = r.min;
    cal.hi = r.max;
    break;
  }
  }
  return cal;
}

ActQuantized quantizeActivations(const Tensor& x, const ActQuantConfig& config,
                                 const ActCalibration& calibration, const std::atomic<bool>* cancel) {
  ActQuantized out;
  const int64_t n = x.numel();
  if (!config.quantized()) {
    out.values = x.values;
    out.count = dataStatsParallel(x.values.data(), n).finite;
    return out;
  }
  QuantConfig q = baseConfig(config);
  switch (config.mode) {
  case ActMode::Static: {
    float lo = calibration.lo, hi = calibration.hi;
    if (config.symmetric) {
      const float amax = std::max(std::fabs(lo), std::fabs(hi));
      lo = -amax;
      hi = amax;
    }
    q.clipping.method = ClipMethod::Fixed;
    q.clipping.fixedMin = lo;
    q.clipping.fixedMax = hi;
    out.lo = lo;
    out.hi = hi;
    out.clipped = countOutside(x.values.data(), n, ClipRange{lo, hi});
    break;
  }
  case ActMode::DynamicTensor:
    break;
  case ActMode::DynamicToken:
    q.granularity = Granularity{GranularityKind::Token, 0, 128};
    break;
  }
  out.count = dataStatsParallel(x.values.data(), n).finite;
  out.values = fakeQuantize(x, q, cancel);
  return out;
}

} // namespace qs
