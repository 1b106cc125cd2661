// Metric formulas on tiny hand-computed examples, the analysis products
// (histograms, top-k, channel statistics, error maps) against naive
// recomputation, and the edge tensors.
#include "core/error.h"
#include "core/pipeline/quantize.h"

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace qs {
namespace {

Tensor make(Shape shape, std::vector<float> v) {
  Tensor t;
  t.name = "t";
  t.shape = std::move(shape);
  t.values = std::move(v);
  return t;
}

QuantConfig perTensor(const char* format) {
  QuantConfig c;
  c.format = format;
  c.granularity = Granularity{GranularityKind::Tensor, 0, 1};
  return c;
}

// x = [1, -2, 3, 0.5], INT2 symmetric per tensor: scale = 3 / (2^1 - 1) = 3,
// codes = round(x / 3) = [0, -1, 1, 0], q = [0, -3, 3, 0], e = [1, 1, 0, 0.5].
TEST(QuantizeMetrics, HandComputedInt2) {
  const auto r = quantize(make({4}, {1, -2, 3, 0.5f}), perTensor("int2"));
  EXPECT_EQ(r->dequantized, (std::vector<float>{0, -3, 3, 0}));
  EXPECT_EQ(r->codes, (std::vector<int32_t>{0, -1, 1, 0}));
  const Metrics& m = r->metrics;
  EXPECT_DOUBLE_EQ(m.mse, 2.25 / 4); // (1 + 1 + 0 + 0.25) / 4
  EXPECT_DOUBLE_EQ(m.rmse, 0.75);
  EXPECT_DOUBLE_EQ(m.maxAbsError, 1.0);
  EXPECT_NEAR(m.sqnrDb, 10 * std::log10(14.25 / 2.25), 1e-12);  // ||x||^2 = 14.25
  EXPECT_NEAR(m.cosine, 15.0 / std::sqrt(14.25 * 18.0), 1e-12); // <x,q> = 15, ||q||^2 = 18
  EXPECT_DOUBLE_EQ(m.bitsPerElement, 2 + 32.0 / 4);             // one fp32 scale per 4 values
  EXPECT_DOUBLE_EQ(m.codeEntropyBits, 1.5);                     // codes -1, 0, 0, 1
  EXPECT_EQ(m.clippedFraction, 0.0);
  EXPECT_EQ(m.count, 4);
  EXPECT_EQ(r->codeMin, -2);
  EXPECT_EQ(r->codeCounts, (std::vector<double>{0, 1, 2, 1}));
  EXPECT_EQ(r->levels, (std::vector<float>{-6, -3, 0, 3}));
  // Top errors: |e| = 1 at indices 0 and 1 (ties by index), then 0.5 at 3.
  ASSERT_GE(r->topErrors.size(), 3u);
  EXPECT_EQ(r->topErrors[0].index, 0);
  EXPECT_EQ(r->topErrors[1].index, 1);
  EXPECT_EQ(r->topErrors[2].index, 3);
  EXPECT_EQ(r->topMagnitude[0].index, 2);
  EXPECT_EQ(r->topMagnitude[0].original, 3.0f);
}

TEST(QuantizeMetrics, AsymmetricBitsCountTheZeroPoint) {
  QuantConfig c = perTensor("int4");
  c.symmetric = false;
  c.granularity = Granularity{GranularityKind::Group, 0, 8};
  const auto r = quantize(make({16}, std::vector<float>(16, 1.0f)), c);
  EXPECT_DOUBLE_EQ(r->metrics.bitsPerElement, 4 + (32.0 + 4.0) / 8);
}

Tensor gaussian(Shape shape, uint32_t seed) {
  Tensor t;
  t.name = "g";
  t.shape = shape;
  std::mt19937 rng(seed);
  std::normal_distribution<float> d;
  t.values.resize(size_t(shapeNumel(shape)));
  for (float& v : t.values)
    v = d(rng);
  return t;
}

void checkAgainstNaive(const Tensor& t, const QuantConfig& c, const AnalysisOptions& opt) {
  const auto r = quantize(t, c, opt);
  const std::vector<float>& q = r->dequantized;
  const size_t n = t.values.size();
  double see = 0, sx2 = 0, sq2 = 0, sxq = 0, mx = 0;
  for (size_t i = 0; i < n; ++i) {
    const double x = t.values[i], e = x - q[i];
    see += e * e;
    sx2 += x * x;
    sq2 += double(q[i]) * q[i];
    sxq += x * q[i];
    mx = std::max(mx, std::fabs(e));
  }
  const Metrics& m = r->metrics;
  EXPECT_NEAR(m.mse, see / double(n), 1e-5 * see / double(n));
  EXPECT_EQ(m.maxAbsError, mx);
  EXPECT_NEAR(m.sqnrDb, 10 * std::log10(sx2 / see), 1e-4);
  EXPECT_NEAR(1 - m.cosine, 1 - sxq / std::sqrt(sx2 * sq2), 1e-4 * (1 - sxq / std::sqrt(sx2 * sq2)) + 1e-12);
  // Histograms: every finite value counted once; the original range is [min, max].
  auto total = [](const Histogram& h) { return std::accumulate(h.counts.begin(), h.counts.end(), 0.0); };
  EXPECT_EQ(total(r->histOriginal), double(n));
  EXPECT_EQ(total(r->histDequantized), double(n));
  EXPECT_EQ(total(r->histError), double(n));
  EXPECT_EQ(r->histOriginal.lo, *std::min_element(t.values.begin(), t.values.end()));
  EXPECT_EQ(r->histOriginal.hi, *std::max_element(t.values.begin(), t.values.end()));
  EXPECT_GT(r->histError.hi, mx);
  EXPECT_LE(r->histError.hi, 2 * mx + 1e-30);
  // The dequantized histogram, bin by bin (same float binning as the engine).
  std::vector<double> hq(r->histDequantized.counts.size(), 0);
  const float lo = float(r->histOriginal.lo),
              s = float(double(hq.size()) / (r->histOriginal.hi - r->histOriginal.lo));
  for (float v : q) {
    const float b = (v - lo) * s;
    ++hq[size_t(b > 0 ? std::min(b, float(hq.size() - 1)) : 0)];
  }
  EXPECT_EQ(hq, r->histDequantized.counts);
  // Top-k by |error|, ties by index.
  std::vector<int64_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) {
    return std::fabs(t.values[size_t(a)] - q[size_t(a)]) > std::fabs(t.values[size_t(b)] - q[size_t(b)]);
  });
  ASSERT_EQ(r->topErrors.size(), size_t(opt.topK));
  for (int k = 0; k < opt.topK; ++k)
    EXPECT_EQ(r->topErrors[size_t(k)].index, idx[size_t(k)]) << k;
  // Channel statistics of the first rows of the result's view (rows are its
  // output channels, QuantResult::viewAxis), in double.
  const ChannelView cv = channelView(t.shape, r->viewAxis);
  const View2D v{cv.rows(), cv.cols()};
  auto at = [&](const std::vector<float>& a, int64_t row, int64_t col) {
    return a[size_t(cv.tensorIndex(row, col))];
  };
  for (int64_t row = 0; row < std::min<int64_t>(v.rows, 5); ++row) {
    double s1 = 0, am = 0;
    for (int64_t c2 = 0; c2 < v.cols; ++c2) {
      s1 += at(t.values, row, c2);
      am = std::max(am, double(std::fabs(at(t.values, row, c2))));
    }
    const double mean = s1 / double(v.cols);
    double m2 = 0, m4 = 0;
    for (int64_t c2 = 0; c2 < v.cols; ++c2) {
      const double d = at(t.values, row, c2) - mean;
      m2 += d * d;
      m4 += d * d * d * d;
    }
    EXPECT_NEAR(r->channels.mean[size_t(row)], mean, 1e-5);
    EXPECT_EQ(r->channels.absMax[size_t(row)], float(am));
    EXPECT_NEAR(r->channels.stdDev[size_t(row)], std::sqrt(m2 / double(v.cols)), 1e-5);
    EXPECT_NEAR(r->channels.kurtosis[size_t(row)], double(v.cols) * m4 / (m2 * m2) - 3, 1e-3);
  }
  // Error map vs poolErrorMap over the whole view, and one cell by hand.
  const ErrorMap& em = r->errorMap;
  const ErrorMap full = poolErrorMap(t, *r, em.width, em.height, 0, v.rows, 0, v.cols);
  EXPECT_EQ(full.maxAbs, em.maxAbs);
  for (size_t i = 0; i < em.meanAbs.size(); ++i)
    EXPECT_NEAR(full.meanAbs[i], em.meanAbs[i], 1e-6 * (1 + em.meanAbs[i]));
  const int64_t r1 = (v.rows + em.height - 1) / em.height, c1 = (v.cols + em.width - 1) / em.width;
  double cellMax = 0, cellSum = 0;
  for (int64_t a = 0; a < r1; ++a)
    for (int64_t b = 0; b < c1; ++b) {
      const double e = std::fabs(at(t.values, a, b) - at(q, a, b));
      cellMax = std::max(cellMax, e);
      cellSum += e;
    }
  EXPECT_EQ(em.maxAbs[0], float(cellMax));
  EXPECT_NEAR(em.meanAbs[0], cellSum / double(r1 * c1), 1e-6);
}

