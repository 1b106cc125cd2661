#include "core/quant/scheme.h"

#include <cmath>

namespace qs {

Scheme resolveScheme(const QuantConfig& config) {
  Scheme s;
  s.format = &findFormat(config.format); // throws "unknown format ..."
  s.config = config;
  std::shared_ptr<const FormatKernel> kernel = s.format->makeKernel(config);
  const ScaleExport e = kernel->scaleExport();
  s.name = s.format->name;
  s.label = kernel->label();
  s.bits = kernel->codeBits();
  s.symmetric = !e.zeroPoints;
  s.fixedBlock = kernel->fixedBlock();
  s.defaultGranularity = kernel->defaultGranularity();
  s.kind = kernel->castable() ? SchemeKind::Float
           : e.centroids      ? SchemeKind::KMeans
           : s.fixedBlock     ? SchemeKind::Gguf
           : e.zeroPoints     ? SchemeKind::Int
                              : SchemeKind::Codebook;
  s.kmeansBits = e.centroids ? int(std::lround(std::log2(kernel->codeCount()))) : 0;
  s.ggufType = e.offsets ? GgufType::Q4_1 : GgufType::Q8_0;
  s.scaleBits = int(kernel->overheadBitsPerSegment());
  s.blockOverheadBits = s.scaleBits;
  s.floatFormat.kernel = std::move(kernel);
  return s;
}

} // namespace qs
