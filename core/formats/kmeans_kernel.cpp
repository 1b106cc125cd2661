// Family "k-means": 2^k levels fitted to every scale segment by weighted 1-D
// k-means (kmeans.cpp); the levels are stored with the segment.
#include "core/formats/format_families.h"
#include "core/formats/level_search.h"

#include <algorithm>
#include <cmath>

namespace qs {

namespace {

class KMeansKernel final : public FormatKernel {
public:
  KMeansKernel(int bits, const KernelOptions& options, std::string label)
      : bits_(bits), stochastic_(options.stochastic), seed_(options.seed), label_(std::move(label)) {}

  std::string label() const override { return label_; }
  int codeBits() const override { return bits_; }
  int codeCount() const override { return 1 << bits_; }
  double overheadBitsPerSegment() const override { return 32.0 * double(1 << bits_); }
  ScaleExport scaleExport() const override { return {false, false, true}; }

  std::vector<float> levels(const SegmentParams&, int64_t segment, int) const override {
    if (segment < 0 || size_t(segment) >= centroids_.size())
      return {};
    return sortedLevels(centroids_[size_t(segment)]);
  }

  void reserveSegments(int64_t segments) override { centroids_.assign(size_t(segments), {}); }

  SegmentParams fitParams(const float* x, int64_t n, ClipRange r) const override {
    return paramsFor(fitCentroids(x, n, r, 0), r);
  }

  SegmentParams fit(const float* x, int64_t n, ClipRange r, int64_t segment) override {
    std::vector<float> c = fitCentroids(x, n, r, segment);
    const SegmentParams p = paramsFor(c, r);
    if (segment >= 0 && size_t(segment) < centroids_.size())
      centroids_[size_t(segment)] = std::move(c); // slots are pre-sized: safe in parallel
    return p;
  }

  void apply(const SegmentParams& p, int64_t segment, const float* x, int64_t n, float* deq, int32_t* codes,
             uint64_t index0) const override {
    const LevelGrid g = grid(p, centroids_[size_t(segment)]);
    if (stochastic_)
      applyStochasticLevels(g, seed_, index0, x, n, deq, codes);
    else
      applyNearestLevelsBest(g, x, n, deq, codes);
  }

  float codeValue(const SegmentParams&, int64_t segment, int32_t code) const override {
    return centroids_[size_t(segment)][size_t(code)];
  }

  const std::vector<float>* centroids(int64_t segment) const override { return &centroids_[size_t(segment)]; }

  // The trial's own centroids (seeded as segment 0), nearest rounding.
  double trialMse(const float* x, int64_t n, ClipRange r, std::vector<float>& scratch) const override {
    scratch.resize(size_t(n));
    const std::vector<float> c = fitCentroids(x, n, r, 0);
    applyNearestLevelsBest(grid(paramsFor(c, r), c), x, n, scratch.data(), nullptr);
    return sumSquaredError(x, scratch.data(), n);
  }

private:
  static LevelGrid grid(const SegmentParams& p, const std::vector<float>& c) {
    return {c.data(), int(c.size()), p.lo, p.hi, 1.0f, 1.0f};
  }

  static SegmentParams paramsFor(const std::vector<float>& c, ClipRange r) {
    float cmax = 0;
    for (float f : c)
      cmax = std::max(cmax, std::fabs(f));
    SegmentParams p;
    p.scale = cmax; // for the scale export; the levels themselves are absolute
    p.lo = r.lo;
    p.hi = r.hi;
    return p;
  }

  std::vector<float> fitCentroids(const float* x, int64_t n, ClipRange r, int64_t segment) const {
    std::vector<float> v;
    v.reserve(size_t(n));
    for (int64_t i = 0; i < n; ++i)
      if (simd::isFinite(x[i]))
        v.push_back(std::min(std::max(x[i], r.lo), r.hi));
    const int k = 1 << bits_;
    if (v.empty())
      return std::vector<float>(size_t(k), 0.0f);
    return kmeans1d(v.data(), nullptr, int64_t(v.size()), k,
                    seed_ ^ (0x9E3779B97F4A7C15ull * uint64_t(segment + 1)));
  }

  int bits_;
  bool stochastic_;
  uint64_t seed_;
  std::string label_;
  std::vector<std::vector<float>> centroids_;
};

} // namespace

KernelFactory kmeansFamily(int bits) {
  return [bits](const KernelOptions& options, const std::string& label) {
    return std::make_unique<KMeansKernel>(bits, options, label);
  };
}

} // namespace qs
