#pragma once
// The fields quantize.cpp still reads, all answered by the format's kernel
// (core/formats/format_kernel.h) so that its branches give the kernel's
// numbers. Transitional: it goes away when quantize's stages ask the kernel
// directly (docs/ARCHITECTURE.md, "Formats"); new code uses makeKernel().
#include "core/formats/block_formats.h"
#include "core/formats/format_registry.h"
#include "core/quant/quant_config.h"

#include <memory>
#include <string>

namespace qs {

// How quantize.cpp branches: Float = castable, KMeans = centroids exported,
// Gguf = fixed block (block overhead, offsets), Int = zero points exported.
enum class SchemeKind { Int, Codebook, KMeans, Float, Gguf };

// A cast's grid as quantize.cpp asks it: overflow threshold and code values.
struct CastGrid {
  std::shared_ptr<const FormatKernel> kernel;
  double maxValue() const { return kernel->castMax(); }
  float decode(uint32_t code) const { return kernel->codeValue(SegmentParams{}, 0, int32_t(code)); }
};

struct Scheme {
  const FormatInfo* format = nullptr;
  QuantConfig config;
  SchemeKind kind = SchemeKind::Int;
  std::string name;
  std::string label;
  int bits = 8;
  bool symmetric = true;
  CastGrid floatFormat;
  int kmeansBits = 0;
  GgufType ggufType = GgufType::Q8_0; // Q4_1 when the blocks export offsets
  int fixedBlock = 0;
  Granularity defaultGranularity;
  int scaleBits = 32; // overhead per segment outside blocks
  int zeroPointBits = 0;
  int blockOverheadBits = 0;
};

// Looks the name up in the format registry. Throws qs::Error naming the
// format when it is unknown or impossible ("codebook" without levels).
Scheme resolveScheme(const QuantConfig& config);

} // namespace qs
