// Every AVX2 kernel against its scalar twin (core/util/simd.h) on the same
// nasty inputs: normal and Laplace data with outliers, NaN, +-inf, subnormals,
// signed zeros, lengths around multiples of 8, and 0 or 1 element. The twins
// promise equal results bit for bit (codes, values, histograms, counts, and
// the float-lane sums, which the scalar twins accumulate in the same 8 lanes
// and reduce in the same order), so every comparison here is exact.
// simd::forceScalar picks the twin; the AVX2 half is skipped when the CPU (or
// a -DQS_SIMD=OFF build) has no AVX2.
#include "core/calib/clip_range.h"
#include "core/calib/percentile.h"
#include "core/formats/block_formats.h"
#include "core/formats/float_format.h"
#include "core/metrics/analysis.h"
#include "core/pipeline/quantize.h"
#include "core/util/simd.h"

#include <gtest/gtest.h>

#include <bit>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace qs {
namespace {

const int64_t kLengths[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 100, 1023, 1025, 4099};

// Normal and Laplace values with outliers, NaN, +-inf, subnormals and signed zeros.
std::vector<float> nasty(int64_t n, uint32_t seed, bool finiteOnly = false) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::exponential_distribution<float> expo(1.0f);
  std::uniform_int_distribution<int> pick(0, 99);
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) {
    const int p = pick(rng);
    const float sign = (pick(rng) & 1) ? 1.0f : -1.0f;
    if (p < 45)
      x = normal(rng);
    else if (p < 88)
      x = sign * expo(rng);
    else if (p < 91)
      x = sign * 1000.0f * expo(rng); // outliers
    else if (p < 94)
      x = sign * std::numeric_limits<float>::denorm_min() * float(1 + pick(rng)); // subnormals
    else if (p < 96)
      x = sign * 0.0f;
    else if (finiteOnly)
      x = sign * 3.0f;
    else if (p < 98)
      x = std::numeric_limits<float>::quiet_NaN();
    else
      x = sign * inf;
  }
  return v;
}

uint32_t bits(float v) {
  return std::bit_cast<uint32_t>(v);
}
uint64_t bits(double v) {
  return std::bit_cast<uint64_t>(v);
}

// Runs f with the scalar twins, then with AVX2; returns {scalar, avx2}.
// The second is empty when the AVX2 half cannot run (check with avx2Ran()).
template <class F> auto twins(F f) {
  simd::forceScalar(true);
  auto scalar = f();
  simd::forceScalar(false);
  auto avx2 = simd::useAvx2() ? f() : decltype(scalar){};
  return std::make_pair(scalar, avx2);
}

// Equal, or the AVX2 half did not run (empty); else the first difference.
template <class V>::testing::AssertionResult sameAsScalar(const V& scalar, const V& avx2) {
  if (avx2.empty() || avx2 == scalar)
    return ::testing::AssertionSuccess();
  if (avx2.size() != scalar.size())
    return ::testing::AssertionFailure() << "sizes " << scalar.size() << " (scalar) vs " << avx2.size();
  size_t i = 0;
  while (scalar[i] == avx2[i])
    ++i;
  return ::testing::AssertionFailure() << "at " << i << " of " << scalar.size() << ": scalar "
                                       << uint64_t(scalar[i]) << ", AVX2 " << uint64_t(avx2[i]);
}

bool avx2Ran() {
  simd::forceScalar(false);
  return simd::useAvx2();
}

#define SKIP_WITHOUT_AVX2()                                                                                  \
  if (!avx2Ran())                                                                                            \
  GTEST_SKIP() << "no AVX2 (CPU without AVX2/FMA/F16C, or a QS_SIMD=OFF build): only the scalar twins ran"

std::vector<uint32_t> floatBits(const std::vector<float>& v) {
  std::vector<uint32_t> b(v.size());
  std::memcpy(b.data(), v.data(), v.size() * sizeof(float));
  return b;
}

