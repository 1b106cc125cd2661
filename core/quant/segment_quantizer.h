#pragma once
// One scale segment at a time: fit() turns a segment and its clip range into
// parameters, apply() quantizes and dequantizes a run of it. The scheme kind
// is switched on once per call of these (never per element); the loops inside
// are plain contiguous loops over floats.
#include "core/calib/clip_range.h"
#include "core/quant/scheme.h"

#include <cstdint>
#include <vector>

namespace qs {

struct SegmentParams {
  float scale = 1.0f, invScale = 1.0f;
  int32_t zeroPoint = 0;
  float lo = 0, hi = 0; // clip range
  float threshold = 0;  // ternary: |w| > threshold -> +-scale
  float offset = 0;     // GGUF _1 formats: the block minimum m
};

// Counter-based uniform in [0, 1) from (seed, element index): the same value
// for an element whatever the thread count or chunking.
inline float uniformAt(uint64_t seed, uint64_t index) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return float(z >> 40) * (1.0f / 16777216.0f);
}

// The integer kernel (AVX2 when available) and its scalar reference; tests compare them.
void applyIntNearest(const SegmentParams& p, int32_t qmin, int32_t qmax, const float* x, int64_t n,
                     float* deq, int32_t* codes);
void applyIntNearestRef(const SegmentParams& p, int32_t qmin, int32_t qmax, const float* x, int64_t n,
                        float* deq, int32_t* codes);

class SegmentQuantizer {
public:
  SegmentQuantizer(const Scheme& scheme, bool stochastic, uint64_t seed);

  const Scheme& scheme() const { return scheme_; }
  // Codes are stored as `code - codeMin()` in occupancy counts.
  int32_t codeMin() const;
  int codeCount() const; // distinct codes (0 when too many to count: > 2^16)

  // Parameters of a segment with clip range r (all values of the segment in x[0, n)).
  // `segment` seeds k-means. Not for Mx/Gguf (their blocks carry the parameters).
  SegmentParams fit(const float* x, int64_t n, ClipRange r, int64_t segment);
  // k-means centroids of every fitted segment (KMeans only), in fit order by segment index.
  void reserveSegments(int64_t segments);
  const std::vector<float>& centroids(int64_t segment) const { return centroids_[size_t(segment)]; }

  // Quantizes x[0, n) (part of one segment; `index0` = working index of x[0]
  // for stochastic rounding). codes may be null. Non-finite x pass through.
  void apply(const SegmentParams& p, int64_t segment, const float* x, int64_t n, float* deq, int32_t* codes,
             uint64_t index0) const;
  // Granularity none: a plain cast (overflow as the format defines it).
  void applyCast(const float* x, int64_t n, float* deq, int32_t* codes, uint64_t index0) const;
  // Mx / Gguf: one whole block; returns its parameters (scale, offset).
  SegmentParams applyBlock(const float* x, int64_t n, float* deq, int32_t* codes) const;

  // The dequantized value of `code` in a segment (not for Mx/Gguf/cast).
  float codeValue(const SegmentParams& p, int64_t segment, int32_t code) const;

  // Representable values of a segment (for the histogram's level lines); empty when > 4096.
  std::vector<float> levels(const SegmentParams& p, int64_t segment) const;

  // Sum of squared errors of quantizing x[0, n) with clip range r (nearest rounding), for the MSE search.
  double trialMse(const float* x, int64_t n, ClipRange r, std::vector<float>& scratch) const;

private:
  void applyWith(const SegmentParams& p, int64_t segment, const float* x, int64_t n, float* deq,
                 int32_t* codes, uint64_t index0, bool stochastic, const std::vector<float>* kmLevels) const;
  std::vector<float> fitCentroids(const float* x, int64_t n, ClipRange r, int64_t segment) const;
  void applyIntStochastic(const SegmentParams& p, const float* x, int64_t n, float* deq, int32_t* codes,
                          uint64_t index0) const;
  void applyFloatNearest(const SegmentParams& p, const float* x, int64_t n, float* deq, int32_t* codes) const;
  Scheme scheme_;
  bool stochastic_;
  uint64_t seed_;
  std::vector<std::vector<float>> centroids_;
  std::vector<float> decodeLut_; // Float formats of <= 12 bits: code -> value
};

} // namespace qs
