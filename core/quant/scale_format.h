#pragma once
// Scale formats: how a scaled format stores each segment's fitted scale
// (QuantConfig::scaleFormat, JSON "scale_format", CLI --scale-format). The
// elements are quantized and dequantized with the stored scale, so the error
// a narrow scale adds is real; int8dq follows bitsandbytes (below).
//
// Every non-zero scale is stored as a non-zero finite value of its format:
//  - fp16, bf16, e4m3: round to nearest even, then clamped into
//    [smallest subnormal, largest finite] (FP16 2^-24..65504, BF16
//    2^-133..3.39e38, E4M3 2^-9..448): a scale below the smallest subnormal is
//    stored as the smallest subnormal, never 0; a scale beyond the largest
//    value saturates and the values beyond the grid clip to its edge;
//  - ue8m0 (E8M0, the MX scale: 2^(code - 127), codes 0..254): ue8m0-floor
//    2^floor(log2 s) (may clip: the grid shrinks), ue8m0-ceil 2^ceil(log2 s)
//    (never clips), ue8m0-round the nearer power in log2 (up when s >= 2^(k+1/2));
//    the exponent is clamped to [-127, 127]. "ue8m0" is ue8m0-ceil, the
//    rounding of DeepSeek-V3's UE8M0 FP8 scales: a stored scale is never
//    smaller than the fitted one, so nothing clips;
//  - int8dq: bitsandbytes' double quantization (quantize_4bit with
//    compress_statistics / use_double_quant): the mean of all scales is
//    subtracted, the differences are quantized in blocks of 256 to the signed
//    dynamic 8-bit map (create_dynamic_map) with an FP32 absmax per block,
//    and the stored scale is map[code] * absmax + mean. As bitsandbytes, the
//    elements are coded with the fitted scale and dequantized with the
//    stored one. The mean is taken in double and rounded to float32 (torch's
//    float32 mean may differ from it in the last bit).
// A zero scale (an all-zero segment) stays 0 in every format but int8dq.
#include "core/formats/format_kernel.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace qs {

enum class ScaleFormat { Fp32, Fp16, Bf16, E4m3, Ue8m0Floor, Ue8m0Ceil, Ue8m0Round, Int8Dq };

// "fp32", "fp16", "bf16", "e4m3", "ue8m0-floor", "ue8m0-ceil", "ue8m0-round", "int8dq".
const char* toString(ScaleFormat format);
// Inverse of toString, also taking "ue8m0" (= ue8m0-ceil); throws qs::Error listing the names.
ScaleFormat scaleFormatFromString(const std::string& s);
// The names the CLI and the GUI offer, "ue8m0" included.
const std::vector<std::string>& scaleFormatNames();

// Bits of one stored scale (int8dq: the 8-bit code; its second level is
// counted by int8dqSecondLevelBits).
int scaleFormatBits(ScaleFormat format);
// int8dq: an FP32 absmax per 256 scales (the per-tensor mean is not counted,
// as no other per-tensor constant is).
double int8dqSecondLevelBits(int64_t scales);
constexpr int kInt8DqBlock = 256;

// The stored value of one fitted scale (s >= 0, finite) in a per-value format
// (not int8dq), and its code: the bit pattern (FP16/BF16/E4M3) or the E8M0
// exponent code; FP32: the float's bits.
float storeScale(ScaleFormat format, float s);
uint32_t scaleCode(ScaleFormat format, float stored);
float ue8m0Value(uint8_t code); // 2^(code - 127); NaN for 255

// bitsandbytes' signed dynamic map, create_dynamic_map(signed=True), sorted.
const std::array<float, 256>& bnbDynamicMap();

struct DoubleQuantized {
  std::vector<uint8_t> codes; // one per scale: index into bnbDynamicMap
  std::vector<float> absmax;  // one per block of 256 scales
  float offset = 0;           // the mean subtracted
  std::vector<float> stored;  // map[code] * absmax + offset
};
DoubleQuantized doubleQuantize(const float* scales, int64_t n);

// What a run stored (QuantResult::storedScales): the stored values are the
// result's `scales`; these are the fitted scales and the codes beside them.
struct StoredScales {
  std::string format;         // "fp32" (as fitted), a scale format's name, or "e4m3" for NVFP4 blocks
  std::vector<float> fitted;  // per segment in scale order; empty when stored as fitted
  std::vector<int32_t> codes; // per segment in scale order; empty when stored as fitted
  float tensorScale = 0;      // NVFP4: the FP32 per-tensor scale; 0 for one-level formats
  std::vector<float> absmax;  // int8dq: absmax of each block of 256 scales (segment order)
  float offset = 0;           // int8dq: the mean subtracted
};

// Stores every segment's scale in `format` (not Fp32): scale and invScale
// become the stored scale's (int8dq: invScale stays the fitted one), `fitted`
// keeps the fitted scale, and a grid that shrank clips at its edge (lo/hi).
// Writes the codes (and int8dq's second level) in segment order to `out`.
void applyScaleFormat(ScaleFormat format, std::vector<SegmentParams>& params, StoredScales& out);

} // namespace qs