const FloatFormat* kRoundFormats[] = {&fp16Format(),    &bf16Format(),        &fp8E4M3Format(),
                                      &fp8E5M2Format(), &fp8E4M3FnuzFormat(), &fp6E3M2Format(),
                                      &fp4E2M1Format(), &tf32Format()};

TEST(SimdTwins, RoundArray) {
  for (const FloatFormat* f : kRoundFormats)
    for (int64_t n : kLengths) {
      SCOPED_TRACE(std::to_string(f->exponentBits) + "e" + std::to_string(f->mantissaBits) +
                   " n=" + std::to_string(n));
      const std::vector<float> x = nasty(n, uint32_t(n) + 1);
      const auto [s, a] = twins([&] {
        std::vector<float> out(x.size() + 1);
        roundArray(*f, x.data(), out.data() + 1, n); // out + 1: not 32-byte aligned
        return floatBits(out);
      });
      std::vector<float> ref(x.size() + 1);
      roundArrayRef(*f, x.data(), ref.data() + 1, n);
      ASSERT_EQ(s, floatBits(ref));
      ASSERT_TRUE(sameAsScalar(s, a));
    }
  SKIP_WITHOUT_AVX2();
}

// Large enough for the threads and the streaming stores of the AVX2 paths.
TEST(SimdTwins, RoundArrayLargeStreamed) {
  const int64_t n = (int64_t{1} << 22) + 13;
  const std::vector<float> x = nasty(n, 7);
  for (const FloatFormat* f : {&fp16Format(), &bf16Format(), &fp8E4M3Format()}) {
    const auto [s, a] = twins([&] {
      std::vector<float> out(x.size() + 3);
      roundArray(*f, x.data(), out.data() + 3, n);
      return floatBits(out);
    });
    ASSERT_TRUE(sameAsScalar(s, a));
  }
  SKIP_WITHOUT_AVX2();
}

TEST(SimdTwins, EncodeArray) {
  for (const FloatFormat* f : kRoundFormats)
    for (int64_t n : kLengths) {
      SCOPED_TRACE(n);
      const std::vector<float> x = nasty(n, uint32_t(n) + 2);
      const auto [s, a] = twins([&] {
        std::vector<uint32_t> codes(x.size());
        encodeArray(*f, x.data(), codes.data(), n);
        return codes;
      });
      for (size_t i = 0; i < x.size(); ++i)
        ASSERT_EQ(s[i], f->encodeRef(x[i])) << i;
      ASSERT_TRUE(sameAsScalar(s, a));
    }
  SKIP_WITHOUT_AVX2();
}

TEST(SimdTwins, MxBlocks) {
  const MxElement elements[] = {MxElement::Fp8E4M3, MxElement::Fp8E5M2, MxElement::Fp6E3M2,
                                MxElement::Fp6E2M3, MxElement::Fp4E2M1, MxElement::Int8};
  // Finite blocks at scales from the smallest shared exponent (-127) to the largest.
  for (float scale : {1.0f, 1e-39f, 1e-30f, 1e30f, 1e37f})
    for (MxElement e : elements)
      for (int n : {32, 31, 1}) {
        SCOPED_TRACE(std::to_string(int(e)) + " n=" + std::to_string(n) + " scale=" + std::to_string(scale));
        std::vector<float> x = nasty(64 * 32, uint32_t(n) * 31 + uint32_t(e), true);
        for (float& v : x)
          v *= scale;
        // With NaN or inf in a block, the whole block is NaN.
        x[5 * 32 + 3] = std::numeric_limits<float>::quiet_NaN();
        x[7 * 32 + 31] = -std::numeric_limits<float>::infinity();
        const auto [s, a] = twins([&] {
          std::vector<uint32_t> out;
          for (int b = 0; b < 64; ++b) {
            uint8_t codes[kMxBlock];
            float dq[kMxBlock];
            const MxBlockOut o = mxQuantizeBlock(e, x.data() + b * 32, n, codes, dq);
            out.push_back(o.scaleE8M0);
            for (int i = 0; i < n; ++i) {
              out.push_back(codes[i]);
              out.push_back(bits(dq[i]));
            }
          }
          return out;
        });
        ASSERT_TRUE(sameAsScalar(s, a));
      }
  SKIP_WITHOUT_AVX2();
}

