#pragma once
// Before and after the tile pass of the analysis (analysis.h): the result's
// per-cell and per-channel arrays sized, then the per-thread accumulators
// merged in thread order and the input-only parts taken from a summary.
#include "core/metrics/analysis.h"

#include <vector>

namespace qs {

// Sizes result.errorMap and result.channels for the tiles to write into.
void allocateAnalysisOutputs(const AnalysisPlan& plan, QuantResult& result);

// Merges accumulators[1..] into accumulators[0], writes metrics, histograms
// and top-k into result; the original histogram, channel statistics and top-|x|
// come from `summary` when given (nullptr: from the accumulators and `x`).
void finishAnalysis(std::vector<Accumulator>& accumulators, const AnalysisPlan& plan, const float* x,
                    const TensorSummary* summary, QuantResult& result);

} // namespace qs
