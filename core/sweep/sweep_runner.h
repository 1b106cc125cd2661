#pragma once
// The sweep: quantize one tensor under a list of candidates, reusing the
// input-only analysis of the first result. `quantscope-cli sweep` and the
// GUI's Sweep tab both run it. Plain C++ on top of qs::quantize, so it runs
// on any worker thread.
#include "core/pipeline/quantize.h"
#include "core/sweep/sweep_candidates.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace qs {

// Every sweep measures with the same analysis (every metric; no codes, no
// top-k), so `quantscope-cli sweep` and the Sweep tab give the same numbers
// for the same candidate: the sums behind the metrics follow the error map's
// tiles. The analysis is quantize's default otherwise.
AnalysisOptions sweepAnalysisOptions();

using SweepResultFn =
    std::function<void(const SweepCandidate& candidate, const std::shared_ptr<const QuantResult>& result)>;

// Quantizes `tensor` under every candidate in order and hands each result to
// `onResult` (on the calling thread). `skipUnsupported`: a candidate the
// tensor cannot take (an axis out of range, a block that does not fit) is
// left out; otherwise its qs::Error propagates (the CLI). Throws qs::Cancelled.
void sweepResults(const Tensor& tensor, const std::vector<SweepCandidate>& candidates, bool skipUnsupported,
                  const std::atomic<bool>* cancel, const SweepResultFn& onResult);

struct SweepPoint {
  std::string family, label, format;
  double bitsPerElement = 0; // codes + scales, from the core's metrics
  double sqnrDb = 0;
  double mse = 0;
};

// At most `maxElements` of `tensor`: evenly strided whole rows of the 2-D
// view (channel structure kept), or the tensor itself when small enough.
Tensor sweepSample(const Tensor& tensor, int64_t maxElements);

// sweepResults skipping unsupported candidates, kept as points (the Sweep
// tab). Calls `onPoint` after each point (on the calling thread). Throws
// qs::Cancelled.
std::vector<SweepPoint> runSweep(const Tensor& tensor, const std::vector<SweepCandidate>& candidates,
                                 const std::atomic<bool>* cancel,
                                 const std::function<void(const SweepPoint&)>& onPoint = {});

} // namespace qs
