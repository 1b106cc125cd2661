#include "core/formats/format_kernel.h"

#include "core/error.h"
#include "core/util/simd.h"

#include <algorithm>

namespace qs {

std::vector<float> sortedLevels(std::vector<float> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

double sumSquaredError(const float* x, const float* q, int64_t n) {
  double s = 0;
  for (int64_t b = 0; b < n; b += 1024) { // float partial sums, double across blocks
    float part = 0;
    const int64_t e = std::min(n, b + 1024);
    for (int64_t i = b; i < e; ++i) {
      const float d = x[i] - q[i];
      part += simd::isFinite(x[i]) ? d * d : 0.0f;
    }
    s += part;
  }
  return s;
}

double FormatKernel::trialMse(const float* x, int64_t n, ClipRange r, std::vector<float>& scratch) const {
  scratch.resize(size_t(n));
  const SegmentParams p = fitParams(x, n, r);
  applyNearest(p, -1, x, n, scratch.data());
  return sumSquaredError(x, scratch.data(), n);
}

void FormatKernel::applyNearest(const SegmentParams& p, int64_t segment, const float* x, int64_t n,
                                float* deq) const {
  apply(p, segment, x, n, deq, nullptr, 0);
}

void FormatKernel::applyCast(const float*, int64_t, float*, int32_t*, uint64_t) const {
  throw Error("a plain cast needs a float format, not " + label());
}

SegmentParams FormatKernel::applyBlock(const float*, int64_t, float*, int32_t*, const BlockWeights&) const {
  throw Error("internal: " + label() + " has no fixed block");
}

bool FormatKernel::unpackBlock(const uint8_t*, float*, int32_t*, SegmentParams&) const {
  return false;
}

} // namespace qs
