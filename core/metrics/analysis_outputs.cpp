#include "core/metrics/analysis_outputs.h"

namespace qs {

void allocateAnalysisOutputs(const AnalysisPlan& plan, QuantResult& result) {
  const size_t cells = size_t(plan.mapW) * size_t(plan.mapH);
  ErrorMap& map = result.errorMap;
  map.width = plan.mapW;
  map.height = plan.mapH;
  map.rows = plan.rows;
  map.cols = plan.cols;
  map.maxAbs.assign(cells, 0);
  map.meanAbs.assign(cells, 0);
  map.meanSigned.assign(cells, 0);
  const size_t rows = size_t(plan.rows);
  result.channels.absMax.assign(rows, 0);
  result.channels.mean.assign(rows, 0);
  result.channels.stdDev.assign(rows, 0);
  result.channels.kurtosis.assign(rows, 0);
}

void finishAnalysis(std::vector<Accumulator>& accumulators, const AnalysisPlan& plan, const float* x,
                    const TensorSummary* summary, QuantResult& result) {
  for (size_t i = 1; i < accumulators.size(); ++i)
    accumulators[0].merge(accumulators[i]);
  accumulators[0].finish(result);
  if (!summary) {
    if (!plan.fusedChannelStats)
      channelStatsRows(x, plan.cols, 0, plan.rows, result.channels);
    markOutlierChannels(result.channels);
    return;
  }
  result.histOriginal = summary->histOriginal;
  result.channels = summary->channels;
  result.topMagnitude = summary->topMagnitude;
  for (TopEntry& e : result.topMagnitude) {
    e.dequantized = result.dequantized[size_t(e.index)];
    e.error = e.original - e.dequantized;
  }
}

} // namespace qs
