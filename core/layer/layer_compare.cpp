#include "core/layer/layer_compare.h"

#include "core/error.h"
#include "core/formats/format_registry.h"
#include "core/layer/eigen_util.h"
#include "core/layer/layer_input.h"
#include "core/layer/smoothquant.h"
#include "core/pipeline/quantize.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace qs {

const char* toString(LayerMethod method) {
  switch (method) {
  case LayerMethod::Rtn:
    return "rtn";
  case LayerMethod::SmoothQuant:
    return "smoothquant";
  case LayerMethod::Awq:
    return "awq";
  case LayerMethod::Gptq:
    return "gptq";
  }
  return "?";
}

std::vector<LayerMethod> allLayerMethods() {
  return {LayerMethod::Rtn, LayerMethod::SmoothQuant, LayerMethod::Awq, LayerMethod::Gptq};
}

LayerMethod layerMethodFromString(const std::string& s) {
  for (LayerMethod m : allLayerMethods())
    if (s == toString(m))
      return m;
  throw Error("unknown layer method '" + s + "' (rtn, smoothquant, awq, gptq, all)");
}

LayerOptions::LayerOptions() {
  weight.format = "int4";
  weight.symmetric = true;
  weight.granularity = Granularity{GranularityKind::Group, 1, 128};
}

Metrics compareValues(const float* x, const float* q, int64_t n) {
  double se = 0, sx = 0, sq = 0, sxq = 0, maxErr = 0;
  int64_t count = 0;
#pragma omp parallel for schedule(static) reduction(+ : se, sx, sq, sxq, count) reduction(max : maxErr)
  for (int64_t i = 0; i < n; ++i) {
    const double a = x[i], b = q[i];
    if (!std::isfinite(a) || !std::isfinite(b))
      continue;
    const double e = a - b;
    se += e * e;
    sx += a * a;
    sq += b * b;
    sxq += a * b;
    maxErr = std::max(maxErr, std::fabs(e));
    ++count;
  }
  Metrics m;
  m.count = count;
  m.nonFinite = n - count;
  if (count == 0)
    return m;
  m.mse = se / double(count);
  m.rmse = std::sqrt(m.mse);
  m.maxAbsError = maxErr;
  m.sqnrDb = se == 0 ? std::numeric_limits<double>::infinity() : 10.0 * std::log10(sx / se);
  m.cosine = (sx > 0 && sq > 0) ? sxq / std::sqrt(sx * sq) : (sx == sq ? 1.0 : 0.0);
  return m;
}

namespace {

using Clock = std::chrono::steady_clock;

void checkCancel(const std::atomic<bool>* cancel) {
  if (cancel && cancel->load(std::memory_order_relaxed))
    throw Cancelled();
}

std::string describeWeight(const QuantConfig& c) {
  std::string s = c.format + (c.symmetric ? " sym" : " asym");
  if (c.granularity) {
    const Granularity& g = *c.granularity;
    s += std::string(", ") + toString(g.kind);
    if (g.kind == GranularityKind::Group)
      s += " " + std::to_string(g.groupSize) + " (axis " + std::to_string(g.axis) + ")";
    else if (g.kind == GranularityKind::Channel)
      s += " (axis " + std::to_string(g.axis) + ")";
  }
  if (c.clipping.method != ClipMethod::MinMax)
    s += std::string(", clip ") + toString(c.clipping.method);
  return s;
}

std::string describeActivation(const ActQuantConfig& c) {
  if (!c.quantized())
    return "float";
  std::string s = c.format + (c.symmetric ? " sym, " : " asym, ") + toString(c.mode);
  if (c.mode == ActMode::Static)
    s += std::string(" (") + toString(c.range) + ")";
  return s;
}

const char* methodName(LayerMethod m) {
  switch (m) {
  case LayerMethod::Rtn:
    return "RTN";
  case LayerMethod::SmoothQuant:
    return "SmoothQuant";
  case LayerMethod::Awq:
    return "AWQ";
  case LayerMethod::Gptq:
    return "GPTQ";
  }
  return "?";
}

struct Evaluated {
  LayerMethodResult result;
  std::vector<float> error; // y_q - y, [evalTokens, out]
};

} // namespace

