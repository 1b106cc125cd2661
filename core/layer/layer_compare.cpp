#include "core/layer/layer_compare.h"

#include "core/error.h"
#include "core/layer/eigen_util.h"
#include "core/layer/layer_input.h"
#include "core/layer/smoothquant.h"
#include "core/pipeline/quantize.h"
#include "core/quant/format_config.h"
#include "core/quant/hadamard.h"

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
  case LayerMethod::Hadamard:
    return "hadamard";
  }
  return "?";
}

std::vector<LayerMethod> allLayerMethods() {
  return {LayerMethod::Rtn, LayerMethod::SmoothQuant, LayerMethod::Awq, LayerMethod::Gptq,
          LayerMethod::Hadamard};
}

LayerMethod layerMethodFromString(const std::string& s) {
  for (LayerMethod m : allLayerMethods())
    if (s == toString(m))
      return m;
  throw Error("unknown layer method '" + s + "' (rtn, smoothquant, awq, gptq, hadamard, all)");
}

LayerOptions::LayerOptions() {
  weight.format = "int4";
  weight.symmetric = true;
  weight.granularity = Granularity{GranularityKind::Group, 0, 128}; // [out, in]: groups along in
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
      s += " " + std::to_string(g.groupSize) + " (channels on axis " + std::to_string(g.axis) + ")";
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
  case LayerMethod::Hadamard:
    return "Hadamard rotation";
  }
  return "?";
}

// What a method does to the matmul's input, and so to the weight: per-input-
// channel scales (X / s, W * s) or a rotation along the inputs (X R^T, W R^T).
struct InputTransform {
  std::vector<float> scales;
  const HadamardRotation* rotation = nullptr;
  void toInput(std::vector<float>& x, int64_t rows, int64_t cols) const {
    if (!scales.empty())
      scaleColumns(x, rows, cols, scales, true);
    if (rotation)
      rotation->rotateRows(x.data(), rows, false);
  }
  // The effective weight seen from X: Q(W s) / s, or Q(W R^T) R.
  void weightBack(std::vector<float>& w, int64_t rows, int64_t cols) const {
    if (!scales.empty())
      scaleColumns(w, rows, cols, scales, true);
    if (rotation)
      rotation->rotateRows(w.data(), rows, true);
  }
};

struct Evaluated {
  LayerMethodResult result;
  std::vector<float> error; // y_q - y, [evalTokens, out]
};

void validateLayerInputs(const Tensor& weight, const Tensor& tokens, const LayerOptions& options) {
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
}

// The layer seen by every method: calibration and evaluation tokens, the
// float output it is measured against, and the report's shared parts.
class LayerBench {
public:
  LayerBench(const Tensor& weight, const Tensor& tokens, const LayerOptions& options,
             const std::atomic<bool>* cancel, LayerReport& report);
  Evaluated run(LayerMethod method);

private:
  // Quantizes the (scaled) evaluation input, multiplies and measures; returns y_q - y.
  std::vector<float> evaluate(LayerMethodResult& r, const InputTransform& t, const std::vector<float>& wq);
  const float* quantizedInput(LayerMethodResult& r, const InputTransform& t, Tensor& xin, ActQuantized& qa);
  void runMethod(LayerMethod m, Evaluated& ev);

  const Tensor& weight_;
  const LayerOptions& options_;
  const std::atomic<bool>* cancel_;
  LayerReport& report_;
  int64_t out_, in_;
  Tensor calib_, eval_; // token rows [n, in]
  std::vector<float> yRef_;
};

