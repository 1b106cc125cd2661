#include "core/pipeline/result_builder.h"

#include <cmath>

namespace qs {

double bitsPerElement(const QuantPlan& plan) {
  const Scheme& s = plan.scheme;
  const double segments = double(plan.segments);
  double overheadBits = 0;
  if (s.kind == SchemeKind::Gguf)
    overheadBits = double(s.blockOverheadBits) * segments;
  else if (s.kind == SchemeKind::KMeans)
    overheadBits = 32.0 * double(1 << s.kmeansBits) * segments;
  else if (!plan.cast)
    overheadBits = double(s.scaleBits + s.zeroPointBits) * segments;
  return plan.numel ? double(s.bits) + overheadBits / double(plan.numel) : double(s.bits);
}

void setCodeOccupancy(const std::vector<int64_t>& counts, QuantResult& result) {
  result.codeCounts.assign(counts.begin(), counts.end());
  double total = 0, entropy = 0;
  for (double c : result.codeCounts)
    total += c;
  for (double c : result.codeCounts)
    if (c > 0)
      entropy -= (c / total) * std::log2(c / total);
  result.metrics.codeEntropyBits = entropy;
}

namespace {

void exportSegmentParameters(const QuantPlan& plan, const std::vector<SegmentParams>& params,
                             const SegmentQuantizer& quantizer, QuantResult& r) {
  const Scheme& scheme = plan.scheme;
  const size_t segments = size_t(plan.segments);
  r.scales.assign(segments, 0);
  if (!plan.block) { // blocks do not clip: their scale covers the block's absmax
    r.clipLo.assign(segments, 0);
    r.clipHi.assign(segments, 0);
  }
  const bool zeroPoints = scheme.kind == SchemeKind::Int && !scheme.symmetric;
  if (zeroPoints)
    r.zeroPoints.assign(segments, 0);
  if (scheme.kind == SchemeKind::Gguf &&
      (scheme.ggufType == GgufType::Q4_1 || scheme.ggufType == GgufType::Q5_1))
    r.offsets.assign(segments, 0);
  for (size_t s = 0; s < segments; ++s) {
    const size_t at = size_t(plan.layout.scaleIndex(int64_t(s)));
    const SegmentParams& p = params[s];
    r.scales[at] = p.scale;
    if (!plan.block) {
      r.clipLo[at] = p.lo;
      r.clipHi[at] = p.hi;
    }
    if (zeroPoints)
      r.zeroPoints[at] = p.zeroPoint;
    if (!r.offsets.empty())
      r.offsets[at] = p.offset;
  }
  if (scheme.kind == SchemeKind::KMeans) {
    r.segmentLevels.reserve(segments << scheme.kmeansBits);
    for (size_t s = 0; s < segments; ++s) {
      const auto& centroids = quantizer.centroids(int64_t(s));
      r.segmentLevels.insert(r.segmentLevels.end(), centroids.begin(), centroids.end());
    }
  }
}

} // namespace

void exportParameters(const QuantPlan& plan, const std::vector<SegmentParams>& params,
                      const SegmentQuantizer& quantizer, QuantResult& result) {
  if (plan.cast) {
    const float castMax = float(plan.scheme.floatFormat.maxValue());
    result.scales = {1.0f};
    result.clipLo = {-castMax};
    result.clipHi = {castMax};
  } else if (plan.segments > 0) {
    exportSegmentParameters(plan, params, quantizer, result);
  }
  if (plan.segments > 0)
    result.levels = quantizer.levels(params[0], 0);
}

} // namespace qs