TEST(SimdTwins, GgufRows) {
  const GgufType types[] = {GgufType::Q4_0, GgufType::Q5_0, GgufType::Q8_0, GgufType::Q4_1,
                            GgufType::Q5_1, GgufType::Q4_K, GgufType::Q6_K};
  std::vector<float> x = nasty(4096, 11, true);
  // Ties for the largest |x| with both signs, and an all-zero block.
  x[40] = -7.5f;
  x[50] = 7.5f;
  for (int i = 256; i < 288; ++i)
    x[size_t(i)] = 0.0f;
  for (GgufType t : types) {
    SCOPED_TRACE(ggufTypeInfo(t).name);
    const int64_t k = int64_t(x.size());
    const auto [s, a] = twins([&] {
      std::vector<uint8_t> blocks(size_t(k / ggufTypeInfo(t).blockElements * ggufTypeInfo(t).blockBytes));
      ggufQuantizeRow(t, x.data(), blocks.data(), k);
      return blocks;
    });
    ASSERT_TRUE(sameAsScalar(s, a));
  }
  SKIP_WITHOUT_AVX2();
}

TEST(SimdTwins, DataStatsAndCountOutside) {
  for (int64_t n : kLengths) {
    SCOPED_TRACE(n);
    std::vector<float> x = nasty(n, uint32_t(n) + 3);
    const auto [s, a] = twins([&] {
      std::vector<uint64_t> out;
      const DataStats d = dataStats(x.data(), n);
      out.push_back(bits(d.min));
      out.push_back(bits(d.max));
      out.push_back(uint64_t(d.finite));
      for (ClipRange r : {ClipRange{-1.0f, 1.0f}, ClipRange{0.0f, 0.0f}, ClipRange{-FLT_MAX, FLT_MAX},
                          ClipRange{0.5f, -0.5f}})
        out.push_back(uint64_t(countOutside(x.data(), n, r)));
      return out;
    });
    ASSERT_TRUE(sameAsScalar(s, a));
  }
  // Signed zeros only: which zero is the min/max depends on the lane rules.
  for (uint32_t seed = 0; seed < 20; ++seed) {
    std::mt19937 rng(seed);
    std::vector<float> zeros(37);
    for (float& z : zeros)
      z = (rng() & 1) ? 0.0f : -0.0f;
    const auto [s, a] = twins([&] {
      const DataStats d = dataStats(zeros.data(), int64_t(zeros.size()));
      return std::vector<uint32_t>{bits(d.min), bits(d.max)};
    });
    ASSERT_TRUE(sameAsScalar(s, a)) << "seed " << seed;
  }
  SKIP_WITHOUT_AVX2();
}

TEST(SimdTwins, Percentiles) {
  // Beyond the small-input path (copy + nth_element), and beyond the threshold for threads.
  for (int64_t n : {int64_t{40001}, int64_t{300007}}) {
    SCOPED_TRACE(n);
    const std::vector<float> x = nasty(n, uint32_t(n));
    const auto [s, a] = twins([&] {
      std::vector<uint64_t> out;
      for (double p : {0.0, 0.1, 50.0, 99.0, 99.99, 100.0})
        for (bool absolute : {false, true})
          out.push_back(bits(percentile(x.data(), n, p, absolute)));
      double lo = 0, hi = 0;
      percentilePair(x.data(), n, 0.01, 99.99, lo, hi);
      out.push_back(bits(lo));
      out.push_back(bits(hi));
      return out;
    });
    ASSERT_TRUE(sameAsScalar(s, a));
  }
  SKIP_WITHOUT_AVX2();
}

