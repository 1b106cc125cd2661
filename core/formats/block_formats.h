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
  IQ4_NL = 20,
  IQ4_XS = 23,
  BF16 = 30,
  // Read-only: dequantized as llama.cpp does (gguf_iq_dequant.cpp), never quantized.
  Q8_1 = 9,
  Q8_K = 15,
  IQ2_XXS = 16,
  IQ2_XS = 17,
  IQ3_XXS = 18,
  IQ1_S = 19,
  IQ3_S = 21,
  IQ2_S = 22,
  I8 = 24,
  I16 = 25,
  I32 = 26,
  I64 = 27,
  F64 = 28,
  IQ1_M = 29,
  TQ1_0 = 34,
  TQ2_0 = 35,
  MXFP4 = 39,
  NVFP4 = 40,
};
struct GgufTypeInfo {
  const char* name;  // "Q4_0"
  int blockElements; // 32, or 256 for K quants
  int blockBytes;    // bytes per block
};
// Throws qs::Error for a type QuantScope cannot dequantize.
const GgufTypeInfo& ggufTypeInfo(GgufType type);
// True for the types QuantScope quantizes (simulates) as well as reads.
bool ggufTypeSupported(uint32_t typeId);

// Every ggml type id (ggml.h) with its block (gguf_type_table.cpp), so a
// reader can size and name any tensor. nullptr for an id ggml never had or
// has removed (Q4_2, Q4_0_4_4, ...): its size is unknown.
const GgufTypeInfo* ggufTypeById(uint32_t typeId);
// "IQ2_XXS"; "Q4_2" for a removed id; "type 99" for an id ggml never had.
std::string ggufTypeName(uint32_t typeId);
bool ggufTypeRemoved(uint32_t typeId);
// Dequantized (gguf_iq_dequant.cpp) but never quantized: IQ1_S, IQ1_M,
// IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, Q8_1, Q8_K, F64, I8, I16, I32, I64.
bool ggufTypeReadOnly(uint32_t typeId);
// What a reader asks: can ggufDequantizeRow turn this type into floats?
bool ggufCanDequantize(uint32_t typeId);

// k values (multiple of the block) -> blocks bytes, as llama-quantize writes
// them without an importance matrix: quantize_row_*_ref, except IQ4_NL, whose
// quantize_iq4_nl searches the scale where its _ref does not
// (ggufQuantizeRowIQ4NLRef). The values must be finite, as in llama.cpp
// (callers replace NaN/inf first).
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
// quantize_row_iq4_nl_ref: IQ4_NL without the scale search (what ggml uses for activations).
void ggufQuantizeRowIQ4NLRef(const float* x, uint8_t* blocks, int64_t k);
// ggml's scale decoders, halved as ggml keeps them (its FP4 tables hold 2 x E2M1):
// E8M0 -> 2^(e - 128); UE4M3 (4 exponent bits, bias 7, 3 mantissa bits, no
// sign, 0x7F = 0) -> value / 2. And ggml_fp32_to_ue4m3 (round half up).
float ggufE8m0Half(uint8_t e);
float ggufUe4m3Half(uint8_t code);
uint8_t ggufFloatToUe4m3(float x);
// dequantize_row_*: blocks -> k floats, exactly as llama.cpp (every type
// for which ggufCanDequantize is true; read-only types included).
void ggufDequantizeRow(GgufType type, const uint8_t* blocks, float* y, int64_t k);

} // namespace qs