TEST(QuantizeMetrics, AnalysisMatchesNaiveSmallAndLarge) {
  AnalysisOptions opt;
  opt.topK = 7;
  opt.mapWidth = 13;
  opt.mapHeight = 9;
  QuantConfig c;
  c.format = "int4";
  checkAgainstNaive(gaussian({40, 30}, 1), c, opt);
  checkAgainstNaive(gaussian({700, 600}, 2), c, opt); // threaded, fused path
  c.format = "fp8_e4m3";
  checkAgainstNaive(gaussian({3, 50000}, 3), c, opt); // few rows: column blocks
  c.format = "nf4";
  c.granularity = Granularity{GranularityKind::Group, 1, 32};
  checkAgainstNaive(gaussian({64, 5000}, 4), c, opt); // permuted path
  c.format = "bf16";
  c.granularity.reset();
  checkAgainstNaive(gaussian({1000, 400}, 5), c, opt);
}

// The sums behind mse / SQNR / cosine are added tile by tile in tile order,
// so one thread and two threads (dynamic scheduling) give identical bits.
TEST(QuantizeMetrics, MetricsDoNotDependOnThreadCount) {
  Tensor t = make({2048, 640}, std::vector<float>(2048 * 640));
  std::mt19937 rng(9);
  std::student_t_distribution<float> d(3.0f);
  for (float& v : t.values)
    v = d(rng);
  QuantConfig c = perTensor("int4");
  c.granularity = Granularity{GranularityKind::Group, 0, 64};
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = quantize(t, c);
  omp_set_num_threads(std::max(2, threads));
  for (int run = 0; run < 3; ++run) {
    const auto many = quantize(t, c);
    EXPECT_EQ(many->metrics.mse, one->metrics.mse);
    EXPECT_EQ(many->metrics.sqnrDb, one->metrics.sqnrDb);
    EXPECT_EQ(many->metrics.cosine, one->metrics.cosine);
    EXPECT_EQ(many->histError.counts, one->histError.counts);
  }
  omp_set_num_threads(threads);
}

