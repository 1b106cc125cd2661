// Family "NVFP4": blocks of 16 E2M1 values with an E4M3 scale each under one
// FP32 scale per tensor (nvfp4_block.cpp). The tensor scale is fixed once per
// quantize call by prepareTensor, before any block.
#include "core/formats/block_kernel.h"
#include "core/formats/format_families.h"
#include "core/formats/nvfp4_block.h"

#include <cmath>

namespace qs {

namespace {

class Nvfp4Kernel final : public BlockKernel {
public:
  Nvfp4Kernel(Nvfp4ScaleRule rule, std::string label)
      : BlockKernel(kNvfp4Block), rule_(rule), label_(std::move(label)) {}

  std::string label() const override { return label_; }
  int codeBits() const override { return 4; }
  int codeCount() const override { return 16; }
  double overheadBitsPerSegment() const override { return 8.0; } // the E4M3 block scale

  void prepareTensor(const DataStats& global) override {
    tensorScale_ = nvfp4TensorScale(global.finite ? global.absMax() : 0.0f, rule_);
  }
  float tensorScale() const override { return tensorScale_; }

  // p.scale is the block's effective scale s_block * s_tensor.
  std::vector<float> levels(const SegmentParams& p, int64_t, int) const override {
    std::vector<float> v;
    for (uint8_t c = 0; c < 16; ++c)
      v.push_back(e2m1Value(c) * p.scale);
    return sortedLevels(std::move(v));
  }

  float codeValue(const SegmentParams& p, int64_t, int32_t code) const override {
    return e2m1Value(uint8_t(code & 15)) * p.scale;
  }

protected:
  SegmentParams quantizeFiniteBlock(const float* x, int64_t n, float* deq, int32_t* codes,
                                    const BlockWeights&) const override { // NVFP4 has no weighted path
    uint8_t nibbles[kNvfp4Block];
    const Nvfp4BlockOut out = nvfp4QuantizeBlock(rule_, x, int(n), tensorScale_, nibbles, deq);
    SegmentParams p;
    p.scale = e4m3Value(out.scaleCode) * tensorScale_;
    p.invScale = 1.0f / p.scale;
    p.fitted = out.fitted * tensorScale_;
    if (codes)
      for (int64_t i = 0; i < n; ++i)
        codes[i] = nibbles[i];
    return p;
  }

private:
  Nvfp4ScaleRule rule_;
  std::string label_;
  float tensorScale_ = 1.0f; // until prepareTensor: the scale of an all-zero tensor
};

} // namespace

KernelFactory nvfp4Family(Nvfp4ScaleRule rule) {
  return [rule](const KernelOptions&, const std::string& label) {
    return std::make_unique<Nvfp4Kernel>(rule, label);
  };
}

} // namespace qs
