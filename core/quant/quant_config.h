#pragma once
// QuantConfig: a plain value describing one way to quantize a tensor. It is
// what the GUI edits, what is pinned and compared, and what is exported as
// the versioned JSON described in README.md, "Config JSON" ("schema": "quantscope.config/1").
#include "core/calib/clipping.h"
#include "core/quant/scale_format.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qs {

enum class GranularityKind {
  None,    // a plain cast to the format (FP16/BF16/TF32 default), scale 1
  Tensor,  // one scale (and zero point) for the whole tensor
  Channel, // one scale per output channel: per index along `axis`
  Group,   // each output channel (index along `axis`) cut into runs of
           // `groupSize`: the other axes flattened in order, the [out, in·kh·kw]
           // view llama.cpp and GPTQ use; a 1-D tensor is one run
  Token,   // one scale per row of the 2-D view [shape[0], rest]
  Block,   // the [out, in·kh·kw] view (as for groups) cut into tiles of
           // blockRows x blockCols, one scale per tile (DeepSeek-V3's 128x128
           // FP8 weights); edge tiles are smaller
};

// `axis` of channel and group granularity: the output-channel axis. Auto
// takes the tensor's own (Tensor::layout, inferred by its reader from the
// file's conventions); a negative axis counts from the end.
inline constexpr int kAutoAxis = -1000;

struct Granularity {
  GranularityKind kind = GranularityKind::Tensor;
  int axis = kAutoAxis;
  int64_t groupSize = 128;
  int64_t blockRows = 128, blockCols = 128; // GranularityKind::Block
  bool autoAxis() const { return axis == kAutoAxis; }
  bool operator==(const Granularity&) const = default;
};

enum class Rounding { Nearest, Stochastic };

// A rotation of the tensor before the format quantizes it (core/quant/hadamard.h):
// the randomized Hadamard transform along the reduction axis, its signs drawn
// from QuantConfig::seed; the dequantized values are rotated back.
enum class Rotation { None, Hadamard };

// A per-tensor-name override, matched with '*' and '?' wildcards.
struct FormatOverride {
  std::string match;
  std::string format;
  bool operator==(const FormatOverride&) const = default;
};

struct QuantConfig {
  std::string format = "int8";
  bool symmetric = true;
  // nullopt: the format's default granularity (none for FP16/BF16/TF32/FP32,
  // tensor for FP8/FP6/FP4, channel along the auto axis for integers and
  // codebooks, the fixed block of MX/GGUF formats along the auto axis).
  std::optional<Granularity> granularity;
  Clipping clipping;
  Rounding rounding = Rounding::Nearest;
  uint64_t seed = 0;
  Rotation rotation = Rotation::None;
  std::vector<float> codebook; // levels for format "codebook" (user codebook)
  std::vector<FormatOverride> overrides;
  // How each segment's fitted scale is stored (core/quant/scale_format.h);
  // scaled formats only: fixed blocks (MX, GGUF, NVFP4) store their own.
  ScaleFormat scaleFormat = ScaleFormat::Fp32;
  bool operator==(const QuantConfig&) const = default;
};

// Names for display and JSON ("group", "percentile", "nearest").
const char* toString(GranularityKind kind);
const char* toString(ClipMethod method);
const char* toString(Rounding rounding);
const char* toString(Rotation rotation);
// Inverses of toString; throw qs::Error listing the accepted names.
GranularityKind granularityKindFromString(const std::string& s);
ClipMethod clipMethodFromString(const std::string& s);
Rounding roundingFromString(const std::string& s);
Rotation rotationFromString(const std::string& s);

// JSON round trip. Parsing throws qs::Error naming an unknown key with its path
// ("clipping.percentil") or a value of the wrong type; missing keys take the
// defaults above. A missing or null "granularity" means the format's default.
std::string configToJson(const QuantConfig& config, int indent = 2);
QuantConfig configFromJson(const std::string& json);

// The format that applies to `tensorName` after overrides: the first override
// whose pattern matches the whole name wins ('*' any run, '?' one character).
QuantConfig resolveForTensor(const QuantConfig& config, const std::string& tensorName);
bool wildcardMatches(const std::string& pattern, const std::string& text);

} // namespace qs
