#include "core/sweep/sweep_runner.h"

#include "core/error.h"

#include <algorithm>
#include <memory>

namespace qs {

AnalysisOptions sweepAnalysisOptions() {
  AnalysisOptions o;
  o.keepCodes = false;
  o.topK = 0;
  return o;
}

void sweepResults(const Tensor& tensor, const std::vector<SweepCandidate>& candidates, bool skipUnsupported,
                  const std::atomic<bool>* cancel, const SweepResultFn& onResult) {
  AnalysisOptions analysis = sweepAnalysisOptions();
  for (const SweepCandidate& c : candidates) {
    if (cancel && cancel->load())
      throw Cancelled();
    std::shared_ptr<const QuantResult> r;
    try {
      r = quantize(tensor, c.config, analysis, cancel);
    } catch (const Error&) {
      if (!skipUnsupported)
        throw;
      continue; // this tensor cannot take this format; the line just lacks the point
    }
    if (!analysis.summary) // the other candidates skip the input-only analysis (channel moments)
      analysis.summary = TensorSummary::fromResult(*r, analysis.topK);
    onResult(c, r);
  }
}

Tensor sweepSample(const Tensor& tensor, int64_t maxElements) {
  if (tensor.numel() <= maxElements || tensor.shape.empty())
    return tensor;
  const View2D v = view2D(tensor.shape);
  const int64_t keep = std::clamp<int64_t>(maxElements / std::max<int64_t>(v.cols, 1), 1, v.rows);
  Tensor out;
  out.name = tensor.name;
  out.storedDtype = tensor.storedDtype;
  out.layout = tensor.layout; // the sample keeps its output-channel axis
  out.shape = tensor.shape;
  out.shape[0] = keep;
  out.values.resize(size_t(keep * v.cols));
  for (int64_t i = 0; i < keep; ++i) {
    const int64_t row = i * v.rows / keep; // evenly strided rows
    std::copy_n(tensor.values.begin() + row * v.cols, v.cols, out.values.begin() + i * v.cols);
  }
  // Importance is per input column: the same for sampled rows, and for a
  // 3-D expert stack (rows are experts) the sampled experts' rows of it.
  if (tensor.importance && tensor.shape.size() == 3 &&
      tensor.importance->size() == size_t(tensor.shape[0] * tensor.shape[2])) {
    const size_t in = size_t(tensor.shape[2]);
    auto w = std::make_shared<std::vector<float>>(size_t(keep) * in);
    for (int64_t i = 0; i < keep; ++i)
      std::copy_n(tensor.importance->begin() + ptrdiff_t(size_t(i * v.rows / keep) * in), in,
                  w->begin() + ptrdiff_t(size_t(i) * in));
    out.importance = std::move(w);
  } else if (tensor.shape.size() != 3) {
    out.importance = tensor.importance;
  }
  return out;
}

std::vector<SweepPoint> runSweep(const Tensor& tensor, const std::vector<SweepCandidate>& candidates,
                                 const std::atomic<bool>* cancel,
                                 const std::function<void(const SweepPoint&)>& onPoint) {
  std::vector<SweepPoint> points;
  sweepResults(tensor, candidates, true, cancel,
               [&](const SweepCandidate& c, const std::shared_ptr<const QuantResult>& r) {
                 SweepPoint p;
                 p.family = c.family;
                 p.label = c.label;
                 p.format = c.config.format;
                 p.bitsPerElement = r->metrics.bitsPerElement;
                 p.sqnrDb = r->metrics.sqnrDb;
                 p.mse = r->metrics.mse;
                 points.push_back(p);
                 if (onPoint)
                   onPoint(p);
               });
  return points;
}

} // namespace qs
