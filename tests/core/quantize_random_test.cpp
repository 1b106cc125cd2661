// Random configurations on random small tensors: every combination either
// works with sane results or throws qs::Error; never a crash, never NaN
// metrics for finite inputs.
#include "core/error.h"
#include "core/formats/format_registry.h"
#include "core/pipeline/quantize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#ifndef QS_RANDOM_SEED
#define QS_RANDOM_SEED 2024
#endif
#ifndef QS_RANDOM_ITERS
#define QS_RANDOM_ITERS 400
#endif

namespace qs {
namespace {

TEST(QuantizeRandom, ManyConfigurations) {
  std::mt19937 rng(QS_RANDOM_SEED);
  std::vector<std::string> formats;
  for (const FormatInfo& f : allFormats())
    formats.push_back(f.name);
  formats.push_back("e3m4");
  auto pick = [&](int n) { return int(rng() % unsigned(n)); };
  int ran = 0, rejected = 0;
  for (int iter = 0; iter < QS_RANDOM_ITERS; ++iter) {
    Tensor t;
    t.name = "layer" + std::to_string(iter % 3) + ".w";
    const int rank = pick(4);
    for (int d = 0; d < rank; ++d)
      t.shape.push_back(1 + pick(d == rank - 1 ? 70 : 9));
    std::student_t_distribution<float> dist(2.5f);
    t.values.resize(size_t(shapeNumel(t.shape)));
    const float scale = std::pow(10.0f, float(pick(9)) - 4.0f);
    for (float& v : t.values)
      v = dist(rng) * scale;
    if (pick(4) == 0 && !t.values.empty())
      t.values[size_t(pick(int(t.values.size())))] = float(pick(2) ? 0.0 : 1e6);
    QuantConfig c;
    c.format = formats[size_t(pick(int(formats.size())))];
    c.symmetric = pick(2) == 0;
    c.codebook = {-1.0f, -0.5f, 0.1f, 0.7f, 1.0f};
    if (pick(4) != 0)
      c.granularity = Granularity{GranularityKind(pick(5)), pick(7) - 3, int64_t(1 + pick(40))};
    c.clipping.method = ClipMethod(pick(5));
    c.clipping.percentile = 90 + pick(11);
    c.clipping.twoSided = pick(2) == 0;
    c.clipping.fixedMin = -scale;
    c.clipping.fixedMax = scale * 2;
    c.rounding = pick(3) == 0 ? Rounding::Stochastic : Rounding::Nearest;
    c.seed = rng();
    c.overrides = {{"layer1.*", "int8"}};
    AnalysisOptions opt;
    opt.histogramBins = 1 + pick(300);
    opt.mapWidth = 1 + pick(50);
    opt.mapHeight = 1 + pick(50);
    opt.topK = pick(30);
    std::shared_ptr<const QuantResult> r;
    try {
      r = quantize(t, c, opt);
    } catch (const Error&) {
      ++rejected; // e.g. an axis out of range: a clear error is the right answer
      continue;
    }
    ++ran;
    SCOPED_TRACE(c.format + " " + shapeToString(t.shape) + " " + configToJson(c, -1));
    ASSERT_EQ(r->dequantized.size(), t.values.size());
    const Metrics& m = r->metrics;
    // A format can overflow (FP16 casts to inf, GGUF's fp16 scales): then the
    // error is infinite, but never NaN.
    bool overflow = false;
    for (size_t i = 0; i < t.values.size(); ++i)
      overflow = overflow || !std::isfinite(r->dequantized[i]);
    for (double v :
         {m.mse, m.maxAbsError, m.cosine, m.clippedFraction, m.bitsPerElement, m.codeEntropyBits}) {
      EXPECT_FALSE(std::isnan(v));
      EXPECT_TRUE(overflow || std::isfinite(v)) << m.mse << " " << m.maxAbsError << " " << m.cosine;
    }
    EXPECT_FALSE(std::isnan(m.sqnrDb));
    EXPECT_EQ(m.count, t.numel());
    EXPECT_GE(m.clippedFraction, 0.0);
    EXPECT_LE(m.clippedFraction, 1.0);
    EXPECT_LE(int(r->topErrors.size()), opt.topK);
    EXPECT_EQ(shapeNumel(r->scaleShape), int64_t(r->scales.size()));
    if (t.numel() > 0) {
      EXPECT_EQ(int64_t(r->channels.absMax.size()),
                t.shape.empty() ? 1 : channelView(t.shape, r->viewAxis).rows());
      EXPECT_EQ(r->errorMap.maxAbs.size(), size_t(r->errorMap.width) * size_t(r->errorMap.height));
    }
    double h = 0;
    for (double v : r->histOriginal.counts)
      h += v;
    EXPECT_EQ(h, double(t.numel()));
    const std::vector<float> fq = fakeQuantize(t, c); // bit-identical, NaN included
    EXPECT_EQ(std::memcmp(fq.data(), r->dequantized.data(), fq.size() * sizeof(float)), 0);
  }
  EXPECT_GT(ran, 250);
  EXPECT_GT(rejected, 0);
}

} // namespace
} // namespace qs
