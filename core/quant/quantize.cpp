// quantize(): resolve the format once, reduce the granularity to contiguous
// segments (layout.h), calibrate every segment (calib/), then quantize and
// analyse tile by tile while the tile is in cache (metrics/analysis.h).
#include "core/quant/quantize.h"

#include "core/calib/clip_range.h"
#include "core/error.h"
#include "core/metrics/analysis.h"
#include "core/quant/layout.h"
#include "core/quant/scheme.h"
#include "core/quant/segment_quantizer.h"
#include "core/util/large_alloc.h"

#include <omp.h>

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <exception>
#include <mutex>

namespace qs {

namespace {

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// Exceptions must not leave an OpenMP region: the first one is kept and
// rethrown after it; the other iterations see stop() and skip their work.
class ParallelErrors {
public:
  explicit ParallelErrors(const std::atomic<bool>* cancel) : cancel_(cancel) {}
  bool stop() const {
    return failed_.load(std::memory_order_relaxed) || (cancel_ && cancel_->load(std::memory_order_relaxed));
  }
  template <class F> void run(F&& f) {
    if (stop())
      return;
    try {
      f();
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_)
        error_ = std::current_exception();
      failed_ = true;
    }
  }
  void rethrow() const {
    if (error_)
      std::rethrow_exception(error_);
    if (cancel_ && cancel_->load())
      throw Cancelled();
  }

private:
  const std::atomic<bool>* cancel_;
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  std::exception_ptr error_;
};

std::string granularityText(const Granularity& g, const Scheme& s) {
  switch (g.kind) {
  case GranularityKind::None:
    return "cast";
  case GranularityKind::Tensor:
    return "per tensor";
  case GranularityKind::Channel:
    return "per channel (axis " + std::to_string(g.axis) + ")";
  case GranularityKind::Token:
    return "per token";
  case GranularityKind::Group:
    if (s.fixedBlock)
      return "block " + std::to_string(s.fixedBlock) + " along axis " + std::to_string(g.axis);
    return "group " + std::to_string(g.groupSize) + " along axis " + std::to_string(g.axis);
  }
  return "";
}

// The granularity that will be used, with a note when the user's was replaced.
Granularity chooseGranularity(const QuantConfig& config, const Scheme& s, const Shape& shape,
                              std::string& note) {
  Granularity g = config.granularity.value_or(s.defaultGranularity);
  if (s.fixedBlock) {
    const Granularity fixed{GranularityKind::Group, shape.empty() ? 0 : int(shape.size()) - 1, s.fixedBlock};
    if (config.granularity && !(config.granularity->kind == GranularityKind::Group &&
                                config.granularity->groupSize == s.fixedBlock &&
                                (config.granularity->axis == -1 || config.granularity->axis == fixed.axis)))
      note = "granularity fixed by the format";
    return fixed;
  }
  if (g.kind == GranularityKind::None && s.kind != SchemeKind::Float) {
    note = "a plain cast needs a float format: per tensor used";
    g.kind = GranularityKind::Tensor;
  }
  return g;
}

// MSE clip search: the minmax range scaled by 1 - i/100 for i = 0..99, each
// scored by the squared error of a nearest-rounding trial quantization; on at
// most 65536 evenly strided values of the segment. The first minimum wins.
ClipRange mseSearch(const SegmentQuantizer& q, const float* x, int64_t n, const DataStats& s) {
  constexpr int64_t kMaxSample = 65536;
  std::vector<float> sample;
  const float* v = x;
  int64_t m = n;
  if (n > kMaxSample) {
    sample.resize(kMaxSample);
    for (int64_t k = 0; k < kMaxSample; ++k)
      sample[size_t(k)] = x[k * n / kMaxSample];
    v = sample.data();
    m = kMaxSample;
  }
  std::vector<float> scratch;
  ClipRange best{s.min, s.max};
  double bestErr = HUGE_VAL;
  for (int i = 0; i < 100; ++i) {
    const float r = float(1.0 - i / 100.0);
    const ClipRange c{s.min * r, s.max * r};
    const double e = q.trialMse(v, m, c, scratch);
    if (e < bestErr) {
      bestErr = e;
      best = c;
    }
  }
  return best;
}

// Code occupancy: four interleaved count arrays, so that runs of equal codes
// (common: most values sit near zero) do not serialise on one counter.
void countCodes4(const int32_t* codes, int64_t n, int32_t codeMin, std::vector<int64_t>& out,
                 std::vector<int32_t>& quad) {
  constexpr int64_t kMaxRun = int64_t{1} << 30; // keeps the int32 counters below overflow
  for (; n > kMaxRun; n -= kMaxRun, codes += kMaxRun)
    countCodes4(codes, kMaxRun, codeMin, out, quad);
  const size_t C = out.size();
  if (n < 64 || C > 4096) {
    for (int64_t i = 0; i < n; ++i)
      ++out[size_t(codes[i] - codeMin)];
    return;
  }
  quad.assign(4 * C, 0);
  int32_t* q0 = quad.data();
  int32_t* q1 = q0 + C;
  int32_t* q2 = q1 + C;
  int32_t* q3 = q2 + C;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    ++q0[codes[i] - codeMin];
    ++q1[codes[i + 1] - codeMin];
    ++q2[codes[i + 2] - codeMin];
    ++q3[codes[i + 3] - codeMin];
  }
  for (; i < n; ++i)
    ++q0[codes[i] - codeMin];
  for (size_t c = 0; c < C; ++c)
    out[c] += int64_t(q0[c]) + q1[c] + q2[c] + q3[c];
}

