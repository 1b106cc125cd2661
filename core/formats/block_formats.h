#pragma once
// Block formats: a fixed block of elements shares one scale stored in the
// block. OCP Microscaling (MX) v1.0 and llama.cpp's GGUF legacy + K quants.
#include "core/formats/float_format.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qs {

// ---- OCP MX v1.0: block of 32, shared E8M0 scale X = 2^(floor(log2 amax) - emax_elem).
enum class MxElement { Fp8E4M3, Fp8E5M2, Fp6E3M2, Fp6E2M3, Fp4E2M1, Int8 };
constexpr int kMxBlock = 32;

struct MxBlockOut {
  uint8_t scaleE8M0 = 127; // biased exponent, 255 = NaN
};
// Quantizes n <= 32 values; writes element codes (bit patterns) and the
// dequantized values. Reference (scalar) and fast versions agree bit-exactly.
MxBlockOut mxQuantizeBlock(MxElement element, const float* x, int n, uint8_t* codes, float* dequantized);
int mxElementBits(MxElement element);
// Scalar reference of mxQuantizeBlock (same contract); tests compare the two.
MxBlockOut mxQuantizeBlockRef(MxElement element, const float* x, int n, uint8_t* codes, float* dequantized);
// The element's FloatFormat (saturating, as MX requires); nullptr for Int8.
const FloatFormat* mxElementFloatFormat(MxElement element);
// emax of the element format: the exponent of its largest power of two
// (E4M3 8, E5M2 15, E3M2 4, E2M3 2, E2M1 2, INT8 0).
int mxElementEmax(MxElement element);
// 2^(code - 127) for an E8M0 scale code; NaN for 255.
float e8m0ToFloat(uint8_t code);
// Element code -> element value before scaling (INT8: two's complement / 64).
float mxDecodeElement(MxElement element, uint8_t code);

// ---- GGUF (llama.cpp) block types, sizes as in ggml-common.h.
enum class GgufType : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  BF16 = 30,
};
struct GgufTypeInfo {
  const char* name;  // "Q4_0"
  int blockElements; // 32, or 256 for K quants
  int blockBytes;    // bytes per block
};
// Throws qs::Error for an unsupported type id.
const GgufTypeInfo& ggufTypeInfo(GgufType type);
bool ggufTypeSupported(uint32_t typeId);

// quantize_row_*_ref: k values (multiple of the block) -> blocks bytes. The
// values must be finite, as in llama.cpp (callers replace NaN/inf first).
void ggufQuantizeRow(GgufType type, const float* x, uint8_t* blocks, int64_t k);
// llama.cpp's quantize_<type>(…, quant_weights) for one row of k values:
// with `weights` (one importance weight per value, the imatrix entry's row)
// the weighted quantize_row_*_impl of a type that has one
// (ggufHasWeightedPath), else — or with null weights — quantize_row_*_ref as
// ggufQuantizeRow.
void ggufQuantizeRowWeighted(GgufType type, const float* x, uint8_t* blocks, int64_t k, const float* weights);
// One block of that row (blockElements values, weights not null):
// `rowSigma2` = Σx²/k of the whole row, summed in float in row order, which
// the legacy types' weighting takes (the K types use their own block's).
void ggufQuantizeBlockWeighted(GgufType type, const float* x, uint8_t* block, const float* weights,
                               float rowSigma2);
bool ggufHasWeightedPath(GgufType type);
// Σx²/k as llama.cpp's _impl quantizers sum it (float, in order).
float ggufRowSigma2(const float* x, int64_t k);
// dequantize_row_*: blocks -> k floats, exactly as llama.cpp.
void ggufDequantizeRow(GgufType type, const uint8_t* blocks, float* y, int64_t k);

} // namespace qs
