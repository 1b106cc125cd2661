#include "core/pipeline/quantize_pass.h"

#include <omp.h>

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace qs {

namespace {

// Code occupancy: four interleaved count arrays, so that runs of equal codes
// (common: most values sit near zero) do not serialise on one counter.
void countCodes(const int32_t* codes, int64_t n, int32_t codeMin, std::vector<int64_t>& out,
                std::vector<int32_t>& scratch) {
  constexpr int64_t kMaxRun = int64_t{1} << 30; // keeps the int32 counters below overflow
  for (; n > kMaxRun; n -= kMaxRun, codes += kMaxRun)
    countCodes(codes, kMaxRun, codeMin, out, scratch);
  const size_t count = out.size();
  if (n < 64 || count > 4096) {
    for (int64_t i = 0; i < n; ++i)
      ++out[size_t(codes[i] - codeMin)];
    return;
  }
  scratch.assign(4 * count, 0);
  int32_t* c0 = scratch.data();
  int32_t* c1 = c0 + count;
  int32_t* c2 = c1 + count;
  int32_t* c3 = c2 + count;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    ++c0[codes[i] - codeMin];
    ++c1[codes[i + 1] - codeMin];
    ++c2[codes[i + 2] - codeMin];
    ++c3[codes[i + 3] - codeMin];
  }
  for (; i < n; ++i)
    ++c0[codes[i] - codeMin];
  for (size_t c = 0; c < count; ++c)
    out[c] += int64_t(c0[c]) + c1[c] + c2[c] + c3[c];
}

} // namespace

QuantizePass::QuantizePass(const QuantPlan& plan, const FormatKernel& kernel, Calibration& calibration,
                           Buffers buffers, PassCounting counting, int threads)
    : plan_(plan), kernel_(kernel), params_(calibration.params), buffers_(buffers), counting_(counting),
      codeMin_(kernel.codeMin()), codeCount_(kernel.codeCount()),
      castMax_(plan.cast ? kernel.castMax() : 0.0f), threads_(size_t(threads)) {}

void QuantizePass::uncountNonFinite(const float* x, const int32_t* codes, int64_t length,
                                    std::vector<int64_t>& counts) const {
  if (counting_.anyNonFinite)
    for (int64_t i = 0; i < length; ++i)
      if (!(std::fabs(x[i]) <= FLT_MAX))
        --counts[size_t(codes[i] - codeMin_)];
}

void QuantizePass::quantizeRun(int64_t segment, int64_t begin, int64_t length, int32_t* codes,
                               ThreadState& state) {
  const float* x = buffers_.work + begin;
  float* deq = buffers_.dequantized + begin;
  if (plan_.cast) {
    kernel_.applyCast(x, length, deq, codes, uint64_t(begin));
    if (counting_.clipped)
      state.clipped += countOutside(x, length, {-castMax_, castMax_});
  } else if (plan_.block) {
    float scratch[256]; // fixed blocks hold at most 256 values
    const BlockWeights weights =
        buffers_.importance ? buffers_.importance->forBlock(begin, length, scratch) : BlockWeights{};
    params_[size_t(segment)] = kernel_.applyBlock(x, length, deq, codes, weights);
  } else {
    const SegmentParams& p = params_[size_t(segment)];
    kernel_.apply(p, segment, x, length, deq, codes, uint64_t(begin));
    if (counting_.clipped) // minmax ranges hold every finite value of their segment
      state.clipped += countOutside(x, length, {p.lo, p.hi});
  }
}

void QuantizePass::addSegmentCodes(int64_t segment, int64_t begin, int64_t length, const int32_t* codes,
                                   ThreadState& state, int thread) {
  countCodes(codes, length, codeMin_, state.segmentCounts, state.countScratch);
  uncountNonFinite(buffers_.work + begin, codes, length, state.segmentCounts);
  Accumulator& acc = (*counting_.accumulators)[size_t(thread)];
  std::vector<int64_t>& histogram = acc.dequantizedHistogram();
  const SegmentParams& p = params_[size_t(segment)];
  for (int c = 0; c < codeCount_; ++c) {
    if (const int64_t k = state.segmentCounts[size_t(c)]) {
      state.codeCounts[size_t(c)] += k;
      histogram[size_t(acc.histogramBin(kernel_.codeValue(p, segment, c + codeMin_)))] += k;
      state.segmentCounts[size_t(c)] = 0;
    }
  }
}