LayerReport runLayerComparison(const Tensor& weight, const Tensor& tokens, const LayerOptions& options,
                               const std::atomic<bool>* cancel, const LayerProgress& progress) {
  const auto tStart = Clock::now();
  if (weight.shape.size() != 2)
    throw Error("layer weight must be [out, in], got " + shapeToString(weight.shape));
  if (tokens.shape.size() != 2 || tokens.shape[1] != weight.shape[1])
    throw Error("layer input tokens " + shapeToString(tokens.shape) + " do not match the weight " +
                shapeToString(weight.shape) + " (need [N, in])");
  if (options.methods.empty())
    throw Error("no layer method selected");
  if (!(options.smoothAlpha >= 0.0 && options.smoothAlpha <= 1.0))
    throw Error("SmoothQuant alpha must be in [0, 1], got " + std::to_string(options.smoothAlpha));
  if (options.awq.gridSteps < 1)
    throw Error("AWQ grid needs at least one step");
  if (options.gptq.blockSize < 1 || !(options.gptq.dampPercent >= 0.0))
    throw Error("GPTQ needs block size >= 1 and damping >= 0");
  makeKernel(options.weight); // an unknown weight format fails every method: say it once
  if (options.activation.quantized()) {
    QuantConfig a;
    a.format = options.activation.format;
    makeKernel(a);
  }
  const int64_t out = weight.shape[0], in = weight.shape[1];

  LayerReport report;
  report.outFeatures = out;
  report.inFeatures = in;
  report.weightLabel = describeWeight(options.weight);
  report.activationLabel = describeActivation(options.activation);

  const TokenSplit split =
      splitTokens(tokens.shape[0], options.calibFraction, options.calibCount, options.seed);
  const Tensor xc = gatherRows(tokens, split.calibration);
  const Tensor xe = gatherRows(tokens, split.evaluation);
  const int64_t nc = xc.shape[0], ne = xe.shape[0];
  report.calibrationTokens = nc;
  report.evaluationTokens = ne;
  report.calibration = activationStats(xc, options.outlierRule, options.outlierThreshold);
  {
    const ActivationStats es = activationStats(xe, options.outlierRule, options.outlierThreshold);
    report.tokenMin = es.tokenMin;
    report.tokenMax = es.tokenMax;
  }
  report.weightAbsMax = columnAbsMax(weight.values.data(), out, in);
  const std::vector<float> yRef = eig::matmulXWt(xe.values.data(), ne, in, weight.values.data(), out);
  {
    double s = 0;
    for (float v : yRef)
      s += double(v) * double(v);
    report.floatOutputRms = std::sqrt(s / double(yRef.size()));
  }
  checkCancel(cancel);

  // Quantize the (scaled) evaluation input, multiply, and measure.
  auto evaluate = [&](LayerMethodResult& r, const std::vector<float>& s, const std::vector<float>& wq) {
    Tensor xin = xe;
    if (!s.empty())
      scaleColumns(xin.values, ne, in, s, true);
    const float* xa = xin.values.data();
    ActQuantized qa;
    if (options.activation.quantized()) {
      ActCalibration cal;
      if (options.activation.mode == ActMode::Static) {
        Tensor cin = xc;
        if (!s.empty())
          scaleColumns(cin.values, nc, in, s, true);
        cal = calibrateActivations(cin, options.activation);
      }
      qa = quantizeActivations(xin, options.activation, cal, cancel);
      xa = qa.values.data();
      r.actClipped = qa.clipped;
      r.actCount = qa.count;
      r.actLo = qa.lo;
      r.actHi = qa.hi;
    }
    checkCancel(cancel);
    std::vector<float> y = eig::matmulXWt(xa, ne, in, wq.data(), out);
    r.output = compareValues(yRef.data(), y.data(), int64_t(y.size()));
    r.channelMse.assign(static_cast<size_t>(out), 0.0f);
    std::vector<double> acc(static_cast<size_t>(out), 0.0);
    for (int64_t t = 0; t < ne; ++t)
      for (int64_t o = 0; o < out; ++o) {
        const size_t i = size_t(t * out + o);
        y[i] -= yRef[i]; // y becomes the error
        acc[size_t(o)] += double(y[i]) * double(y[i]);
      }
    for (int64_t o = 0; o < out; ++o)
      r.channelMse[size_t(o)] = float(acc[size_t(o)] / double(ne));
    // The effective weight seen from X: Q(W s) / s.
    std::vector<float> weff = wq;
    if (!s.empty())
      scaleColumns(weff, out, in, s, true);
    r.weight = compareValues(weight.values.data(), weff.data(), out * in);
    if (!s.empty()) {
      r.scales = s;
      r.smoothedAbsMax.resize(s.size());
      for (size_t j = 0; j < s.size(); ++j)
        r.smoothedAbsMax[j] = report.calibration.channelAbsMax[j] / s[j];
    }
    return y;
  };

  std::vector<Evaluated> done;
  const int steps = int(options.methods.size());
  for (int step = 0; step < steps; ++step) {
    const LayerMethod m = options.methods[size_t(step)];
    checkCancel(cancel);
    if (progress)
      progress(step, steps, toString(m));
    const auto t0 = Clock::now();
    Evaluated ev;
    LayerMethodResult& r = ev.result;
    r.method = m;
    // A method the weight format cannot serve (GPTQ with a block format) reports
    // its error in its row; the other methods still run.
    try {
      switch (m) {
      case LayerMethod::Rtn: {
        r.label = "RTN";
        ev.error = evaluate(r, {}, fakeQuantize(weight, options.weight, cancel));
        break;
      }
      case LayerMethod::SmoothQuant: {
        const std::vector<float> s =
            smoothQuantScales(report.calibration.channelAbsMax, report.weightAbsMax, options.smoothAlpha);
        Tensor ws = weight;
        scaleColumns(ws.values, out, in, s, false);
        r.alpha = options.smoothAlpha;
        char buf[48];
        std::snprintf(buf, sizeof buf, "SmoothQuant (alpha %.2f)", options.smoothAlpha);
        r.label = buf;
        ev.error = evaluate(r, s, fakeQuantize(ws, options.weight, cancel));
        break;
      }
      case LayerMethod::Awq: {
        AwqResult a = awqSearch(weight, xc, options.weight, options.awq, cancel);
        r.alpha = a.alpha;
        r.gridAlpha = std::move(a.gridAlpha);
        r.gridLoss = std::move(a.gridLoss);
        char buf[48];
        std::snprintf(buf, sizeof buf, "AWQ (alpha %.2f)", a.alpha);
        r.label = buf;
        ev.error = evaluate(r, a.scales, a.scaledQuantized);
        break;
      }
      case LayerMethod::Gptq: {
        const GptqResult g = gptqQuantize(weight, xc, options.weight, options.gptq, cancel);
        r.label = options.gptq.actOrder ? "GPTQ (act-order)" : "GPTQ";
        if (options.weight.clipping.method != ClipMethod::MinMax)
          r.label += " (minmax ranges)"; // group ranges are fitted as GPTQ reaches them
        r.gptqLoss = g.loss;
        ev.error = evaluate(r, {}, g.dequantized);
        break;
      }
      }
    } catch (const Error& e) {
      r.error = e.what();
      r.label = methodName(m);
      r.alpha = -1;
    }
    r.ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    done.push_back(std::move(ev));
  }

  bool anyOk = false;
  for (const Evaluated& ev : done)
    anyOk = anyOk || ev.result.error.empty();
  if (!anyOk)
    throw Error(done.front().result.label + ": " + done.front().result.error);

  // One error histogram range for all methods so that they overlay.
  double range = 0;
  for (const Evaluated& ev : done)
    range = std::max(range, ev.result.output.maxAbsError);
  if (!(range > 0))
    range = 1.0;
  const int bins = std::max(options.histogramBins, 1);
  for (Evaluated& ev : done) {
    Histogram& h = ev.result.outputError;
    h.lo = -range;
    h.hi = range;
    h.counts.assign(static_cast<size_t>(bins), 0.0);
    const double scale = bins / (2 * range);
    for (float e : ev.error) {
      if (!std::isfinite(e))
        continue;
      const int b = std::clamp(int((double(e) + range) * scale), 0, bins - 1);
      h.counts[size_t(b)] += 1.0;
    }
    report.methods.push_back(std::move(ev.result));
  }
  report.totalMs = std::chrono::duration<double, std::milli>(Clock::now() - tStart).count();
  return report;
}

} // namespace qs
