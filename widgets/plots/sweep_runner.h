#pragma once
// The sweep behind SweepView: quantize one tensor under a list of formats and
// granularities and keep SQNR against storage cost. Plain C++ on top of
// qs::quantize (no Qt), so it runs on any worker thread and is testable.
#include "core/quant/quant_config.h"
#include "core/tensor.h"

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace qs {

struct SweepCandidate {
  std::string family; // the line it belongs to: "INT · per channel"
  std::string label;  // the point: "INT4 · per channel"
  QuantConfig config;
};

struct SweepPoint {
  std::string family, label, format;
  double bitsPerElement = 0; // codes + scales, from the core's metrics
  double sqnrDb = 0;
  double mse = 0;
};

// The families the view offers, in legend order.
const std::vector<std::string>& sweepFamilies();
// Candidates of `families` for a tensor of `shape` (groups run along the
// last axis, 128 wide or the whole axis when shorter).
std::vector<SweepCandidate> sweepCandidates(const std::vector<std::string>& families, const Shape& shape);

// At most `maxElements` of `tensor`: evenly strided whole rows of the 2-D
// view (channel structure kept), or the tensor itself when small enough.
Tensor sweepSample(const Tensor& tensor, int64_t maxElements);

// Quantizes `tensor` under every candidate with light analysis (16 bins,
// 1 x 1 map, no top-k, no codes). Candidates the tensor cannot take (e.g. a
// row length that is not a multiple of a GGUF block) are skipped. Calls
// `onPoint` after each point (on the calling thread). Throws qs::Cancelled.
std::vector<SweepPoint> runSweep(const Tensor& tensor, const std::vector<SweepCandidate>& candidates,
                                 const std::atomic<bool>* cancel,
                                 const std::function<void(const SweepPoint&)>& onPoint = {});

} // namespace qs