struct Job {
  const Tensor& tensor;
  QuantConfig config;
  const AnalysisOptions& options;
  const std::atomic<bool>* cancel;
  bool analyse;
  float* out = nullptr; // fakeQuantizeInto: the caller's buffer instead of r.dequantized
};

std::shared_ptr<QuantResult> run(const Job& job) {
  const auto tStart = Clock::now();
  const Tensor& t = job.tensor;
  const int64_t n = shapeNumel(t.shape);
  if (n != t.numel())
    throw Error("tensor '" + t.name + "' has " + std::to_string(t.numel()) + " values but its shape " +
                shapeToString(t.shape) + " needs " + std::to_string(n));
  // The big buffers go back to the pool when the last holder lets go (any thread).
  std::shared_ptr<QuantResult> res(new QuantResult, [](QuantResult* dying) {
    releaseLarge(dying->dequantized);
    releaseLarge(dying->codes);
    delete dying;
  });
  QuantResult& r = *res;
  r.tensorName = t.name;
  r.shape = t.shape;
  r.config = resolveForTensor(job.config, t.name);
  const Scheme scheme = resolveScheme(r.config);
  std::string note;
  const Granularity gran = chooseGranularity(r.config, scheme, t.shape, note);
  const SegmentLayout L = makeLayout(t.shape, gran);
  r.granularity = L.granularity;
  r.scaleShape = L.scaleShape;
  const bool cast = gran.kind == GranularityKind::None;
  const bool block = scheme.fixedBlock > 0;
  r.formatLabel = scheme.label + " · " + granularityText(L.granularity, scheme);
  if (!cast && !block && r.config.clipping.method != ClipMethod::MinMax)
    r.formatLabel += std::string(" · clip ") + toString(r.config.clipping.method);
  if (r.config.rounding == Rounding::Stochastic)
    r.formatLabel += " · stochastic";
  if (!note.empty())
    r.formatLabel += " (" + note + ")";

  SegmentQuantizer quantizer(scheme, r.config.rounding == Rounding::Stochastic, r.config.seed);
  const int32_t codeMin = quantizer.codeMin();
  const int codeCount = quantizer.codeCount();
  r.codeBits = scheme.bits;
  r.codeMin = codeMin;
  const float* x = t.values.data();
  ParallelErrors errors(job.cancel);
  // Threads only pay off for large tensors (and an idle second core).
  const bool parallel = n >= (int64_t{1} << 18);

  // ---- working layout
  std::vector<float> permuted;
  const float* work = x;
  const bool identity = L.perm == Permutation::Identity;
  if (!identity && n > 0) {
    resizeLarge(permuted, size_t(n));
    permuteToWorking(L, x, permuted.data());
    work = permuted.data();
  }

  // ---- calibration: per segment stats, clip range, parameters
  const int64_t S = n > 0 ? L.numSegments() : 0;
  // One entry per scale group: 24 MB for group 32 of a 4096^2 tensor, so
  // pooled like the result buffers. Every entry is assigned before it is read
  // (fit() per group, applyBlock() per block, the cast's single entry below).
  std::vector<SegmentParams> params;
  std::vector<DataStats> stats;
  resizeLarge(params, size_t(S));
  if (!cast && !block)
    resizeLarge(stats, size_t(S));
  struct ReleaseScratch {
    std::vector<SegmentParams>& params;
    std::vector<DataStats>& stats;
    ~ReleaseScratch() {
      releaseLarge(params);
      releaseLarge(stats);
    }
  } releaseScratch{params, stats};
  quantizer.reserveSegments(S);
  DataStats global;
  if (cast || block) {
    global = dataStatsParallel(x, n);
    if (cast && S) { // no clamp: overflow follows the format (inf or saturation)
      params[0] = SegmentParams{};
      params[0].lo = -HUGE_VALF;
      params[0].hi = HUGE_VALF;
    }
  } else {
    const Clipping& clip = r.config.clipping;
#pragma omp parallel for schedule(dynamic, 16) if (S > 1 && parallel)
    for (int64_t s = 0; s < S; ++s) {
      errors.run([&] {
        const float* seg = work + L.segmentBegin(s);
        const int64_t len = L.segmentLength(s);
        stats[size_t(s)] = S == 1 ? dataStatsParallel(seg, len) : dataStats(seg, len);
        const ClipRange cr = clip.method == ClipMethod::Mse
                                 ? mseSearch(quantizer, seg, len, stats[size_t(s)])
                                 : clipRange(clip, seg, len, stats[size_t(s)], scheme.bits);
        params[size_t(s)] = quantizer.fit(seg, len, cr, s);
      });
    }
    errors.rethrow();
    float lo = FLT_MAX, hi = -FLT_MAX;
    for (const DataStats& d : stats) {
      if (d.finite) {
        lo = std::min(lo, d.min);
        hi = std::max(hi, d.max);
        global.finite += d.finite;
      }
    }
    if (global.finite) {
      global.min = lo;
      global.max = hi;
    }
  }

  // ---- outputs
  if (!job.out)
    resizeLarge(r.dequantized, size_t(n));
  float* const deqOut = job.out ? job.out : r.dequantized.data();
  const bool keepCodes = job.analyse ? job.options.keepCodes : false;
  if (keepCodes)
    resizeLarge(r.codes, size_t(n));
  std::vector<float> deqWork;
  std::vector<int32_t> codesWork;
  float* deqW = deqOut;
  int32_t* codesW = keepCodes ? r.codes.data() : nullptr;
  if (!identity && n > 0) {
    resizeLarge(deqWork, size_t(n));
    deqW = deqWork.data();
    if (keepCodes) {
      resizeLarge(codesWork, size_t(n));
      codesW = codesWork.data();
    }
  }
  const bool countCodes = job.analyse && codeCount > 0;
  const float castMax = cast ? float(scheme.floatFormat.maxValue()) : 0.0f;

  AnalysisPlan plan;
  if (job.analyse)
    plan = makeAnalysisPlan(t.shape, job.options.histogramBins, job.options.mapWidth, job.options.mapHeight,
                            job.options.topK, global.finite ? global.min : 0.0,
                            global.finite ? global.max : 0.0);
  if (job.analyse && n > 0) {
    const size_t cells = size_t(plan.mapW) * size_t(plan.mapH);
    r.errorMap.width = plan.mapW;
    r.errorMap.height = plan.mapH;
    r.errorMap.rows = plan.rows;
    r.errorMap.cols = plan.cols;
    r.errorMap.maxAbs.assign(cells, 0);
    r.errorMap.meanAbs.assign(cells, 0);
    r.errorMap.meanSigned.assign(cells, 0);
    const size_t rows = size_t(plan.rows);
    r.channels.absMax.assign(rows, 0);
    r.channels.mean.assign(rows, 0);
    r.channels.stdDev.assign(rows, 0);
    r.channels.kurtosis.assign(rows, 0);
  }

  const int threads = omp_get_max_threads();
  std::vector<std::vector<int64_t>> codeHist(static_cast<size_t>(threads));
  std::vector<int64_t> clippedPerThread(static_cast<size_t>(threads), 0);
  std::vector<std::vector<int32_t>> quadPerThread(static_cast<size_t>(threads));
  std::vector<double> analyseMsPerThread(static_cast<size_t>(threads), 0);

  std::vector<Accumulator> acc;
  if (job.analyse)
    acc.assign(size_t(threads), Accumulator(plan));
  const TensorSummary* summary = job.options.summary.get();
  if (summary && !(summary->shape == t.shape && summary->bins == plan.bins && summary->topK == plan.topK))
    summary = nullptr;
  if (job.analyse && summary)
    for (Accumulator& a : acc)
      a.skipInputAnalysis();
  // The dequantized histogram from code counts: every code of a segment has
  // one value, so counting codes per segment replaces a scatter per element.
  const int64_t avgSegLen = S ? n / S : 0;
  const bool qFromCodes = countCodes && !cast && !block && codeCount <= 4096 && avgSegLen >= 8 * codeCount;
  const bool qFromCastCodes = countCodes && cast;
  if (qFromCodes || qFromCastCodes)
    for (Accumulator& a : acc)
      a.setDequantizedFromCodes();
  const bool anyNonFinite = global.finite < n;
  const bool mayClip = job.analyse && r.config.clipping.method != ClipMethod::MinMax;

  // Codes of NaN/inf inputs are not codes: takes them back out of `counts`.
  auto uncountNonFinite = [&](const float* v, const int32_t* codes, int64_t len,
                              std::vector<int64_t>& counts) {
    if (anyNonFinite)
      for (int64_t i = 0; i < len; ++i)
        if (!(std::fabs(v[i]) <= FLT_MAX))
          --counts[size_t(codes[i] - codeMin)];
  };

  // Quantizes working elements [b0, e): whole segments or parts of one.
  auto quantizeRange = [&](int64_t b0, int64_t e, std::vector<int32_t>& scratchCodes, int tid) {
    int64_t clipped = 0;
    std::vector<int64_t>& hist = codeHist[size_t(tid)];
    if (countCodes && hist.empty())
      hist.assign(size_t(codeCount), 0);
    std::vector<int64_t> segCounts(qFromCodes ? size_t(codeCount) : 0, 0);
    std::vector<int32_t>& quad = quadPerThread[size_t(tid)];
    // The range's codes: the result's array, or scratch when they are only counted.
    int32_t* rangeCodes = codesW ? codesW + b0 : nullptr;
    if (!rangeCodes && countCodes) {
      scratchCodes.resize(size_t(e - b0));
      rangeCodes = scratchCodes.data();
    }
    int64_t seg = cast ? 0 : (b0 / L.cols) * L.segsPerRow + (b0 % L.cols) / L.segLen;
    for (int64_t b = b0; b < e; seg += cast ? 0 : 1) { // segments follow each other in the working layout
      const int64_t segEnd = cast ? n : L.segmentBegin(seg) + L.segmentLength(seg);
      const int64_t end = std::min(e, segEnd);
      const int64_t len = end - b;
      int32_t* codes = rangeCodes ? rangeCodes + (b - b0) : nullptr;
      if (cast) {
        quantizer.applyCast(work + b, len, deqW + b, codes, uint64_t(b));
        if (job.analyse)
          clipped += countOutside(work + b, len, {-castMax, castMax}); // overflow
      } else if (block) {
        params[size_t(seg)] = quantizer.applyBlock(work + b, len, deqW + b, codes);
      } else {
        quantizer.apply(params[size_t(seg)], seg, work + b, len, deqW + b, codes, uint64_t(b));
        if (mayClip) // minmax ranges hold every finite value of their segment
          clipped += countOutside(work + b, len, {params[size_t(seg)].lo, params[size_t(seg)].hi});
      }
      if (qFromCodes) { // per segment: each code has one value here
        countCodes4(codes, len, codeMin, segCounts, quad);
        uncountNonFinite(work + b, codes, len, segCounts);
        std::vector<int64_t>& hq = acc[size_t(tid)].dequantizedHistogram();
        for (int c = 0; c < codeCount; ++c) {
          if (const int64_t k = segCounts[size_t(c)]) {
            hist[size_t(c)] += k;
            hq[size_t(acc[size_t(tid)].histogramBin(
                quantizer.codeValue(params[size_t(seg)], seg, c + codeMin)))] += k;
            segCounts[size_t(c)] = 0;
          }
        }
      }
      b = end;
    }
    if (countCodes && !qFromCodes) { // one pass over the whole range: short segments would serialise
      countCodes4(rangeCodes, e - b0, codeMin, hist, quad);
      uncountNonFinite(work + b0, rangeCodes, e - b0, hist);
    }
    clippedPerThread[size_t(tid)] += clipped;
  };

  const int64_t tiles = job.analyse ? plan.numTiles() : 0;
  // Block formats need whole blocks: tiles must hold whole working rows.
  const bool blocksAligned = plan.fusedChannelStats && L.cols > 0 && plan.cols % L.cols == 0;
  const bool fused = job.analyse && identity && n > 0 && (!block || blocksAligned);

  if (!fused && n > 0) {
    // Quantize everything in the working layout first, in chunks of whole segments.
    const int64_t segLen = cast ? n : L.segLen;
    const int64_t perChunk = std::max<int64_t>(1, (int64_t{1} << 16) / std::max<int64_t>(segLen, 1));
    const int64_t chunkElems = cast ? (int64_t{1} << 16) : 0;
    const int64_t chunks = cast ? (n + chunkElems - 1) / chunkElems : (S + perChunk - 1) / perChunk;
#pragma omp parallel if (parallel)
    {
      std::vector<int32_t> scratch;
      const int tid = omp_get_thread_num();
#pragma omp for schedule(dynamic, 4)
      for (int64_t c = 0; c < chunks; ++c) {
        errors.run([&] {
          int64_t b, e;
          if (cast) {
            b = c * chunkElems;
            e = std::min(n, b + chunkElems);
          } else {
            b = L.segmentBegin(c * perChunk);
            const int64_t lastSeg = std::min(S, (c + 1) * perChunk) - 1;
            e = L.segmentBegin(lastSeg) + L.segmentLength(lastSeg);
          }
          quantizeRange(b, e, scratch, tid);
        });
      }
    }
    errors.rethrow();
    if (!identity) {
      permuteFromWorking(L, deqWork.data(), deqOut);
      if (keepCodes)
        permuteFromWorking(L, codesWork.data(), r.codes.data());
      releaseLarge(deqWork);
      releaseLarge(codesWork);
      releaseLarge(permuted);
    }
  }

  if (job.analyse && n > 0) {
    const float* q = r.dequantized.data();
#pragma omp parallel if (parallel)
    {
      std::vector<int32_t> scratch;
      const int tid = omp_get_thread_num();
#pragma omp for schedule(dynamic, 1)
      for (int64_t tile = 0; tile < tiles; ++tile) {
        errors.run([&] {
          if (fused) {
            int64_t b, e;
            tileRange(plan, tile, b, e);
            quantizeRange(b, e, scratch, tid);
          }
          const auto t0 = Clock::now();
          acc[size_t(tid)].addTile(tile, x, q, r);
          analyseMsPerThread[size_t(tid)] += msSince(t0);
        });
      }
    }
    errors.rethrow();
  }

  if (scheme.kind == SchemeKind::Gguf && codeCount == 0) // K-quant codes are not unpacked
    releaseLarge(r.codes);
  if (!job.analyse)
    return res;

  // ---- merge and finish
  const auto tFinish = Clock::now();
  if (n > 0) {
    if (qFromCastCodes) { // a cast's codes are the values' bit patterns
      std::vector<int64_t>& hq = acc[0].dequantizedHistogram();
      for (const auto& h : codeHist)
        for (size_t c = 0; c < h.size(); ++c)
          if (h[c])
            hq[size_t(acc[0].histogramBin(scheme.floatFormat.decode(uint32_t(c))))] += h[c];
    }
    for (int i = 1; i < threads; ++i)
      acc[0].merge(acc[size_t(i)]);
    acc[0].finish(r);
    if (summary) {
      r.histOriginal = summary->histOriginal;
      r.channels = summary->channels;
      r.topMagnitude = summary->topMagnitude;
      for (TopEntry& e : r.topMagnitude) {
        e.dequantized = r.dequantized[size_t(e.index)];
        e.error = e.original - e.dequantized;
      }
    } else {
      if (!plan.fusedChannelStats)
        channelStatsRows(x, plan.cols, 0, plan.rows, r.channels);
      markOutlierChannels(r.channels);
    }
  } else {
    Accumulator(makeAnalysisPlan(t.shape, job.options.histogramBins, 1, 1, 0, 0, 0)).finish(r);
  }

  Metrics& m = r.metrics;
  int64_t clipped = 0;
  for (int64_t c : clippedPerThread)
    clipped += c;
  m.clippedFraction = m.count ? double(clipped) / double(m.count) : 0.0;
  // Storage per element: codes plus, per segment, the scale and zero point
  // (or the k-means centroids); GGUF: the real llama.cpp block size.
  double overheadBits = 0;
  if (scheme.kind == SchemeKind::Gguf)
    overheadBits = double(scheme.blockOverheadBits) * double(S);
  else if (scheme.kind == SchemeKind::KMeans)
    overheadBits = 32.0 * double(1 << scheme.kmeansBits) * double(S);
  else if (!cast)
    overheadBits = double(scheme.scaleBits + scheme.zeroPointBits) * double(S);
  m.bitsPerElement = n ? double(scheme.bits) + overheadBits / double(n) : double(scheme.bits);

  if (countCodes) {
    r.codeCounts.assign(size_t(codeCount), 0.0);
    for (const auto& h : codeHist)
      for (size_t i = 0; i < h.size(); ++i)
        r.codeCounts[i] += double(h[i]);
    double total = 0, H = 0;
    for (double c : r.codeCounts)
      total += c;
    for (double c : r.codeCounts)
      if (c > 0)
        H -= (c / total) * std::log2(c / total);
    m.codeEntropyBits = H;
  }

  // Scales etc. in the tensor's axis order (scaleShape).
  if (!cast && S > 0) {
    r.scales.assign(size_t(S), 0);
    if (!block) { // blocks do not clip: their scale covers the block's absmax
      r.clipLo.assign(size_t(S), 0);
      r.clipHi.assign(size_t(S), 0);
    }
    const bool zp = scheme.kind == SchemeKind::Int && !scheme.symmetric;
    if (zp)
      r.zeroPoints.assign(size_t(S), 0);
    if (scheme.kind == SchemeKind::Gguf &&
        (scheme.ggufType == GgufType::Q4_1 || scheme.ggufType == GgufType::Q5_1))
      r.offsets.assign(size_t(S), 0);
    for (int64_t s = 0; s < S; ++s) {
      const size_t at = size_t(L.scaleIndex(s));
      const SegmentParams& p = params[size_t(s)];
      r.scales[at] = p.scale;
      if (!block) {
        r.clipLo[at] = p.lo;
        r.clipHi[at] = p.hi;
      }
      if (zp)
        r.zeroPoints[at] = p.zeroPoint;
      if (!r.offsets.empty())
        r.offsets[at] = p.offset;
    }
    if (scheme.kind == SchemeKind::KMeans) {
      r.segmentLevels.reserve(size_t(S) << scheme.kmeansBits);
      for (int64_t s = 0; s < S; ++s) {
        const auto& c = quantizer.centroids(s);
        r.segmentLevels.insert(r.segmentLevels.end(), c.begin(), c.end());
      }
    }
  } else if (cast) {
    r.scales = {1.0f};
    r.clipLo = {-castMax};
    r.clipHi = {castMax};
  }
  if (S > 0)
    r.levels = quantizer.levels(params[0], 0);

  double aMs = 0;
  for (int i = 0; i < threads; ++i)
    aMs = std::max(aMs, analyseMsPerThread[size_t(i)]);
  const double total = msSince(tStart);
  // Calibration and permutation count as quantization; merging as analysis.
  r.analyzeMs = aMs + msSince(tFinish);
  r.quantizeMs = std::max(0.0, total - r.analyzeMs);
  return res;
}

} // namespace

std::shared_ptr<const QuantResult> quantize(const Tensor& tensor, const QuantConfig& config,
                                            const AnalysisOptions& options, const std::atomic<bool>* cancel) {
  return run(Job{tensor, config, options, cancel, true});
}

void fakeQuantizeInto(const Tensor& tensor, const QuantConfig& config, float* out,
                      const std::atomic<bool>* cancel) {
  static const AnalysisOptions kNone;
  Job job{tensor, config, kNone, cancel, false};
  job.out = out;
  run(job);
}

std::vector<float> fakeQuantize(const Tensor& tensor, const QuantConfig& config,
                                const std::atomic<bool>* cancel) {
  static const AnalysisOptions kNone;
  auto r = run(Job{tensor, config, kNone, cancel, false});
  return std::move(r->dequantized);
}

} // namespace qs