// The whole analysis of (x, q) through one Accumulator, as quantize() drives it.
QuantResult analyse(const std::vector<float>& x, const std::vector<float>& q, Shape shape, int mapW,
                    int mapH) {
  const DataStats d = dataStats(x.data(), int64_t(x.size()));
  const AnalysisPlan plan = makeAnalysisPlan(shape, 64, mapW, mapH, 10, d.min, d.max);
  QuantResult r;
  const size_t cells = size_t(plan.mapW) * size_t(plan.mapH);
  r.errorMap.maxAbs.assign(cells, 0);
  r.errorMap.meanAbs.assign(cells, 0);
  r.errorMap.meanSigned.assign(cells, 0);
  r.channels.absMax.assign(size_t(plan.rows), 0);
  r.channels.mean.assign(size_t(plan.rows), 0);
  r.channels.stdDev.assign(size_t(plan.rows), 0);
  r.channels.kurtosis.assign(size_t(plan.rows), 0);
  Accumulator acc(plan);
  for (int64_t t = 0; t < plan.numTiles(); ++t)
    acc.addTile(t, x.data(), q.data(), r);
  acc.finish(r);
  return r;
}

// Everything an analysis produces, as bits.
std::vector<uint64_t> analysisBits(const QuantResult& r) {
  std::vector<uint64_t> out;
  const Metrics& m = r.metrics;
  for (double v : {m.mse, m.rmse, m.maxAbsError, m.sqnrDb, m.cosine})
    out.push_back(bits(v));
  out.push_back(uint64_t(m.count));
  out.push_back(uint64_t(m.nonFinite));
  for (const Histogram* h : {&r.histOriginal, &r.histDequantized, &r.histError}) {
    out.push_back(bits(h->lo));
    out.push_back(bits(h->hi));
    for (double c : h->counts)
      out.push_back(bits(c));
  }
  for (const std::vector<float>* v :
       {&r.errorMap.maxAbs, &r.errorMap.meanAbs, &r.errorMap.meanSigned, &r.channels.absMax, &r.channels.mean,
        &r.channels.stdDev, &r.channels.kurtosis, &r.dequantized})
    for (float f : *v)
      out.push_back(bits(f));
  for (const std::vector<TopEntry>* v : {&r.topErrors, &r.topMagnitude})
    for (const TopEntry& e : *v) {
      out.push_back(uint64_t(e.index));
      out.push_back(bits(e.error));
    }
  return out;
}

TEST(SimdTwins, Analysis) {
  struct Case {
    Shape shape;
    int mapW, mapH;
  };
  // Fused tiles (rows >= 8), column blocks (few long rows), cells of fewer and
  // more than 8 columns, more than 64 rows per tile (the lanes are flushed),
  // a single element.
  const Case cases[] = {{{64, 96}, 12, 8}, {{64, 96}, 96, 64}, {{3, 70001}, 5, 3}, {{5, 13}, 4, 2},
                        {{200, 40}, 3, 1}, {{16, 1025}, 7, 9}, {{1, 1}, 1, 1},     {{9, 7}, 7, 9}};
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(c.shape[0]) + "x" + std::to_string(c.shape[1]));
    const int64_t n = shapeNumel(c.shape);
    const std::vector<float> x = nasty(n, uint32_t(n) + 5);
    // q: x plus a small error (and x itself now and then); a second q with
    // NaN and inf where x is finite (a GGUF block whose scale overflowed),
    // which makes the error sums infinite or NaN.
    std::vector<float> q = x;
    std::mt19937 rng(3);
    std::normal_distribution<float> err(0.0f, 0.01f);
    for (size_t i = 0; i < q.size(); ++i)
      if (i % 5)
        q[i] += err(rng);
    std::vector<float> qBad = q;
    for (size_t i = 0; i < q.size(); ++i) {
      if (i % 97 == 13)
        qBad[i] = std::numeric_limits<float>::quiet_NaN();
      else if (i % 89 == 5)
        qBad[i] = std::numeric_limits<float>::infinity();
    }
    for (const std::vector<float>* qq : {&q, &qBad}) {
      const auto [s, a] = twins([&] { return analysisBits(analyse(x, *qq, c.shape, c.mapW, c.mapH)); });
      ASSERT_TRUE(sameAsScalar(s, a));
    }
  }
  SKIP_WITHOUT_AVX2();
}

