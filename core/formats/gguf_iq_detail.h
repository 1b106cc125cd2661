#pragma once
// Internal: the read-only GGUF types (i-quants, Q8_1, Q8_K, plain integers
// and F64): llama.cpp's block layouts (ggml-common.h), its lattice grids
// (gguf_iq_grids.cpp) and the dequantizers (gguf_iq_dequant.cpp).
#include "core/formats/block_formats.h"

#include <cstdint>

namespace qs::detail {

// Bytes per block of 256 (ggml-common.h's static_asserts).
constexpr int kIq2xxsBytes = 2 + 256 / 8 * 2;             // d, qs[32] (uint16)
constexpr int kIq2xsBytes = 2 + 256 / 8 * 2 + 256 / 32;   // d, qs[32] (uint16), scales[8]
constexpr int kIq2sBytes = 2 + 256 / 4 + 256 / 16;        // d, qs[64] (indices + signs), qh[8], scales[8]
constexpr int kIq3xxsBytes = 2 + 3 * 256 / 8;             // d, qs[64] indices + 32 bytes scales/signs
constexpr int kIq3sBytes = 2 + 13 * 256 / 32 + 256 / 64;  // d, qs[64], qh[8], signs[32], scales[4]
constexpr int kIq1sBytes = 2 + 256 / 8 + 256 / 16;        // d, qs[32], qh[8] (uint16)
constexpr int kIq1mBytes = 256 / 8 + 256 / 16 + 256 / 32; // qs[32], qh[16], scales[8] (d inside)
constexpr int kQ8_1Bytes = 2 + 2 + 32;                    // d, s, qs[32]
constexpr int kQ8_KBytes = 4 + 256 + 256 / 16 * 2;        // d (float), qs[256], bsums[16] (int16)

// ggml-common.h's published tables, transcribed as data.
extern const uint8_t kMaskIq2xs[8];    // kmask_iq2xs: bit j
extern const uint8_t kSignsIq2xs[128]; // ksigns_iq2xs: 7 sign bits + the parity bit
extern const uint64_t kIq2xxsGrid[256];
extern const uint64_t kIq2xsGrid[512];
extern const uint64_t kIq2sGrid[1024];
extern const uint32_t kIq3xxsGrid[256];
extern const uint32_t kIq3sGrid[512];
extern const uint64_t kIq1sGrid[2048]; // bytes are int8 -1, 0, 1
constexpr float kIq1sDelta = 0.125f;   // IQ1S_DELTA (IQ1M_DELTA is the same 0.125f)

// k floats (a multiple of the type's block) from the blocks; throws
// qs::Error for a type that is not read-only.
void dequantizeReadOnlyRow(GgufType type, const uint8_t* blocks, float* y, int64_t k);

} // namespace qs::detail
