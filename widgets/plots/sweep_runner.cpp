#include "widgets/plots/sweep_runner.h"

#include "core/error.h"
#include "core/formats/format_registry.h"
#include "core/pipeline/quantize.h"

#include <algorithm>
#include <cmath>

namespace qs {

namespace {

SweepCandidate candidate(const std::string& family, const std::string& format, std::optional<Granularity> g,
                         const std::string& suffix) {
  SweepCandidate c;
  c.family = family;
  c.config.format = format;
  c.config.symmetric = true;
  c.config.granularity = g;
  c.label = findFormat(format).label + suffix;
  return c;
}

} // namespace

const std::vector<std::string>& sweepFamilies() {
  static const std::vector<std::string> families{"INT · per tensor", "INT · per channel", "INT · group",
                                                 "FP · per tensor",  "NF4 / codebooks",   "MX blocks",
                                                 "GGUF blocks"};
  return families;
}

std::vector<SweepCandidate> sweepCandidates(const std::vector<std::string>& families, const Shape& shape) {
  const int lastAxis = std::max(0, int(shape.size()) - 1);
  const int64_t lastDim = shape.empty() ? 1 : std::max<int64_t>(shape.back(), 1);
  const int64_t group = std::min<int64_t>(128, lastDim);
  std::vector<SweepCandidate> out;
  for (const std::string& family : families) {
    if (family == "INT · per tensor" || family == "INT · per channel" || family == "INT · group") {
      Granularity g;
      std::string suffix;
      if (family == "INT · per tensor") {
        g.kind = GranularityKind::Tensor;
        suffix = " · per tensor";
      } else if (family == "INT · per channel") {
        g.kind = GranularityKind::Channel;
        g.axis = 0;
        suffix = " · per channel";
      } else {
        g.kind = GranularityKind::Group;
        g.axis = lastAxis;
        g.groupSize = group;
        suffix = " · group " + std::to_string(group);
      }
      for (int bits = 2; bits <= 8; ++bits)
        out.push_back(candidate(family, "int" + std::to_string(bits), g, suffix));
    } else if (family == "FP · per tensor") {
      for (const char* f : {"fp4_e2m1", "fp6_e2m3", "fp6_e3m2", "fp8_e4m3", "fp8_e5m2"})
        out.push_back(candidate(family, f, Granularity{GranularityKind::Tensor, 0, 128}, " · per tensor"));
    } else if (family == "NF4 / codebooks") {
      Granularity g{GranularityKind::Group, lastAxis, std::min<int64_t>(64, lastDim)};
      const std::string suffix = " · group " + std::to_string(g.groupSize);
      for (const char* f : {"nf4", "fp4_bnb"})
        out.push_back(candidate(family, f, g, suffix));
    } else if (family == "MX blocks") {
      for (const char* f : {"mxfp4", "mxfp6_e2m3", "mxfp6_e3m2", "mxfp8_e4m3", "mxint8"})
        out.push_back(candidate(family, f, std::nullopt, ""));
    } else if (family == "GGUF blocks") {
      for (const char* f : {"q4_0", "q4_k", "q5_0", "q6_k", "q8_0"})
        out.push_back(candidate(family, f, std::nullopt, ""));
    } else {
      throw Error("unknown sweep family '" + family + "'");
    }
  }
  return out;
}

Tensor sweepSample(const Tensor& tensor, int64_t maxElements) {
  if (tensor.numel() <= maxElements || tensor.shape.empty())
    return tensor;
  const View2D v = view2D(tensor.shape);
  const int64_t keep = std::clamp<int64_t>(maxElements / std::max<int64_t>(v.cols, 1), 1, v.rows);
  Tensor out;
  out.name = tensor.name;
  out.storedDtype = tensor.storedDtype;
  out.shape = tensor.shape;
  out.shape[0] = keep;
  out.values.resize(size_t(keep * v.cols));
  for (int64_t i = 0; i < keep; ++i) {
    const int64_t row = i * v.rows / keep; // evenly strided rows
    std::copy_n(tensor.values.begin() + row * v.cols, v.cols, out.values.begin() + i * v.cols);
  }
  return out;
}

std::vector<SweepPoint> runSweep(const Tensor& tensor, const std::vector<SweepCandidate>& candidates,
                                 const std::atomic<bool>* cancel,
                                 const std::function<void(const SweepPoint&)>& onPoint) {
  AnalysisOptions options;
  options.histogramBins = 16;
  options.mapWidth = options.mapHeight = 1;
  options.topK = 0;
  options.keepCodes = false;
  std::vector<SweepPoint> points;
  for (const SweepCandidate& c : candidates) {
    if (cancel && cancel->load())
      throw Cancelled();
    std::shared_ptr<const QuantResult> r;
    try {
      r = quantize(tensor, c.config, options, cancel);
    } catch (const Error&) {
      continue; // this tensor cannot take this format (block size, axis); the line just lacks the point
    }
    if (!options.summary) // the other candidates skip the input-only analysis (channel moments)
      options.summary = TensorSummary::fromResult(*r, options.topK);
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
  }
  return points;
}

} // namespace qs