void QuantizePass::run(int64_t begin, int64_t end, int thread) {
  ThreadState& state = threads_[size_t(thread)];
  if (counting_.codes && state.codeCounts.empty())
    state.codeCounts.assign(size_t(codeCount_), 0);
  if (counting_.dequantizedFromCodes && state.segmentCounts.empty())
    state.segmentCounts.assign(size_t(codeCount_), 0);
  // The range's codes: the result's array, or scratch when they are only counted.
  int32_t* rangeCodes = buffers_.codes ? buffers_.codes + begin : nullptr;
  if (!rangeCodes && counting_.codes) {
    state.codeScratch.resize(size_t(end - begin));
    rangeCodes = state.codeScratch.data();
  }
  const SegmentLayout& layout = plan_.layout;
  int64_t segment =
      plan_.cast ? 0 : (begin / layout.cols) * layout.segsPerRow + (begin % layout.cols) / layout.segLen;
  for (int64_t b = begin; b < end; segment += plan_.cast ? 0 : 1) { // segments follow each other
    const int64_t segmentEnd =
        plan_.cast ? plan_.numel : layout.segmentBegin(segment) + layout.segmentLength(segment);
    const int64_t stop = std::min(end, segmentEnd);
    int32_t* codes = rangeCodes ? rangeCodes + (b - begin) : nullptr;
    quantizeRun(segment, b, stop - b, codes, state);
    if (counting_.dequantizedFromCodes)
      addSegmentCodes(segment, b, stop - b, codes, state, thread);
    b = stop;
  }
  if (counting_.codes && !counting_.dequantizedFromCodes) { // one pass: short segments would serialise
    countCodes(rangeCodes, end - begin, codeMin_, state.codeCounts, state.countScratch);
    uncountNonFinite(buffers_.work + begin, rangeCodes, end - begin, state.codeCounts);
  }
}

void QuantizePass::runAll(ParallelErrors& errors) {
  const SegmentLayout& layout = plan_.layout;
  const int64_t n = plan_.numel;
  const int64_t segments = plan_.segments;
  // Chunks of about 64 K elements: whole segments, or plain runs for a cast.
  const int64_t perChunk = std::max<int64_t>(1, (int64_t{1} << 16) / std::max<int64_t>(layout.segLen, 1));
  const int64_t castChunk = int64_t{1} << 16;
  const int64_t chunks = plan_.cast ? (n + castChunk - 1) / castChunk : (segments + perChunk - 1) / perChunk;
#pragma omp parallel if (plan_.parallel)
  {
    const int thread = omp_get_thread_num();
#pragma omp for schedule(dynamic, 4)
    for (int64_t c = 0; c < chunks; ++c) {
      errors.run([&] {
        if (plan_.cast) {
          run(c * castChunk, std::min(n, (c + 1) * castChunk), thread);
          return;
        }
        const int64_t lastSegment = std::min(segments, (c + 1) * perChunk) - 1;
        run(layout.segmentBegin(c * perChunk),
            layout.segmentBegin(lastSegment) + layout.segmentLength(lastSegment), thread);
      });
    }
  }
  errors.rethrow();
}

int64_t QuantizePass::clippedCount() const {
  int64_t clipped = 0;
  for (const ThreadState& s : threads_)
    clipped += s.clipped;
  return clipped;
}

std::vector<int64_t> QuantizePass::codeCounts() const {
  std::vector<int64_t> counts(counting_.codes ? size_t(codeCount_) : 0, 0);
  for (const ThreadState& s : threads_)
    for (size_t c = 0; c < s.codeCounts.size(); ++c)
      counts[c] += s.codeCounts[c];
  return counts;
}

} // namespace qs
