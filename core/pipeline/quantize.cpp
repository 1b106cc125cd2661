// quantize() as named stages (docs/ARCHITECTURE.md, "The quantizer"):
//   plan       the format resolved once, the granularity, the segment layout (quant_plan.h)
//   calibrate  clip range and parameters of every segment (calibrate.h)
//   quantize   range by range into the output, counting codes (quantize_pass.h)
//   analyse    the tile pass of metrics/analysis.h, fused with the quantize
//              stage while a tile is in cache when the layout allows it
//   result     bits/element, code entropy, scales (result_builder.h)
// With QuantConfig::rotation the stages run on the rotated tensor, between a
// rotation before and the analysis again in the original basis after
// (rotation_stage.h).
#include "core/pipeline/quantize.h"

#include "core/metrics/analysis_outputs.h"
#include "core/pipeline/calibrate.h"
#include "core/pipeline/quant_plan.h"
#include "core/pipeline/quantize_pass.h"
#include "core/pipeline/result_builder.h"
#include "core/pipeline/rotation_stage.h"
#include "core/util/large_alloc.h"
#include "core/util/parallel_errors.h"

#include <omp.h>

#include <algorithm>
#include <chrono>

namespace qs {

namespace {

using Clock = std::chrono::steady_clock;

// Granularities whose rows are the output channels of `Granularity::axis`.
bool keepsChannelAxis(GranularityKind kind) {
  return kind == GranularityKind::Channel || kind == GranularityKind::Group || kind == GranularityKind::Block;
}

double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

struct Job {
  const Tensor& tensor;
  QuantConfig config;
  const AnalysisOptions& options;
  const std::atomic<bool>* cancel;
  bool analyse;
  float* out = nullptr; // fakeQuantizeInto: the caller's buffer instead of result.dequantized
};

// The big buffers go back to the pool when the last holder lets go (any thread).
std::shared_ptr<QuantResult> newResult() {
  return std::shared_ptr<QuantResult>(new QuantResult, [](QuantResult* dying) {
    releaseLarge(dying->dequantized);
    releaseLarge(dying->codes);
    delete dying;
  });
}

// The tensor in the working layout (segments contiguous): the tensor itself,
// or pooled permuted copies of the input and of the outputs.
struct WorkingBuffers {
  std::vector<float> input, dequantized;
  std::vector<int32_t> codes;
  QuantizePass::Buffers view;
  void release() {
    releaseLarge(input);
    releaseLarge(dequantized);
    releaseLarge(codes);
  }
  ~WorkingBuffers() { release(); }
};

class QuantizeRun {
public:
  explicit QuantizeRun(const Job& job)
      : job_(job), tensor_(job.tensor), errors_(job.cancel), threads_(omp_get_max_threads()) {}
  std::shared_ptr<QuantResult> run();

private:
  void describeResult();
  void prepareBuffers();
  void prepareAnalysis();
  PassCounting passCounting();
  void chooseView();
  bool workingIsView() const;
  void prepareViewCopies();
  void analyseTiles(QuantizePass& pass, bool fused, const float* x, const float* q);
  void permuteOutputsBack();
  void finishResult(const QuantizePass& pass);
  void histogramCastCodes(const std::vector<int64_t>& counts);