// A run given the tensor's summary (taken from an earlier run with another
// config) produces exactly what a run without it produces.
TEST(QuantizeMetrics, TensorSummaryGivesIdenticalResults) {
  std::mt19937 rng(13);
  std::normal_distribution<float> d(0.0f, 1.0f);
  Tensor wide = make({96, 700}, std::vector<float>(96 * 700));
  for (float& v : wide.values)
    v = d(rng);
  wide.values[77] = NAN;
  wide.values[1000] = -INFINITY;
  for (int r = 0; r < 96; ++r)
    wide.values[size_t(r * 700 + 5)] *= 30.0f; // an outlier column
  Tensor flat = make({5000}, std::vector<float>(wide.values.begin(), wide.values.begin() + 5000));
  Tensor tiny = make({3}, {1.0f, NAN, -2.0f}); // fewer finite values than top-k
  QuantConfig seed = perTensor("int8");
  std::vector<QuantConfig> configs;
  for (const char* f : {"int4", "fp8_e4m3", "nf4", "mxfp4", "q4_0", "fp16"})
    configs.push_back(perTensor(f));
  configs[0].granularity = Granularity{GranularityKind::Channel, 1, 1}; // permuted layout
  configs[2].granularity = Granularity{GranularityKind::Group, 1, 32};
  configs[5].granularity = Granularity{};
  AnalysisOptions options;
  options.topK = 7;
  options.histogramBins = 64;
  for (const Tensor* t : {&wide, &flat, &tiny}) {
    AnalysisOptions with = options;
    with.summary = TensorSummary::fromResult(*quantize(*t, seed, options), options.topK);
    for (QuantConfig c : configs) {
      if (t == &tiny && (c.format == "mxfp4" || c.format == "q4_0"))
        continue;
      if (t->rank() == 1 && c.granularity && c.granularity->kind != GranularityKind::None)
        c.granularity->axis = 0;
      SCOPED_TRACE(c.format + " on " + shapeToString(t->shape));
      const auto plain = quantize(*t, c, options);
      const auto fast = quantize(*t, c, with);
      EXPECT_EQ(fast->histOriginal.counts, plain->histOriginal.counts);
      EXPECT_EQ(fast->histOriginal.lo, plain->histOriginal.lo);
      EXPECT_EQ(fast->histOriginal.hi, plain->histOriginal.hi);
      EXPECT_EQ(fast->histDequantized.counts, plain->histDequantized.counts);
      EXPECT_EQ(fast->histError.counts, plain->histError.counts);
      EXPECT_EQ(fast->channels.absMax, plain->channels.absMax);
      EXPECT_EQ(fast->channels.stdDev, plain->channels.stdDev);
      EXPECT_EQ(fast->channels.kurtosis, plain->channels.kurtosis);
      EXPECT_EQ(fast->channels.outlierChannels, plain->channels.outlierChannels);
      ASSERT_EQ(fast->topMagnitude.size(), plain->topMagnitude.size());
      for (size_t k = 0; k < plain->topMagnitude.size(); ++k) {
        const TopEntry &a = fast->topMagnitude[k], &b = plain->topMagnitude[k];
        EXPECT_EQ(a.index, b.index);
        EXPECT_EQ(a.row, b.row);
        EXPECT_EQ(a.col, b.col);
        EXPECT_EQ(a.original, b.original);
        EXPECT_EQ(a.dequantized, b.dequantized);
        EXPECT_EQ(a.error, b.error);
      }
      ASSERT_EQ(fast->topErrors.size(), plain->topErrors.size());
      for (size_t k = 0; k < plain->topErrors.size(); ++k)
        EXPECT_EQ(fast->topErrors[k].index, plain->topErrors[k].index);
      EXPECT_EQ(fast->metrics.mse, plain->metrics.mse);
      EXPECT_EQ(fast->errorMap.maxAbs, plain->errorMap.maxAbs);
    }
  }
  // A summary of another shape is ignored, not misapplied.
  AnalysisOptions wrong = options;
  wrong.summary = TensorSummary::fromResult(*quantize(flat, seed, options), options.topK);
  EXPECT_EQ(quantize(wide, seed, wrong)->channels.absMax, quantize(wide, seed, options)->channels.absMax);
}