LayerBench::LayerBench(const Tensor& weight, const Tensor& tokens, const LayerOptions& options,
                       const std::atomic<bool>* cancel, LayerReport& report)
    : weight_(weight), options_(options), cancel_(cancel), report_(report), out_(weight.shape[0]),
      in_(weight.shape[1]) {
  report.outFeatures = out_;
  report.inFeatures = in_;
  report.weightLabel = describeWeight(options.weight);
  report.activationLabel = describeActivation(options.activation);
  const TokenSplit split =
      splitTokens(tokens.shape[0], options.calibFraction, options.calibCount, options.seed);
  calib_ = gatherRows(tokens, split.calibration);
  eval_ = gatherRows(tokens, split.evaluation);
  report.calibrationTokens = calib_.shape[0];
  report.evaluationTokens = eval_.shape[0];
  report.calibration = activationStats(calib_, options.outlierRule, options.outlierThreshold);
  const ActivationStats es = activationStats(eval_, options.outlierRule, options.outlierThreshold);
  report.tokenMin = es.tokenMin;
  report.tokenMax = es.tokenMax;
  report.weightAbsMax = columnAbsMax(weight.values.data(), out_, in_);
  yRef_ = eig::matmulXWt(eval_.values.data(), eval_.shape[0], in_, weight.values.data(), out_);
  double sum = 0;
  for (float v : yRef_)
    sum += double(v) * double(v);
  report.floatOutputRms = std::sqrt(sum / double(yRef_.size()));
}

const float* LayerBench::quantizedInput(LayerMethodResult& r, const InputTransform& t, Tensor& xin,
                                        ActQuantized& qa) {
  t.toInput(xin.values, eval_.shape[0], in_);
  if (!options_.activation.quantized())
    return xin.values.data();
  ActCalibration cal;
  if (options_.activation.mode == ActMode::Static) {
    Tensor cin = calib_;
    t.toInput(cin.values, calib_.shape[0], in_);
    cal = calibrateActivations(cin, options_.activation);
  }
  qa = quantizeActivations(xin, options_.activation, cal, cancel_);
  r.actClipped = qa.clipped;
  r.actCount = qa.count;
  r.actLo = qa.lo;
  r.actHi = qa.hi;
  return qa.values.data();
}

std::vector<float> LayerBench::evaluate(LayerMethodResult& r, const InputTransform& t,
                                        const std::vector<float>& wq) {
  const int64_t ne = eval_.shape[0];
  Tensor xin = eval_;
  ActQuantized qa;
  const float* xa = quantizedInput(r, t, xin, qa);
  checkCancel(cancel_);
  std::vector<float> y = eig::matmulXWt(xa, ne, in_, wq.data(), out_);
  r.output = compareValues(yRef_.data(), y.data(), int64_t(y.size()));
  r.channelMse.assign(static_cast<size_t>(out_), 0.0f);
  std::vector<double> acc(static_cast<size_t>(out_), 0.0);
  for (int64_t t = 0; t < ne; ++t)
    for (int64_t o = 0; o < out_; ++o) {
      const size_t i = size_t(t * out_ + o);
      y[i] -= yRef_[i]; // y becomes the error
      acc[size_t(o)] += double(y[i]) * double(y[i]);
    }
  for (int64_t o = 0; o < out_; ++o)
    r.channelMse[size_t(o)] = float(acc[size_t(o)] / double(ne));
  std::vector<float> weff = wq;
  t.weightBack(weff, out_, in_);
  r.weight = compareValues(weight_.values.data(), weff.data(), out_ * in_);
  const std::vector<float>& s = t.scales;
  if (!s.empty()) {
    r.scales = s;
    r.smoothedAbsMax.resize(s.size());
    for (size_t j = 0; j < s.size(); ++j)
      r.smoothedAbsMax[j] = report_.calibration.channelAbsMax[j] / s[j];
  }
  return y;
}

