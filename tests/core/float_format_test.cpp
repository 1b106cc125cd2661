// FloatFormat against hard-coded spec tables (OCP OFP8 v1.0, OCP MX v1.0),
// exhaustive code round trips, RNE at every midpoint, overflow, -0 and NaN
// policies, and the fast kernels against the double-arithmetic reference.
#include "core/formats/float_format.h"

#include "core/error.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace qs {
namespace {

uint32_t bitsOf(float f) {
  return std::bit_cast<uint32_t>(f);
}

bool sameFloat(float a, float b) {
  return bitsOf(a) == bitsOf(b);
}

const FloatFormat* allNamed[] = {&fp32Format(),        &tf32Format(),        &fp16Format(),
                                 &bf16Format(),        &fp8E4M3Format(),     &fp8E5M2Format(),
                                 &fp8E4M3FnuzFormat(), &fp8E5M2FnuzFormat(), &fp6E3M2Format(),
                                 &fp6E2M3Format(),     &fp4E2M1Format()};

// ---- spec constants -----------------------------------------------------------

TEST(FloatFormat, RangesMatchTheSpecs) {
  EXPECT_EQ(fp16Format().maxValue(), 65504.0);
  EXPECT_EQ(fp16Format().minNormal(), std::ldexp(1.0, -14));
  EXPECT_EQ(fp16Format().minSubnormal(), std::ldexp(1.0, -24));
  EXPECT_EQ(bf16Format().maxValue(), 3.3895313892515355e38);
  EXPECT_EQ(tf32Format().maxValue(), std::ldexp(2.0 - std::ldexp(1.0, -10), 127));
  EXPECT_EQ(fp8E4M3Format().maxValue(), 448.0);
  EXPECT_EQ(fp8E4M3Format().minNormal(), std::ldexp(1.0, -6));
  EXPECT_EQ(fp8E4M3Format().minSubnormal(), std::ldexp(1.0, -9));
  EXPECT_EQ(fp8E5M2Format().maxValue(), 57344.0);
  EXPECT_EQ(fp8E5M2Format().minSubnormal(), std::ldexp(1.0, -16));
  EXPECT_EQ(fp8E4M3FnuzFormat().maxValue(), 240.0);
  EXPECT_EQ(fp8E4M3FnuzFormat().minSubnormal(), std::ldexp(1.0, -10));
  EXPECT_EQ(fp8E5M2FnuzFormat().maxValue(), 57344.0);
  EXPECT_EQ(fp8E5M2FnuzFormat().minSubnormal(), std::ldexp(1.0, -17));
  EXPECT_EQ(fp6E3M2Format().maxValue(), 28.0);
  EXPECT_EQ(fp6E3M2Format().minSubnormal(), 0.0625);
  EXPECT_EQ(fp6E2M3Format().maxValue(), 7.5);
  EXPECT_EQ(fp6E2M3Format().minSubnormal(), 0.125);
  EXPECT_EQ(fp4E2M1Format().maxValue(), 6.0);
  EXPECT_EQ(fp4E2M1Format().minSubnormal(), 0.5);
}

TEST(FloatFormat, Fp4E2M1AllSixteenCodes) {
  // OCP MX v1.0 table 5: S E E M.
  const float expected[16] = {0.0f,  0.5f,  1.0f,  1.5f,  2.0f,  3.0f,  4.0f,  6.0f,
                              -0.0f, -0.5f, -1.0f, -1.5f, -2.0f, -3.0f, -4.0f, -6.0f};
  for (uint32_t c = 0; c < 16; ++c) {
    EXPECT_TRUE(sameFloat(fp4E2M1Format().decode(c), expected[c])) << c;
    EXPECT_EQ(fp4E2M1Format().encode(expected[c]), c) << c;
  }
  const std::vector<float> pos = fp4E2M1Format().nonNegativeValues();
  EXPECT_EQ(pos, (std::vector<float>{0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f}));
}

// ---- fast kernels vs the double-arithmetic reference ----------------------------

// Random float32 bit patterns (all exponents, NaNs, infs, subnormals) plus
// values scattered around each format's range.
std::vector<float> probeValues(const FloatFormat& f, size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<float> v;
  v.reserve(n + 64);
  for (size_t i = 0; i < n / 2; ++i)
    v.push_back(std::bit_cast<float>(static_cast<uint32_t>(rng())));
  const double hi = f.maxValue() * 1.2, lo = f.minSubnormal() * 0.25;
  std::uniform_real_distribution<double> logu(std::log2(lo), std::log2(hi));
  for (size_t i = n / 2; i < n; ++i) {
    const float m = static_cast<float>(std::exp2(logu(rng)));
    v.push_back((rng() & 1) ? -m : m);
  }
  const float specials[] = {0.0f,
                            -0.0f,
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN(),
                            std::bit_cast<float>(0xFF800001u),
                            std::numeric_limits<float>::denorm_min(),
                            std::numeric_limits<float>::max(),
                            -std::numeric_limits<float>::max()};
  v.insert(v.end(), std::begin(specials), std::end(specials));
  return v;
}

TEST(FloatFormat, FastEncodeAndRoundArrayMatchReference) {
  std::vector<FloatFormat> formats;
  for (const FloatFormat* f : allNamed) {
    formats.push_back(*f);
    FloatFormat other = *f; // the opposite overflow policy too
    other.saturate = !other.saturate;
    formats.push_back(other);
  }
  for (int e = 1; e <= 7; ++e)
    for (int m : {0, 1, 2, 3, 5, 10, 23})
      formats.push_back(makeFloatFormat(e, m));
  for (const FloatFormat& f : formats) {
    const std::vector<float> in = probeValues(f, 200000, 7u + static_cast<uint32_t>(f.bits()));
    std::vector<float> fast(in.size()), ref(in.size());
    roundArray(f, in.data(), fast.data(), static_cast<int64_t>(in.size()));
    roundArrayRef(f, in.data(), ref.data(), static_cast<int64_t>(in.size()));
    int bad = 0;
    for (size_t i = 0; i < in.size() && bad < 5; ++i) {
      if (f.encode(in[i]) != f.encodeRef(in[i])) {
        ADD_FAILURE() << f.name << " e" << f.exponentBits << "m" << f.mantissaBits << " sat=" << f.saturate
                      << " encode(" << std::hex << bitsOf(in[i]) << ") = " << f.encode(in[i]) << " ref "
                      << f.encodeRef(in[i]);
        ++bad;
      }
      if (!sameFloat(fast[i], ref[i])) {
        ADD_FAILURE() << f.name << " e" << f.exponentBits << "m" << f.mantissaBits << " sat=" << f.saturate
                      << " roundArray(" << std::hex << bitsOf(in[i]) << ") = " << bitsOf(fast[i]) << " ref "
                      << bitsOf(ref[i]);
        ++bad;
      }
    }
  }
}

} // namespace
} // namespace qs
