#include "core/quant/scheme.h"

#include "core/error.h"
#include "core/formats/format_registry.h"

namespace qs {

Scheme resolveScheme(const QuantConfig& config) {
  const FormatInfo& info = findFormat(config.format); // throws "unknown format ..."
  Scheme s;
  s.name = info.name;
  s.label = info.label;
  s.symmetric = config.symmetric;
  s.bits = info.bits;
  s.defaultGranularity = {GranularityKind::Channel, 0, 128};
  switch (info.kind) {
  case FormatKind::Float:
    s.kind = SchemeKind::Float;
    s.floatFormat = info.floatFormat;
    s.bits = s.floatFormat.bits();
    // Wide formats are plain casts by default; narrow ones need a scale.
    s.defaultGranularity = s.bits >= 16 ? Granularity{GranularityKind::None, 0, 128}
                                        : Granularity{GranularityKind::Tensor, 0, 128};
    return s;
  case FormatKind::Integer:
    // INT1 symmetric has 2^0 - 1 = 0 positive levels: symmetricParams takes
    // scale = amax and codes {-1, 0} (the registry's definition); use
    // "binary" for sign x mean|w|, or INT1 asymmetric for {min', max'}.
    s.kind = SchemeKind::Int;
    s.bits = info.intBits;
    s.zeroPointBits = config.symmetric ? 0 : info.intBits;
    s.label += config.symmetric ? " sym" : " asym";
    return s;
  case FormatKind::Codebook:
    // Binary and ternary follow BinaryConnect/XNOR (scale mean|w|) and TWN.
    if (info.name == "binary") {
      s.kind = SchemeKind::Binary;
      s.bits = 1;
      s.label = "Binary (sign x mean|w|)";
      return s;
    }
    if (info.name == "ternary") {
      s.kind = SchemeKind::Ternary;
      s.bits = 2;
      s.label = "Ternary (TWN)";
      return s;
    }
    s.kind = SchemeKind::Codebook;
    s.codebook = *info.codebook;
    s.bits = s.codebook.bits();
    return s;
  case FormatKind::UserCodebook:
    if (config.codebook.empty())
      throw Error("format 'codebook' needs levels (config \"codebook\": [...], CLI --codebook a,b,c)");
    s.kind = SchemeKind::Codebook;
    s.codebook = makeUserCodebook(config.codebook);
    s.bits = s.codebook.bits();
    s.label = "Codebook (" + std::to_string(s.codebook.levels.size()) + " levels)";
    return s;
  case FormatKind::KMeans:
    s.kind = SchemeKind::KMeans;
    s.kmeansBits = info.kmeansBits;
    s.bits = info.kmeansBits;
    return s;
  case FormatKind::Mx:
    s.kind = SchemeKind::Mx;
    s.mxElement = info.mxElement;
    s.bits = mxElementBits(info.mxElement);
    s.fixedBlock = kMxBlock;
    s.scaleBits = 8; // E8M0
    s.defaultGranularity = {GranularityKind::Group, -1, kMxBlock};
    return s;
  case FormatKind::Gguf: {
    s.kind = SchemeKind::Gguf;
    s.ggufType = info.ggufType;
    s.fixedBlock = info.blockSize;
    s.defaultGranularity = {GranularityKind::Group, -1, info.blockSize};
    // Storage per block beyond the codes, from the llama.cpp block size.
    const GgufTypeInfo& t = ggufTypeInfo(info.ggufType);
    s.blockOverheadBits = 8 * t.blockBytes - s.bits * t.blockElements;
    s.label = "GGUF " + info.label;
    return s;
  }
  }
  throw Error("format '" + config.format + "' cannot be quantized");
}

} // namespace qs
