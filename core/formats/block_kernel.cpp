#include "core/formats/block_kernel.h"

#include "core/error.h"

#include <algorithm>

namespace qs {

bool allFiniteScalar(const float* x, int64_t n) {
  for (int64_t k = 0; k < n; ++k)
    if (!simd::isFinite(x[k]))
      return false;
  return true;
}

#if QS_HAVE_AVX2
QS_AVX2 bool allFinite(const float* x, int64_t n) {
  const __m256 lim = _mm256_set1_ps(FLT_MAX);
  __m256 bad = _mm256_setzero_ps(); // |x| > FLT_MAX or NaN (unordered)
  int64_t k = 0;
  for (; k + 8 <= n; k += 8)
    bad = _mm256_or_ps(bad, _mm256_cmp_ps(simd::abs(_mm256_loadu_ps(x + k)), lim, _CMP_NLE_UQ));
  return _mm256_testz_ps(bad, bad) && allFiniteScalar(x + k, n - k);
}
#endif

SegmentParams BlockKernel::fitParams(const float*, int64_t, ClipRange r) const {
  SegmentParams p; // the blocks carry their parameters (applyBlock)
  p.lo = r.lo;
  p.hi = r.hi;
  return p;
}

void BlockKernel::apply(const SegmentParams&, int64_t, const float*, int64_t, float*, int32_t*,
                        uint64_t) const {
  throw Error("internal: block formats are quantized per block");
}

// The common case, a whole block of finite values, goes straight from x to
// deq. Otherwise non-finite values are left out of the block's scale
// (replaced by a finite neighbour) and passed through afterwards; a short
// last block is padded with its first value, which changes neither its max
// nor its min. Importance weights of padded and non-finite places are 0.
SegmentParams BlockKernel::applyBlock(const float* x, int64_t n, float* deq, int32_t* codes,
                                      const BlockWeights& weights) const {
  bool finite = n == block_;
#if QS_HAVE_AVX2
  if (finite && simd::useAvx2())
    finite = allFinite(x, n);
  else
#endif
    finite = finite && allFiniteScalar(x, n);
  if (finite)
    return quantizeFiniteBlock(x, n, deq, codes, weights);
  float in[256], out[256], inWeights[256];
  int32_t blockCodes[256];
  const float* firstFinite = std::find_if(x, x + n, [](float v) { return simd::isFinite(v); });
  const float fill = firstFinite == x + n ? 0.0f : *firstFinite;
  for (int i = 0; i < block_; ++i) {
    const bool kept = i < n && simd::isFinite(x[i]);
    in[i] = kept ? x[i] : fill;
    inWeights[i] = kept && weights.w ? weights.w[i] : 0.0f;
  }
  const BlockWeights padded{weights.w ? inWeights : nullptr, weights.rowSigma2};
  const SegmentParams p = quantizeFiniteBlock(in, n, out, codes ? blockCodes : nullptr, padded);
  for (int64_t i = 0; i < n; ++i) {
    const bool f = simd::isFinite(x[i]);
    deq[i] = f ? out[i] : x[i];
    if (codes)
      codes[i] = f ? blockCodes[i] : 0;
  }
  return p;
}

} // namespace qs