  const Job& job_;
  const Tensor& tensor_;
  ParallelErrors errors_;
  const int threads_;
  const Clock::time_point start_ = Clock::now();
  std::shared_ptr<QuantResult> result_ = newResult();
  QuantPlan plan_;
  Calibration calibration_;
  WorkingBuffers working_;
  BlockImportance importance_;
  int viewAxis_ = 0;
  ChannelView view_;                               // what the analysis sees as rows and columns
  std::vector<float> viewInput_, viewDequantized_; // the view's copies when neither order is it
  AnalysisPlan analysisPlan_;
  std::vector<Accumulator> accumulators_;
  const TensorSummary* summary_ = nullptr;
  bool countCodes_ = false, dequantizedFromCodes_ = false, castCodesHistogram_ = false;
  std::vector<double> analyseMs_;
};

void QuantizeRun::describeResult() {
  QuantResult& r = *result_;
  r.tensorName = tensor_.name;
  r.shape = tensor_.shape;
  r.config = plan_.config;
  r.granularity = plan_.layout.granularity;
  r.viewAxis = viewAxis_;
  r.scaleShape = plan_.layout.scaleShape;
  r.formatLabel = plan_.formatLabel;
  r.codeBits = plan_.kernel->codeBits();
  r.codeMin = plan_.kernel->codeMin();
}

// Outputs in tensor order; working copies when the layout permutes.
void QuantizeRun::prepareBuffers() {
  QuantResult& r = *result_;
  const size_t n = size_t(plan_.numel);
  if (!job_.out)
    resizeLarge(r.dequantized, n);
  const bool keepCodes = job_.analyse && job_.options.keepCodes;
  if (keepCodes)
    resizeLarge(r.codes, n);
  QuantizePass::Buffers& view = working_.view;
  view = {tensor_.values.data(), job_.out ? job_.out : r.dequantized.data(),
          keepCodes ? r.codes.data() : nullptr};
  if (plan_.layout.perm == Permutation::Identity || n == 0)
    return;
  resizeLarge(working_.input, n);
  permuteToWorking(plan_.layout, tensor_.values.data(), working_.input.data());
  resizeLarge(working_.dequantized, n);
  view = {working_.input.data(), working_.dequantized.data(), nullptr};
  if (keepCodes) {
    resizeLarge(working_.codes, n);
    view.codes = working_.codes.data();
  }
}

// The views show channels as rows: the channel axis of the granularity, else
// the tensor's own output-channel axis (Tensor::layout); tokens are rows.
void QuantizeRun::chooseView() {
  const Granularity& g = plan_.layout.granularity;
  if (tensor_.shape.size() < 2 || g.kind == GranularityKind::Token)
    viewAxis_ = 0;
  else if (keepsChannelAxis(g.kind))
    viewAxis_ = g.axis;
  else
    viewAxis_ = resolveAxis(Granularity{}, tensor_.shape, tensor_.layout);
  view_ = channelView(tensor_.shape, tensor_.shape.empty() ? 0 : viewAxis_);
}

// The working array is the view: channel, group and whole-row block layouts
// move the same axis first (tile-major blocks are not the view).
bool QuantizeRun::workingIsView() const {
  const Granularity& g = plan_.layout.granularity;
  if (plan_.layout.perm == Permutation::Identity)
    return !view_.permuted();
  return plan_.layout.perm == Permutation::AxisFirst && keepsChannelAxis(g.kind) && g.axis == viewAxis_ &&
         tensor_.shape.size() >= 2;
}

void QuantizeRun::prepareAnalysis() {
  const DataStats& global = calibration_.global;
  const AnalysisOptions& o = job_.options;
  analysisPlan_ =
      makeAnalysisPlan(tensor_.shape, o.histogramBins, o.mapWidth, o.mapHeight, o.topK,
                       global.finite ? global.min : 0.0, global.finite ? global.max : 0.0, viewAxis_);
  if (plan_.numel > 0)
    allocateAnalysisOutputs(analysisPlan_, *result_);
  accumulators_.assign(size_t(threads_), Accumulator(analysisPlan_));
  summary_ = o.summary.get();
  if (summary_ && !(summary_->shape == tensor_.shape && summary_->viewAxis == viewAxis_ &&
                    summary_->bins == analysisPlan_.bins && summary_->topK == analysisPlan_.topK))
    summary_ = nullptr;
  if (summary_)
    for (Accumulator& a : accumulators_)
      a.skipInputAnalysis();
  // The dequantized histogram from code counts: every code of a segment has
  // one value, so counting codes per segment replaces a scatter per element.
  const int codeCount = plan_.kernel->codeCount();
  countCodes_ = codeCount > 0;
  const int64_t averageSegment = plan_.segments ? plan_.numel / plan_.segments : 0;
  dequantizedFromCodes_ =
      countCodes_ && !plan_.cast && !plan_.block && codeCount <= 4096 && averageSegment >= 8 * codeCount;
  castCodesHistogram_ = countCodes_ && plan_.cast;
  if (dequantizedFromCodes_ || castCodesHistogram_)
    for (Accumulator& a : accumulators_)
      a.setDequantizedFromCodes();
}

PassCounting QuantizeRun::passCounting() {
  PassCounting c;
  if (!job_.analyse)
    return c;
  c.codes = countCodes_;
  // Minmax ranges hold every value, unless a scale format stored the scale smaller.
  c.clipped = plan_.cast || plan_.config.clipping.method != ClipMethod::MinMax ||
              plan_.config.scaleFormat != ScaleFormat::Fp32;
  c.dequantizedFromCodes = dequantizedFromCodes_;
  c.anyNonFinite = calibration_.global.finite < plan_.numel;
  c.accumulators = &accumulators_;
  return c;
}

// Tiles of the view over the threads; each quantized first when fused.
void QuantizeRun::analyseTiles(QuantizePass& pass, bool fused, const float* x, const float* q) {
  QuantResult& r = *result_;
  const int64_t tiles = analysisPlan_.numTiles();
  analyseMs_.assign(size_t(threads_), 0.0);
#pragma omp parallel if (plan_.parallel)
  {
    const int thread = omp_get_thread_num();
#pragma omp for schedule(dynamic, 1)
    for (int64_t tile = 0; tile < tiles; ++tile) {
      errors_.run([&] {
        if (fused) {
          int64_t begin, end;
          tileRange(analysisPlan_, tile, begin, end);
          pass.run(begin, end, thread);
        }
        const auto t0 = Clock::now();
        accumulators_[size_t(thread)].addTile(tile, x, q, r);
        analyseMs_[size_t(thread)] += msSince(t0);
      });
    }
  }
  errors_.rethrow();
}

// A cast's codes are the values' bit patterns: their histogram is the dequantized one.
void QuantizeRun::histogramCastCodes(const std::vector<int64_t>& counts) {
  Accumulator& first = accumulators_[0];
  std::vector<int64_t>& histogram = first.dequantizedHistogram();
  for (size_t c = 0; c < counts.size(); ++c)
    if (counts[c])
      histogram[size_t(first.histogramBin(plan_.kernel->codeValue(SegmentParams{}, 0, int32_t(c))))] +=
          counts[c];
}

void QuantizeRun::finishResult(const QuantizePass& pass) {
  const auto tFinish = Clock::now();
  QuantResult& r = *result_;
  const std::vector<int64_t> codeCounts = pass.codeCounts();
  if (plan_.numel > 0) {
    if (castCodesHistogram_)
      histogramCastCodes(codeCounts);
    const float* viewX = !view_.permuted()     ? tensor_.values.data()
                         : !viewInput_.empty() ? viewInput_.data()
                                               : working_.input.data();
    finishAnalysis(accumulators_, analysisPlan_, viewX, summary_, r);
  } else {
    Accumulator(makeAnalysisPlan(tensor_.shape, job_.options.histogramBins, 1, 1, 0, 0, 0)).finish(r);
  }
  Metrics& m = r.metrics;
  m.clippedFraction = m.count ? double(pass.clippedCount()) / double(m.count) : 0.0;
  m.bitsPerElement = bitsPerElement(plan_);
  if (countCodes_)
    setCodeOccupancy(codeCounts, r);
  exportParameters(plan_, calibration_.params, *plan_.kernel, r);
  exportStoredScales(plan_, calibration_, *plan_.kernel, r);
  double analyseMs = 0;
  for (double ms : analyseMs_)
    analyseMs = std::max(analyseMs, ms);
  // Calibration and permutation count as quantization; merging as analysis.
  r.analyzeMs = analyseMs + msSince(tFinish);
  r.quantizeMs = std::max(0.0, msSince(start_) - r.analyzeMs);
}

// The outputs back in tensor order from the working order.
void QuantizeRun::permuteOutputsBack() {
  QuantResult& r = *result_;
  permuteFromWorking(plan_.layout, working_.dequantized.data(), job_.out ? job_.out : r.dequantized.data());
  if (!r.codes.empty())
    permuteFromWorking(plan_.layout, working_.codes.data(), r.codes.data());
  releaseLarge(working_.dequantized);
  releaseLarge(working_.codes);
}

// Neither the tensor's order nor the working order is the view (a per-tensor
// scale on a Keras kernel): copies of the input and output in the view's order.
void QuantizeRun::prepareViewCopies() {
  const SegmentLayout viewLayout =
      makeLayout(tensor_.shape, Granularity{GranularityKind::Channel, viewAxis_});
  resizeLarge(viewInput_, size_t(plan_.numel));
  permuteToWorking(viewLayout, tensor_.values.data(), viewInput_.data());
  resizeLarge(viewDequantized_, size_t(plan_.numel));
  permuteToWorking(viewLayout, result_->dequantized.data(), viewDequantized_.data());
}

std::shared_ptr<QuantResult> QuantizeRun::run() {
  plan_ = planQuantization(tensor_, job_.config);
  chooseView();
  describeResult();
  prepareBuffers();
  if (plan_.weighted) {
    importance_ = BlockImportance(tensor_, plan_.layout);
    working_.view.importance = &importance_;
  }
  calibrate(plan_, *plan_.kernel, tensor_.values.data(), working_.view.work, calibration_, errors_);
  if (job_.analyse)
    prepareAnalysis();
  QuantizePass pass(plan_, *plan_.kernel, calibration_, working_.view, passCounting(), threads_);
  const bool identity = plan_.layout.perm == Permutation::Identity;
  const bool inView = workingIsView();
  const int64_t n = plan_.numel;
  // Block formats need whole blocks: tiles must hold whole working rows.
  const bool blocksAligned =
      analysisPlan_.fusedChannelStats && plan_.layout.cols > 0 && analysisPlan_.cols % plan_.layout.cols == 0;
  const bool fused = job_.analyse && inView && n > 0 && (!plan_.block || blocksAligned);
  if (!fused && n > 0)
    pass.runAll(errors_);
  if (job_.analyse && n > 0) {
    const float* x = working_.view.work;
    const float* q = working_.view.dequantized;
    if (!inView) {
      if (!identity)
        permuteOutputsBack();
      if (view_.permuted()) {
        prepareViewCopies();
        x = viewInput_.data();
        q = viewDequantized_.data();
      } else { // tile-major blocks: the tensor's own order is the view
        x = tensor_.values.data();
        q = job_.out ? job_.out : result_->dequantized.data();
      }
    }
    analyseTiles(pass, fused, x, q);
  }
  if (!identity && !working_.dequantized.empty())
    permuteOutputsBack();
  releaseLarge(viewDequantized_);
  if (plan_.block && plan_.kernel->codeCount() == 0) // K-quant codes are not unpacked
    releaseLarge(result_->codes);
  if (job_.analyse)
    finishResult(pass);
  releaseLarge(viewInput_);
  working_.release();
  return result_;
}

// The stages on the rotated tensor, its output rotated back into the caller's basis.
std::shared_ptr<QuantResult> runRotated(const Job& job) {
  const auto start = Clock::now();
  const RotatedInput rotated = rotateInput(job.tensor, job.config);
  QuantConfig config = job.config;
  config.rotation = Rotation::None;
  AnalysisOptions options = job.options;
  options.summary = nullptr; // the summary describes the unrotated input
  Job inner{rotated.tensor, config, options, job.cancel, job.analyse};
  inner.out = job.out;
  std::shared_ptr<QuantResult> r = QuantizeRun(inner).run();
  rotateBack(rotated, job.out ? job.out : r->dequantized.data());
  r->config.rotation = job.config.rotation;
  if (!job.analyse)
    return r;
  r->formatLabel += " · Hadamard rotation, block " + std::to_string(rotated.rotation.block);
  const auto tAnalyse = Clock::now();
  analyseInOriginalBasis(job.tensor, rotated, job.options, job.cancel, *r);
  r->analyzeMs += msSince(tAnalyse);
  r->quantizeMs = std::max(0.0, msSince(start) - r->analyzeMs);
  return r;
}

std::shared_ptr<QuantResult> runJob(const Job& job) {
  return job.config.rotation == Rotation::None ? QuantizeRun(job).run() : runRotated(job);
}

} // namespace

std::shared_ptr<const QuantResult> quantize(const Tensor& tensor, const QuantConfig& config,
                                            const AnalysisOptions& options, const std::atomic<bool>* cancel) {
  return runJob(Job{tensor, config, options, cancel, true});
}

void fakeQuantizeInto(const Tensor& tensor, const QuantConfig& config, float* out,
                      const std::atomic<bool>* cancel) {
  static const AnalysisOptions kNone;
  Job job{tensor, config, kNone, cancel, false};
  job.out = out;
  runJob(job);
}

std::vector<float> fakeQuantize(const Tensor& tensor, const QuantConfig& config,
                                const std::atomic<bool>* cancel) {
  static const AnalysisOptions kNone;
  auto r = runJob(Job{tensor, config, kNone, cancel, false});
  return std::move(r->dequantized);
}

} // namespace qs
