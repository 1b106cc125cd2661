#pragma once
// The sweep: quantize one tensor under a list of candidates, reusing the
// input-only analysis of the first result. `quantscope-cli sweep` and the
// GUI's Sweep tab both run it. Plain C++ on top of qs::quantize, so it runs
// on any worker thread.
#include "core/quant/quantize.h"
#include "core/sweep/sweep_candidates.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace qs {

struct SweepOptions {
  AnalysisOptions analysis;
  // True: a candidate the tensor cannot take (a row length that is not a
  // multiple of a GGUF block, an axis out of range) is left out. False: its
  // qs::Error propagates.
  bool skipUnsupported = true;
};

// Every metric, no codes and no top-k, failing on an unsupported candidate:
// the CLI's sweep.
SweepOptions fullSweepOptions();
// SQNR against storage cost only: 16 bins, a 1 x 1 map, no top-k or codes,
// unsupported candidates skipped: the GUI's sweep plot.
SweepOptions lightSweepOptions();

using SweepResultFn =
    std::function<void(const SweepCandidate& candidate, const std::shared_ptr<const QuantResult>& result)>;

// Quantizes `tensor` under every candidate in order and hands each result to
// `onResult` (on the calling thread). Throws qs::Cancelled.
void sweepResults(const Tensor& tensor, const std::vector<SweepCandidate>& candidates, SweepOptions options,
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

// sweepResults with lightSweepOptions(), kept as points. Calls `onPoint`
// after each point (on the calling thread). Throws qs::Cancelled.
std::vector<SweepPoint> runSweep(const Tensor& tensor, const std::vector<SweepCandidate>& candidates,
                                 const std::atomic<bool>* cancel,
                                 const std::function<void(const SweepPoint&)>& onPoint = {});

} // namespace qs