// The scalar twins' error map is the pooled |x - q| (flushCells reduces the lanes).
TEST(SimdTwins, ScalarErrorMapIsFilled) {
  simd::forceScalar(true);
  const Shape shape{64, 96};
  std::vector<float> x(64 * 96), q(64 * 96);
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = float(i % 96) * 0.25f;
    q[i] = x[i] - ((i / 96) % 2 ? 0.5f : -0.25f); // rows alternate: error +0.5, -0.25
  }
  const QuantResult r = analyse(x, q, shape, 8, 4); // cells of 12 columns x 16 rows
  simd::forceScalar(false);
  for (size_t c = 0; c < r.errorMap.maxAbs.size(); ++c) {
    EXPECT_EQ(r.errorMap.maxAbs[c], 0.5f) << c;
    EXPECT_EQ(r.errorMap.meanAbs[c], 0.375f) << c;
    EXPECT_EQ(r.errorMap.meanSigned[c], 0.125f) << c;
  }
}

// quantize() end to end, scalar twins against AVX2, on a 64 x 96 tensor with
// a few NaNs and infs: dequantized values, codes, scales, every metric,
// histogram, error-map cell and channel statistic equal to the bit.
TEST(SimdTwins, QuantizeEndToEnd) {
  Tensor t;
  t.name = "w";
  t.shape = {64, 96};
  t.values = nasty(64 * 96, 21, true);
  t.values[17] = std::numeric_limits<float>::quiet_NaN();
  t.values[1000] = std::numeric_limits<float>::quiet_NaN();
  t.values[4242] = std::numeric_limits<float>::infinity();
  t.values[6000] = -std::numeric_limits<float>::infinity();
  struct Fmt {
    const char* name;
    std::optional<Granularity> g;
    bool symmetric = true;
  };
  const Fmt formats[] = {{"int8", Granularity{GranularityKind::Channel, 0, 128}},
                         {"int4", Granularity{GranularityKind::Group, 0, 32}, false},
                         {"fp8_e4m3", std::nullopt},
                         {"fp16", std::nullopt},
                         {"nf4", std::nullopt},
                         {"mxfp4", std::nullopt},
                         {"q4_0", std::nullopt},
                         {"q4_k", std::nullopt},
                         {"q6_k", std::nullopt},
                         {"kmeans4", std::nullopt}};
  for (const Fmt& f : formats) {
    SCOPED_TRACE(f.name);
    QuantConfig c;
    c.format = f.name;
    c.granularity = f.g;
    c.symmetric = f.symmetric;
    AnalysisOptions o;
    o.mapWidth = 8; // cells of 12 columns: the lanes of the error map run
    o.mapHeight = 16;
    const auto [s, a] = twins([&] {
      const auto r = quantize(t, c, o);
      std::vector<uint64_t> out = analysisBits(*r);
      for (int32_t code : r->codes)
        out.push_back(uint32_t(code));
      for (float v : r->scales)
        out.push_back(bits(v));
      for (double v : {r->metrics.clippedFraction, r->metrics.bitsPerElement, r->metrics.codeEntropyBits})
        out.push_back(bits(v));
      for (double v : r->codeCounts)
        out.push_back(bits(v));
      return out;
    });
    ASSERT_TRUE(sameAsScalar(s, a));
  }
  SKIP_WITHOUT_AVX2();
}

} // namespace
} // namespace qs
