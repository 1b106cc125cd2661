// Every ggml type id (ggml/include/ggml.h's enum ggml_type) with its block
// size and bytes per block (ggml.c's type_traits), so a GGUF reader can check
// the size of any tensor and name any type, whether or not QuantScope can
// dequantize it. Ids ggml has removed keep their name but no size.

#include "core/formats/block_formats.h"

#include <iterator>

namespace qs {

namespace {

// blockElements 0: removed from ggml, size unknown.
constexpr GgufTypeInfo kRows[] = {
    {"F32", 1, 4},        // 0
    {"F16", 1, 2},        // 1
    {"Q4_0", 32, 18},     // 2
    {"Q4_1", 32, 20},     // 3
    {"Q4_2", 0, 0},       // 4, removed
    {"Q4_3", 0, 0},       // 5, removed
    {"Q5_0", 32, 22},     // 6
    {"Q5_1", 32, 24},     // 7
    {"Q8_0", 32, 34},     // 8
    {"Q8_1", 32, 36},     // 9
    {"Q2_K", 256, 84},    // 10
    {"Q3_K", 256, 110},   // 11
    {"Q4_K", 256, 144},   // 12
    {"Q5_K", 256, 176},   // 13
    {"Q6_K", 256, 210},   // 14
    {"Q8_K", 256, 292},   // 15
    {"IQ2_XXS", 256, 66}, // 16
    {"IQ2_XS", 256, 74},  // 17
    {"IQ3_XXS", 256, 98}, // 18
    {"IQ1_S", 256, 50},   // 19
    {"IQ4_NL", 32, 18},   // 20
    {"IQ3_S", 256, 110},  // 21
    {"IQ2_S", 256, 82},   // 22
    {"IQ4_XS", 256, 136}, // 23
    {"I8", 1, 1},         // 24
    {"I16", 1, 2},        // 25
    {"I32", 1, 4},        // 26
    {"I64", 1, 8},        // 27
    {"F64", 1, 8},        // 28
    {"IQ1_M", 256, 56},   // 29
    {"BF16", 1, 2},       // 30
    {"Q4_0_4_4", 0, 0},   // 31, removed (runtime repacking of Q4_0)
    {"Q4_0_4_8", 0, 0},   // 32, removed
    {"Q4_0_8_8", 0, 0},   // 33, removed
    {"TQ1_0", 256, 54},   // 34
    {"TQ2_0", 256, 66},   // 35
    {"IQ4_NL_4_4", 0, 0}, // 36, removed (runtime repacking of IQ4_NL)
    {"IQ4_NL_4_8", 0, 0}, // 37, removed
    {"IQ4_NL_8_8", 0, 0}, // 38, removed
    {"MXFP4", 32, 17},    // 39
    {"NVFP4", 64, 36},    // 40
    {"Q1_0", 128, 18},    // 41
    {"Q2_0", 64, 18},     // 42
};
constexpr uint32_t kRowCount = static_cast<uint32_t>(std::size(kRows));

} // namespace

const GgufTypeInfo* ggufTypeById(uint32_t typeId) {
  if (typeId >= kRowCount || kRows[typeId].blockElements == 0)
    return nullptr;
  return &kRows[typeId];
}

bool ggufTypeRemoved(uint32_t typeId) {
  return typeId < kRowCount && kRows[typeId].blockElements == 0;
}

std::string ggufTypeName(uint32_t typeId) {
  return typeId < kRowCount ? std::string(kRows[typeId].name) : "type " + std::to_string(typeId);
}

bool ggufTypeReadOnly(uint32_t typeId) {
  switch (typeId) {
  case uint32_t(GgufType::Q8_1):
  case uint32_t(GgufType::Q8_K):
  case uint32_t(GgufType::IQ2_XXS):
  case uint32_t(GgufType::IQ2_XS):
  case uint32_t(GgufType::IQ3_XXS):
  case uint32_t(GgufType::IQ1_S):
  case uint32_t(GgufType::IQ3_S):
  case uint32_t(GgufType::IQ2_S):
  case uint32_t(GgufType::I8):
  case uint32_t(GgufType::I16):
  case uint32_t(GgufType::I32):
  case uint32_t(GgufType::I64):
  case uint32_t(GgufType::F64):
  case uint32_t(GgufType::IQ1_M):
    return true;
  default:
    return false;
  }
}

bool ggufCanDequantize(uint32_t typeId) {
  return ggufTypeSupported(typeId) || ggufTypeReadOnly(typeId);
}

} // namespace qs