void LayerBench::runMethod(LayerMethod m, Evaluated& ev) {
  LayerMethodResult& r = ev.result;
  char buf[48];
  switch (m) {
  case LayerMethod::Rtn:
    r.label = "RTN";
    ev.error = evaluate(r, {}, fakeQuantize(weight_, options_.weight, cancel_));
    return;
  case LayerMethod::Hadamard: {
    const HadamardRotation h = makeHadamardRotation(in_, options_.seed);
    Tensor wr = weight_;
    h.rotateRows(wr.values.data(), out_, false);
    std::vector<float> rotatedCalib = calib_.values;
    h.rotateRows(rotatedCalib.data(), calib_.shape[0], false);
    r.smoothedAbsMax = columnAbsMax(rotatedCalib.data(), calib_.shape[0], in_);
    r.rotationBlock = h.block;
    r.label = "Hadamard rotation (block " + std::to_string(h.block) + ")";
    InputTransform t;
    t.rotation = &h;
    ev.error = evaluate(r, t, fakeQuantize(wr, options_.weight, cancel_));
    return;
  }
  case LayerMethod::SmoothQuant: {
    const std::vector<float> s =
        smoothQuantScales(report_.calibration.channelAbsMax, report_.weightAbsMax, options_.smoothAlpha);
    Tensor ws = weight_;
    scaleColumns(ws.values, out_, in_, s, false);
    r.alpha = options_.smoothAlpha;
    std::snprintf(buf, sizeof buf, "SmoothQuant (alpha %.2f)", options_.smoothAlpha);
    r.label = buf;
    ev.error = evaluate(r, InputTransform{s, nullptr}, fakeQuantize(ws, options_.weight, cancel_));
    return;
  }
  case LayerMethod::Awq: {
    AwqResult a = awqSearch(weight_, calib_, options_.weight, options_.awq, cancel_);
    r.alpha = a.alpha;
    r.gridAlpha = std::move(a.gridAlpha);
    r.gridLoss = std::move(a.gridLoss);
    std::snprintf(buf, sizeof buf, "AWQ (alpha %.2f)", a.alpha);
    r.label = buf;
    ev.error = evaluate(r, InputTransform{a.scales, nullptr}, a.scaledQuantized);
    return;
  }
  case LayerMethod::Gptq: {
    const GptqResult g = gptqQuantize(weight_, calib_, options_.weight, options_.gptq, cancel_);
    r.label = options_.gptq.actOrder ? "GPTQ (act-order)" : "GPTQ";
    if (options_.weight.clipping.method != ClipMethod::MinMax)
      r.label += " (minmax ranges)"; // group ranges are fitted as GPTQ reaches them
    r.gptqLoss = g.loss;
    ev.error = evaluate(r, {}, g.dequantized);
    return;
  }
  }
}

Evaluated LayerBench::run(LayerMethod m) {
  const auto t0 = Clock::now();
  Evaluated ev;
  ev.result.method = m;
  // A method the weight format cannot serve (GPTQ with a block format) reports
  // its error in its row; the other methods still run.
  try {
    runMethod(m, ev);
  } catch (const Error& e) {
    ev.result.error = e.what();
    ev.result.label = methodName(m);
    ev.result.alpha = -1;
  }
  ev.result.ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  return ev;
}

// One error histogram range for all methods so that they overlay.
void histogramOutputErrors(std::vector<Evaluated>& done, int bins) {
  double range = 0;
  for (const Evaluated& ev : done)
    range = std::max(range, ev.result.output.maxAbsError);
  if (!(range > 0))
    range = 1.0;
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
  }
}

} // namespace

LayerReport runLayerComparison(const Tensor& weight, const Tensor& tokens, const LayerOptions& options,
                               const std::atomic<bool>* cancel, const LayerProgress& progress) {
  const auto tStart = Clock::now();
  validateLayerInputs(weight, tokens, options);
  LayerReport report;
  LayerBench bench(weight, tokens, options, cancel, report);
  checkCancel(cancel);
  std::vector<Evaluated> done;
  const int steps = int(options.methods.size());
  for (int step = 0; step < steps; ++step) {
    const LayerMethod m = options.methods[size_t(step)];
    checkCancel(cancel);
    if (progress)
      progress(step, steps, toString(m));
    done.push_back(bench.run(m));
  }
  bool anyOk = false;
  for (const Evaluated& ev : done)
    anyOk = anyOk || ev.result.error.empty();
  if (!anyOk)
    throw Error(done.front().result.label + ": " + done.front().result.error);
  histogramOutputErrors(done, std::max(options.histogramBins, 1));
  for (Evaluated& ev : done)
    report.methods.push_back(std::move(ev.result));
  report.totalMs = std::chrono::duration<double, std::milli>(Clock::now() - tStart).count();
  return report;
}

} // namespace qs