TEST(QuantizeMetrics, OutlierChannels) {
  Tensor t = gaussian({20, 100}, 6);
  for (int c = 0; c < 100; ++c)
    t.values[size_t(7 * 100 + c)] *= 50;
  const auto r = quantize(t, QuantConfig{});
  EXPECT_EQ(r->channels.outlierChannels, (std::vector<int64_t>{7}));
}

TEST(QuantizeEdges, EmptyTensor) {
  for (const char* f : {"int8", "fp16", "nf4", "q4_0", "mxfp4"}) {
    QuantConfig c;
    c.format = f;
    const auto r = quantize(make({0, 5}, {}), c);
    EXPECT_TRUE(r->dequantized.empty());
    EXPECT_EQ(r->metrics.count, 0);
    EXPECT_EQ(r->metrics.mse, 0.0);
    EXPECT_FALSE(std::isnan(r->metrics.cosine));
    EXPECT_TRUE(fakeQuantize(make({0}, {}), c).empty());
  }
}

TEST(QuantizeEdges, OneElementAllEqualAndZeros) {
  for (const char* f :
       {"int8", "int4", "nf4", "fp8_e4m3", "binary", "ternary", "q8_0", "mxfp8_e4m3", "kmeans2"}) {
    for (const std::vector<float>& v :
         {std::vector<float>{2.5f}, std::vector<float>(50, -1.25f), std::vector<float>(50, 0.0f)}) {
      QuantConfig c;
      c.format = f;
      const auto r = quantize(make({int64_t(v.size())}, v), c);
      const Metrics& m = r->metrics;
      SCOPED_TRACE(std::string(f) + " n=" + std::to_string(v.size()) + " v=" + std::to_string(v[0]));
      for (double d :
           {m.mse, m.rmse, m.maxAbsError, m.cosine, m.clippedFraction, m.bitsPerElement, m.codeEntropyBits})
        EXPECT_FALSE(std::isnan(d));
      EXPECT_FALSE(std::isnan(m.sqnrDb));
      for (float q : r->dequantized)
        EXPECT_TRUE(std::isfinite(q));
      if (m.mse == 0) {
        EXPECT_TRUE(std::isinf(m.sqnrDb) && m.sqnrDb > 0);
      }
    }
  }
}

