// Family "codebook": a table of normalised levels (max |level| = 1) times the
// segment's absmax; every value goes to the nearest level (nf4, fp4_bnb,
// iq4_nl_grid, the user's own levels).
#include "core/error.h"
#include "core/formats/format_families.h"
#include "core/formats/level_search.h"

#include <algorithm>
#include <cmath>

namespace qs {

namespace {

class CodebookKernel final : public FormatKernel {
public:
  CodebookKernel(Codebook codebook, const KernelOptions& options, std::string label)
      : codebook_(std::move(codebook)), stochastic_(options.stochastic), seed_(options.seed),
        label_(std::move(label)) {}

  std::string label() const override { return label_; }
  int codeBits() const override { return codebook_.bits(); }
  int codeCount() const override { return int(codebook_.levels.size()); }
  double overheadBitsPerSegment() const override { return 32.0; }
  int64_t usualGroupSize() const override { return 64; }

  std::vector<float> levels(const SegmentParams& p, int64_t, int) const override {
    std::vector<float> v;
    for (float l : codebook_.levels)
      v.push_back(l * p.scale);
    return sortedLevels(std::move(v));
  }

  bool fitsFromRange() const override { return true; }
  SegmentParams fitParams(const float*, int64_t, ClipRange r) const override {
    const float amax = std::max(std::fabs(r.lo), std::fabs(r.hi));
    SegmentParams p;
    p.scale = amax;
    p.invScale = amax > 0 ? 1.0f / amax : 0.0f;
    p.lo = -amax; // a grid symmetric around zero saturates at +-max|range|
    p.hi = amax;
    return p;
  }

  void apply(const SegmentParams& p, int64_t, const float* x, int64_t n, float* deq, int32_t* codes,
             uint64_t index0) const override {
    if (stochastic_)
      applyStochasticLevels(grid(p), seed_, index0, x, n, deq, codes);
    else
      applyNearestLevelsBest(grid(p), x, n, deq, codes);
  }

  float codeValue(const SegmentParams& p, int64_t, int32_t code) const override {
    return codebook_.levels[size_t(code)] * p.scale;
  }

protected:
  void applyNearest(const SegmentParams& p, int64_t, const float* x, int64_t n, float* deq) const override {
    applyNearestLevelsBest(grid(p), x, n, deq, nullptr);
  }

private:
  LevelGrid grid(const SegmentParams& p) const {
    return {codebook_.levels.data(), int(codebook_.levels.size()), p.lo, p.hi, p.invScale, p.scale};
  }

  Codebook codebook_;
  bool stochastic_;
  uint64_t seed_;
  std::string label_;
};

} // namespace

KernelFactory codebookFamily(const Codebook* codebook) {
  return [codebook](const KernelOptions& options, const std::string& label) {
    return std::make_unique<CodebookKernel>(*codebook, options, label);
  };
}

KernelFactory userCodebookFamily() {
  return [](const KernelOptions& options, const std::string&) {
    if (options.levels.empty())
      throw Error("format 'codebook' needs levels (config \"codebook\": [...], CLI --codebook a,b,c)");
    Codebook codebook = makeUserCodebook(options.levels);
    const std::string label = "Codebook (" + std::to_string(codebook.levels.size()) + " levels)";
    return std::make_unique<CodebookKernel>(std::move(codebook), options, label);
  };
}

} // namespace qs
