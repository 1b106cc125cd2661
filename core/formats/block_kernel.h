#pragma once
// Base of the fixed-block families (MX, GGUF): the block carries its own
// parameters, so there is no fit and no per-segment apply; applyBlock keeps
// NaN/inf out of the block's scale and passes them through afterwards.
#include "core/formats/format_kernel.h"
#include "core/util/simd.h"

namespace qs {

// True when every x[0, n) is finite (SIMD twins, core/util/simd.h).
QS_AVX2 bool allFinite(const float* x, int64_t n);
bool allFiniteScalar(const float* x, int64_t n);

class BlockKernel : public FormatKernel {
public:
  explicit BlockKernel(int block) : block_(block) {}

  int fixedBlock() const final { return block_; }
  DefaultScaling defaultScaling() const final { return DefaultScaling::FixedBlock; }
  SegmentParams fitParams(const float* x, int64_t n, ClipRange r) const final;
  void apply(const SegmentParams& p, int64_t segment, const float* x, int64_t n, float* deq, int32_t* codes,
             uint64_t index0) const final;
  SegmentParams applyBlock(const float* x, int64_t n, float* deq, int32_t* codes,
                           const BlockWeights& weights) const final;

protected:
  // Quantizes one block of finite values: `n` real ones, padded to the full
  // block in `x` when the block is short. Writes n values and, when codes is
  // not null, n codes (0 for families whose codes are not unpacked).
  // `weights.w` (null: none) covers the full block; padded and non-finite
  // places weigh 0.
  virtual SegmentParams quantizeFiniteBlock(const float* x, int64_t n, float* deq, int32_t* codes,
                                            const BlockWeights& weights) const = 0;

private:
  int block_;
};

} // namespace qs