TEST(QuantizeEdges, NonFiniteInputsPassThroughAndAreExcluded) {
  std::vector<float> v = {1, -2, NAN, 3, INFINITY, 0.5f, -INFINITY, -1};
  for (const char* f : {"int8", "nf4", "fp16", "fp8_e4m3", "q4_0", "mxfp4", "ternary"}) {
    QuantConfig c;
    c.format = f;
    const auto r = quantize(make({8}, v), c);
    SCOPED_TRACE(f);
    EXPECT_TRUE(std::isnan(r->dequantized[2]));
    EXPECT_EQ(r->dequantized[4], INFINITY);
    EXPECT_EQ(r->dequantized[6], -INFINITY);
    EXPECT_EQ(r->metrics.nonFinite, 3);
    EXPECT_EQ(r->metrics.count, 5);
    EXPECT_TRUE(std::isfinite(r->metrics.mse));
    EXPECT_TRUE(std::isfinite(r->metrics.cosine));
    // The finite values quantize as if the others were absent.
    const auto clean = quantize(make({5}, {1, -2, 3, 0.5f, -1}), c);
    const size_t keep[] = {0, 1, 3, 5, 7};
    for (size_t k = 0; k < 5; ++k)
      EXPECT_EQ(r->dequantized[keep[k]], clean->dequantized[k]) << k;
    double counted = 0;
    for (double cc : r->codeCounts)
      counted += cc;
    if (!r->codeCounts.empty()) {
      EXPECT_EQ(counted, 5.0);
    }
  }
}

TEST(QuantizeEdges, BadInput) {
  Tensor t = make({2, 2}, {1, 2, 3});
  EXPECT_THROW(quantize(t, QuantConfig{}), Error);
  QuantConfig c;
  c.format = "int99";
  EXPECT_THROW(quantize(make({1}, {1}), c), Error);
  c.format = "codebook";
  EXPECT_THROW(quantize(make({1}, {1}), c), Error);
  c.format = "int8";
  c.clipping.method = ClipMethod::Fixed;
  c.clipping.fixedMin = 2;
  c.clipping.fixedMax = 1;
  EXPECT_THROW(quantize(make({1}, {1}), c), Error);
}

TEST(QuantizeEdges, CancelThrowsCancelled) {
  std::atomic<bool> cancel{true};
  EXPECT_THROW(quantize(gaussian({600, 600}, 1), QuantConfig{}, {}, &cancel), Cancelled);
  EXPECT_THROW(fakeQuantize(gaussian({600, 600}, 1), QuantConfig{}, &cancel), Cancelled);
}

} // namespace
} // namespace qs
