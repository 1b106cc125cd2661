// Family "GGUF": llama.cpp blocks (gguf_blocks.cpp, gguf_kquants.cpp,
// gguf_iq4.cpp, gguf_ternary.cpp, gguf_fp4.cpp), quantized and dequantized
// exactly as llama.cpp; the codes of the legacy types, the IQ4 indices, the
// ternary digits and the FP4 nibbles are unpacked from the block bytes.
#include "core/formats/block_kernel.h"
#include "core/formats/format_families.h"
#include "core/formats/gguf_detail.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace qs {

namespace {

// How a type's codes sit in its block bytes (ggml-common.h).
struct GgufCodeLayout {
  int32_t codeMin = 0; // Q8_0 codes are signed bytes
  int codeCount = 0;   // 0: codes not unpacked (K quants)
  int bias = 0;        // value = (code - bias) * d (+ m)
  bool hasMin = false; // _1 types: an FP16 minimum m after d
  int codeBits = 0;
  // Grid types: code c means grid[c] * scale, codes and scale from unpack.
  const float* grid = nullptr;
  float (*unpack)(const uint8_t* block, int32_t* codes) = nullptr;
};

// The grids as floats: kvalues_iq4nl, the trits' -1/0/1, E2M1 (kvalues_mxfp4 / 2).
const float* iq4Grid() {
  static const auto grid = [] {
    std::array<float, 16> g{};
    for (int c = 0; c < 16; ++c)
      g[size_t(c)] = float(detail::kIq4NlValues[c]);
    return g;
  }();
  return grid.data();
}
const float* e2m1Grid() {
  static const auto grid = [] {
    std::array<float, 16> g{};
    for (int c = 0; c < 16; ++c)
      g[size_t(c)] = 0.5f * float(detail::kMxfp4Values[c]);
    return g;
  }();
  return grid.data();
}
constexpr float kTritGrid[3] = {-1.0f, 0.0f, 1.0f};

GgufCodeLayout codeLayout(GgufType type) {
  switch (type) {
  case GgufType::Q8_0:
    return {-128, 256, 0, false, 8};
  case GgufType::Q4_0:
    return {0, 16, 8, false, 4};
  case GgufType::Q4_1:
    return {0, 16, 0, true, 4};
  case GgufType::Q5_0:
    return {0, 32, 16, false, 5};
  case GgufType::Q5_1:
    return {0, 32, 0, true, 5};
  case GgufType::Q4_K:
    return {0, 0, 0, false, 4};
  case GgufType::Q6_K:
    return {0, 0, 0, false, 6};
  case GgufType::Q2_K:
    return {0, 0, 0, false, 2};
  case GgufType::Q3_K:
    return {0, 0, 0, false, 3};
  case GgufType::Q5_K:
    return {0, 0, 0, false, 5};
  case GgufType::IQ4_NL:
    return {0, 16, 0, false, 4, iq4Grid(), detail::unpackIQ4NL};
  case GgufType::IQ4_XS: // grid in units of the super-scale d (sub-blocks scale it by l - 32)
    return {0, 16, 0, false, 4, iq4Grid(), detail::unpackIQ4XS};
  case GgufType::TQ1_0: // five trits a byte: 1.6875 bits per value, less than the 2-bit code
    return {0, 3, 0, false, 2, kTritGrid, detail::unpackTQ1_0};
  case GgufType::TQ2_0:
    return {0, 3, 0, false, 2, kTritGrid, detail::unpackTQ2_0};
  case GgufType::MXFP4:
    return {0, 16, 0, false, 4, e2m1Grid(), detail::unpackMXFP4};
  case GgufType::NVFP4: // the scale of the first of four sub-blocks
    return {0, 16, 0, false, 4, e2m1Grid(), detail::unpackNVFP4};
  default:
    return {};
  }
}

uint16_t load16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

// Codes of a legacy block; `qs` = the bytes after d (and m).
void unpackCodes(GgufType type, const uint8_t* qs, int32_t* codes) {
  if (type == GgufType::Q8_0) {
    for (int j = 0; j < 32; ++j)
      codes[j] = int8_t(qs[j]);
  } else if (type == GgufType::Q4_0 || type == GgufType::Q4_1) {
    for (int j = 0; j < 16; ++j) {
      codes[j] = qs[j] & 0x0F;
      codes[j + 16] = qs[j] >> 4;
    }
  } else { // Q5_0 / Q5_1: 32 high bits, then the low nibbles
    uint32_t qh;
    std::memcpy(&qh, qs, 4);
    const uint8_t* low = qs + 4;
    for (int j = 0; j < 16; ++j) {
      codes[j] = (low[j] & 0x0F) | int32_t(((qh >> j) & 1u) << 4);
      codes[j + 16] = (low[j] >> 4) | int32_t(((qh >> (j + 16)) & 1u) << 4);
    }
  }
}

class GgufKernel final : public BlockKernel {
public:
  GgufKernel(GgufType type, std::string label)
      : BlockKernel(ggufTypeInfo(type).blockElements), type_(type), layout_(codeLayout(type)),
        label_("GGUF " + std::move(label)) {}

