#include "core/pipeline/result_builder.h"

#include "core/formats/float_format.h"

#include <cmath>

namespace qs {

double bitsPerElement(const QuantPlan& plan) {
  const double bits = plan.kernel->codeBits();
  // A block is stored whole, padding included (a row of 240 in blocks of 32
  // stores 256 codes).
  if (const int block = plan.kernel->fixedBlock(); block && plan.numel)
    return double(plan.segments) * (block * bits + plan.kernel->overheadBitsPerSegment()) /
           double(plan.numel);
  // A cast stores the codes only.
  if (plan.cast)
    return bits;
  // The kernel counts an FP32 scale; a scale format stores it narrower (and
  // int8dq adds an FP32 absmax per 256 scales).
  const ScaleFormat scaleFormat = plan.config.scaleFormat;
  const double perSegment = plan.kernel->overheadBitsPerSegment() - 32.0 + scaleFormatBits(scaleFormat);
  double overheadBits = perSegment * double(plan.segments);
  if (plan.config.clipping.method == ClipMethod::Hqq) // its zero point is a float32, not a b-bit integer
    overheadBits += (32.0 - bits) * double(plan.segments);
  if (scaleFormat == ScaleFormat::Int8Dq)
    overheadBits += int8dqSecondLevelBits(plan.segments);
  return plan.numel ? bits + overheadBits / double(plan.numel) : bits;
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
                             const FormatKernel& kernel, QuantResult& r) {
  const ScaleExport exported = kernel.scaleExport();
  const size_t segments = size_t(plan.segments);
  r.scales.assign(segments, 0);
  if (!plan.block) { // blocks do not clip: their scale covers the block's absmax
    r.clipLo.assign(segments, 0);
    r.clipHi.assign(segments, 0);
  }
  const bool realZero = segments && params[0].realZero; // HQQ: every segment or none
  if (exported.zeroPoints && realZero)
    r.realZeroPoints.assign(segments, 0.0f);
  else if (exported.zeroPoints)
    r.zeroPoints.assign(segments, 0);
  if (exported.offsets)
    r.offsets.assign(segments, 0);
  for (size_t s = 0; s < segments; ++s) {
    const size_t at = size_t(plan.layout.scaleIndex(int64_t(s)));
    const SegmentParams& p = params[s];
    r.scales[at] = p.scale;
    if (!plan.block) {
      r.clipLo[at] = p.lo;
      r.clipHi[at] = p.hi;
    }
    if (exported.zeroPoints && realZero)
      r.realZeroPoints[at] = p.zero;
    else if (exported.zeroPoints)
      r.zeroPoints[at] = p.zeroPoint;
    if (!r.offsets.empty())
      r.offsets[at] = p.offset;
  }
  if (exported.centroids) {
    r.segmentLevels.reserve(segments * size_t(kernel.codeCount()));
    for (size_t s = 0; s < segments; ++s) {
      const std::vector<float>& centroids = *kernel.centroids(int64_t(s));
      r.segmentLevels.insert(r.segmentLevels.end(), centroids.begin(), centroids.end());
    }
  }
}

} // namespace

void exportStoredScales(const QuantPlan& plan, const Calibration& calibration, const FormatKernel& kernel,
                        QuantResult& result) {
  StoredScales& out = result.storedScales;
  const StoredScales& in = calibration.stored;
  out.format = in.format;
  out.absmax = in.absmax;
  out.offset = in.offset;
  out.tensorScale = kernel.tensorScale();
  const std::vector<SegmentParams>& params = calibration.params;
  const bool twoLevel = out.tensorScale > 0;
  if (plan.cast || plan.segments == 0 || (in.codes.empty() && !twoLevel))
    return;
  const size_t segments = size_t(plan.segments);
  out.fitted.assign(segments, 0.0f);
  out.codes.assign(segments, 0);
  for (size_t s = 0; s < segments; ++s) {
    const size_t at = size_t(plan.layout.scaleIndex(int64_t(s)));
    out.fitted[at] = params[s].fitted;
    // NVFP4: the effective scale is s_block * s_tensor; s_block is recovered
    // exactly by rounding the quotient back onto the E4M3 grid.
    out.codes[at] =
        twoLevel ? int32_t(fp8E4M3Format().encode(params[s].scale / out.tensorScale)) : in.codes[s];
  }
}

void exportParameters(const QuantPlan& plan, const std::vector<SegmentParams>& params,
                      const FormatKernel& kernel, QuantResult& result) {
  if (plan.cast) {
    const float castMax = kernel.castMax();
    result.scales = {1.0f};
    result.clipLo = {-castMax};
    result.clipHi = {castMax};
  } else if (plan.segments > 0) {
    exportSegmentParameters(plan, params, kernel, result);
  }
  if (plan.segments > 0)
    result.levels = kernel.levels(params[0], 0);
}

} // namespace qs
