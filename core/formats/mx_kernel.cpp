// Family "MX": OCP Microscaling v1.0 blocks of 32 elements (FP8/FP6/FP4 or
// INT8) sharing one E8M0 power-of-two scale (mx_block.cpp).
#include "core/formats/block_kernel.h"
#include "core/formats/format_families.h"

#include <cmath>

namespace qs {

namespace {

class MxKernel final : public BlockKernel {
public:
  MxKernel(MxElement element, std::string label)
      : BlockKernel(kMxBlock), element_(element), label_(std::move(label)) {}

  std::string label() const override { return label_; }
  int codeBits() const override { return mxElementBits(element_); }
  int codeCount() const override { return codeBits() <= 16 ? 1 << codeBits() : 0; }
  double overheadBitsPerSegment() const override { return 8.0; } // the E8M0 scale

  std::vector<float> levels(const SegmentParams& p, int64_t, int) const override {
    std::vector<float> v;
    for (int c = 0; c < (1 << codeBits()); ++c) {
      const float e = mxDecodeElement(element_, uint8_t(c));
      if (std::isfinite(e))
        v.push_back(e * p.scale);
    }
    return sortedLevels(std::move(v));
  }

  float codeValue(const SegmentParams& p, int64_t, int32_t code) const override {
    return mxDecodeElement(element_, uint8_t(code)) * p.scale;
  }

protected:
  SegmentParams quantizeFiniteBlock(const float* x, int64_t n, float* deq, int32_t* codes,
                                    const BlockWeights&) const override { // MX has no weighted path
    uint8_t elementCodes[kMxBlock];
    SegmentParams p;
    p.scale = e8m0ToFloat(mxQuantizeBlock(element_, x, int(n), elementCodes, deq).scaleE8M0);
    if (codes)
      for (int64_t i = 0; i < n; ++i)
        codes[i] = elementCodes[i];
    return p;
  }

private:
  MxElement element_;
  std::string label_;
};

} // namespace

KernelFactory mxFamily(MxElement element) {
  return [element](const KernelOptions&, const std::string& label) {
    return std::make_unique<MxKernel>(element, label);
  };
}

} // namespace qs