  std::string label() const override { return label_; }
  int codeBits() const override { return layout_.codeBits; }
  int32_t codeMin() const override { return layout_.codeMin; }
  int codeCount() const override { return layout_.codeCount; }
  // Storage per block beyond the codes, from the llama.cpp block size.
  double overheadBitsPerSegment() const override {
    const GgufTypeInfo& t = ggufTypeInfo(type_);
    return double(8 * t.blockBytes - layout_.codeBits * t.blockElements);
  }
  ScaleExport scaleExport() const override { return {false, layout_.hasMin, false}; }
  bool usesImportance() const override { return ggufHasWeightedPath(type_); }

  std::vector<float> levels(const SegmentParams& p, int64_t, int) const override {
    std::vector<float> v;
    for (int c = 0; c < layout_.codeCount; ++c)
      v.push_back(codeValue(p, 0, c + layout_.codeMin));
    return sortedLevels(std::move(v));
  }

  float codeValue(const SegmentParams& p, int64_t, int32_t code) const override {
    if (layout_.grid)
      return layout_.grid[code] * p.scale;
    return float(code - layout_.bias) * p.scale + p.offset;
  }

  bool unpackBlock(const uint8_t* bytes, float* values, int32_t* codes, SegmentParams& p) const override {
    ggufDequantizeRow(type_, bytes, values, fixedBlock());
    p = SegmentParams{};
    if (layout_.unpack) {
      p.scale = layout_.unpack(bytes, codes);
      return true;
    }
    p.scale = halfBitsToFloat(load16(bytes));
    if (layout_.hasMin)
      p.offset = halfBitsToFloat(load16(bytes + 2));
    if (codes && layout_.codeCount)
      unpackCodes(type_, bytes + (layout_.hasMin ? 4 : 2), codes);
    else if (codes)
      std::fill(codes, codes + fixedBlock(), 0);
    return true;
  }

protected:
  SegmentParams quantizeFiniteBlock(const float* x, int64_t n, float* deq, int32_t* codes,
                                    const BlockWeights& weights) const override {
    uint8_t bytes[512];
    int32_t blockCodes[256];
    SegmentParams p;
    if (weights.w)
      ggufQuantizeBlockWeighted(type_, x, bytes, weights.w, weights.rowSigma2);
    else
      ggufQuantizeRow(type_, x, bytes, fixedBlock());
    unpackBlock(bytes, deq, codes ? blockCodes : nullptr, p);
    if (codes)
      std::memcpy(codes, blockCodes, size_t(n) * sizeof(int32_t));
    return p;
  }

private:
  GgufType type_;
  GgufCodeLayout layout_;
  std::string label_;
};

} // namespace

KernelFactory ggufFamily(GgufType type) {
  return [type](const KernelOptions&, const std::string& label) {
    return std::make_unique<GgufKernel>(type, label);
  };
}

} // namespace qs
