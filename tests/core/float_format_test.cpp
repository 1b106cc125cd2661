// FloatFormat against hard-coded spec tables (OCP OFP8 v1.0, OCP MX v1.0),
// exhaustive code round trips, RNE at every midpoint, overflow, -0 and NaN
// policies, and the fast kernels against the double-arithmetic reference.
#include "core/formats/float_format.h"

#include "core/formats/float_codec.h"

#include "core/error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>
#include <string>
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

// ---- every code against the spec ---------------------------------------------------

enum class Rule { Ieee, NanOnes, NanNegZero, None };
struct Spec {
  const FloatFormat* format;
  int e, m, bias;
  Rule rule;
};
const Spec kSpecs[] = {
    {&fp16Format(), 5, 10, 15, Rule::Ieee},
    {&bf16Format(), 8, 7, 127, Rule::Ieee},
    {&fp8E4M3Format(), 4, 3, 7, Rule::NanOnes},
    {&fp8E5M2Format(), 5, 2, 15, Rule::Ieee},
    {&fp8E4M3FnuzFormat(), 4, 3, 8, Rule::NanNegZero},
    {&fp8E5M2FnuzFormat(), 5, 2, 16, Rule::NanNegZero},
    {&fp6E3M2Format(), 3, 2, 3, Rule::None},
    {&fp6E2M3Format(), 2, 3, 1, Rule::None},
    {&fp4E2M1Format(), 2, 1, 1, Rule::None},
};

// The spec's decoding rule written out plainly (OCP OFP8 v1.0 tables 1-2, MX v1.0 section 5.3).
double specDecode(const Spec& s, uint32_t code, bool& isNan) {
  const uint32_t sign = code >> (s.e + s.m);
  const uint32_t E = (code >> s.m) & ((1u << s.e) - 1);
  const uint32_t M = code & ((1u << s.m) - 1);
  const uint32_t eOnes = (1u << s.e) - 1, mOnes = (1u << s.m) - 1;
  isNan = false;
  if (s.rule == Rule::Ieee && E == eOnes) {
    isNan = M != 0;
    return sign ? -INFINITY : INFINITY;
  }
  if (s.rule == Rule::NanOnes && E == eOnes && M == mOnes)
    isNan = true;
  if (s.rule == Rule::NanNegZero && code == (1u << (s.e + s.m)))
    isNan = true;
  const double mag = E == 0
                         ? M * std::ldexp(1.0, 1 - s.bias - s.m)
                         : (1.0 + M / std::ldexp(1.0, s.m)) * std::ldexp(1.0, static_cast<int>(E) - s.bias);
  return sign ? -mag : mag;
}

TEST(FloatFormat, EveryCodeDecodesPerSpec) {
  for (const Spec& s : kSpecs) {
    for (uint32_t c = 0; c < (1u << s.format->bits()); ++c) {
      bool nan = false;
      const double want = specDecode(s, c, nan);
      const float got = s.format->decode(c);
      if (nan) {
        EXPECT_TRUE(std::isnan(got)) << s.format->name << " code " << c;
      } else {
        EXPECT_EQ(static_cast<double>(got), want) << s.format->name << " code " << c;
        EXPECT_EQ(std::signbit(got), std::signbit(want)) << s.format->name << " code " << c;
      }
    }
  }
}

TEST(FloatFormat, SpecAnchors) {
  const FloatFormat& e4m3 = fp8E4M3Format();
  EXPECT_EQ(e4m3.decode(0x7E), 448.0f);
  EXPECT_EQ(e4m3.decode(0xFE), -448.0f);
  EXPECT_TRUE(std::isnan(e4m3.decode(0x7F)));
  EXPECT_TRUE(std::isnan(e4m3.decode(0xFF)));
  EXPECT_EQ(e4m3.decode(0x78), 256.0f); // the all-ones exponent is finite in E4M3FN
  EXPECT_EQ(e4m3.decode(0x08), 0x1p-6f);
  EXPECT_EQ(e4m3.decode(0x01), 0x1p-9f);
  const FloatFormat& e5m2 = fp8E5M2Format();
  EXPECT_EQ(e5m2.decode(0x7B), 57344.0f);
  EXPECT_TRUE(std::isinf(e5m2.decode(0x7C)));
  EXPECT_TRUE(std::isnan(e5m2.decode(0x7D)));
  EXPECT_EQ(e5m2.decode(0x01), 0x1p-16f);
  EXPECT_EQ(fp8E4M3FnuzFormat().decode(0x7F), 240.0f);
  EXPECT_TRUE(std::isnan(fp8E4M3FnuzFormat().decode(0x80)));
  EXPECT_EQ(fp8E4M3FnuzFormat().decode(0x01), 0x1p-10f);
  EXPECT_EQ(fp8E5M2FnuzFormat().decode(0x7F), 57344.0f);
  EXPECT_TRUE(std::isnan(fp8E5M2FnuzFormat().decode(0x80)));
  EXPECT_EQ(fp6E3M2Format().decode(0x1F), 28.0f);
  EXPECT_EQ(fp6E3M2Format().decode(0x01), 0.0625f);
  EXPECT_EQ(fp6E2M3Format().decode(0x1F), 7.5f);
  EXPECT_EQ(fp6E2M3Format().decode(0x01), 0.125f);
  EXPECT_EQ(fp6E2M3Format().decode(0x3F), -7.5f);
  EXPECT_EQ(fp8E4M3Format().nonNegativeValues().size(), 127u); // 0 .. 448, NaN excluded
  EXPECT_EQ(fp8E5M2Format().nonNegativeValues().size(), 124u); // inf and NaNs excluded
  EXPECT_EQ(fp6E2M3Format().nonNegativeValues().size(), 32u);
}

TEST(FloatFormat, EncodeInvertsDecodeForEveryCode) {
  for (const Spec& s : kSpecs) {
    for (uint32_t c = 0; c < (1u << s.format->bits()); ++c) {
      const float v = s.format->decode(c);
      if (std::isnan(v))
        continue;
      EXPECT_EQ(s.format->encode(v), c) << s.format->name << " code " << c;
      EXPECT_EQ(s.format->encodeRef(v), c) << s.format->name << " code " << c;
    }
  }
}

// Between two neighbours a < b the midpoint goes to the even code, and one
// float32 ulp either side goes to the nearer one.
TEST(FloatFormat, EveryMidpointRoundsToEven) {
  for (const Spec& s : kSpecs) {
    const FloatFormat& f = *s.format;
    const std::vector<float> v = f.nonNegativeValues();
    ASSERT_GT(v.size(), 2u);
    for (size_t i = 0; i + 1 < v.size(); ++i) {
      const float a = v[i], b = v[i + 1];
      const float mid = static_cast<float>((static_cast<double>(a) + b) / 2);
      ASSERT_EQ(static_cast<double>(mid), (static_cast<double>(a) + b) / 2) << "midpoint not exact";
      const uint32_t ca = f.encode(a), cb = f.encode(b);
      const uint32_t even = (ca & 1u) == 0 ? ca : cb;
      EXPECT_EQ(f.encode(mid), even) << f.name << " between " << a << " and " << b;
      EXPECT_EQ(f.encodeRef(mid), even) << f.name << " between " << a << " and " << b;
      EXPECT_EQ(f.encode(std::nextafter(mid, 0.0f)), ca) << f.name << " below " << mid;
      EXPECT_EQ(f.encode(std::nextafter(mid, INFINITY)), cb) << f.name << " above " << mid;
      // Negative side mirrors it.
      EXPECT_EQ(f.round(-mid), -f.round(mid)) << f.name << " " << -mid;
    }
  }
}

TEST(FloatFormat, OverflowSaturatesOrBecomesInfNan) {
  // Saturating (the defaults for 8 bits and below).
  EXPECT_EQ(fp8E4M3Format().round(1e30f), 448.0f);
  EXPECT_EQ(fp8E4M3Format().round(-INFINITY), -448.0f);
  EXPECT_EQ(fp8E4M3Format().round(464.0f), 448.0f);
  EXPECT_EQ(fp8E5M2Format().round(1e6f), 57344.0f);
  EXPECT_EQ(fp8E5M2Format().round(INFINITY), INFINITY); // inf is not an overflow
  EXPECT_EQ(fp6E3M2Format().round(1000.0f), 28.0f);
  EXPECT_EQ(fp6E2M3Format().round(-8.0f), -7.5f);
  EXPECT_EQ(fp4E2M1Format().round(7.0f), 6.0f);
  EXPECT_EQ(fp4E2M1Format().round(INFINITY), 6.0f);
  EXPECT_EQ(fp8E4M3FnuzFormat().round(1e9f), 240.0f);
  // Non-saturating: the spec's overflow rule (inf for IEEE-like, NaN otherwise).
  FloatFormat e4m3 = fp8E4M3Format();
  e4m3.saturate = false;
  EXPECT_EQ(e4m3.encode(464.0f), 0x7Eu);    // tie: 448 has the even mantissa
  EXPECT_EQ(e4m3.encode(464.0001f), 0x7Fu); // NaN
  EXPECT_EQ(e4m3.encode(-500.0f), 0xFFu);
  EXPECT_EQ(e4m3.encode(INFINITY), 0x7Fu);
  FloatFormat e5m2 = fp8E5M2Format();
  e5m2.saturate = false;
  EXPECT_EQ(e5m2.encode(61440.0f), 0x7Cu); // tie between 57344 (odd) and 65536 -> inf
  EXPECT_EQ(e5m2.encode(61439.996f), 0x7Bu);
  FloatFormat fnuz = fp8E4M3FnuzFormat();
  fnuz.saturate = false;
  EXPECT_EQ(fnuz.encode(248.0f), 0x80u); // NaN
  EXPECT_EQ(fnuz.encode(-1e9f), 0x80u);
  FloatFormat fp4 = fp4E2M1Format();
  fp4.saturate = false; // no NaN or inf to go to: still saturates
  EXPECT_EQ(fp4.round(100.0f), 6.0f);
  EXPECT_EQ(fp16Format().round(65520.0f), INFINITY);
  EXPECT_EQ(fp16Format().round(65519.0f), 65504.0f);
  FloatFormat satHalf = fp16Format();
  satHalf.saturate = true;
  EXPECT_EQ(satHalf.round(1e9f), 65504.0f);
  EXPECT_EQ(satHalf.round(-INFINITY), -INFINITY);
}

TEST(FloatFormat, SignedZeroAndNan) {
  EXPECT_EQ(fp8E4M3Format().encode(-0.0f), 0x80u);
  EXPECT_EQ(fp8E4M3Format().encode(-1e-9f), 0x80u); // underflow keeps the sign
  EXPECT_TRUE(std::signbit(fp8E4M3Format().round(-1e-9f)));
  EXPECT_EQ(fp8E4M3FnuzFormat().encode(-0.0f), 0x00u); // no -0 in FNUZ
  EXPECT_EQ(fp8E4M3FnuzFormat().encode(-1e-9f), 0x00u);
  EXPECT_FALSE(std::signbit(fp8E5M2FnuzFormat().round(-1e-9f)));
  EXPECT_EQ(fp4E2M1Format().encode(-0.0f), 0x8u);
  EXPECT_TRUE(std::signbit(fp4E2M1Format().decode(0x8)));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(fp8E4M3Format().encode(nan), 0x7Fu);
  EXPECT_EQ(fp8E4M3Format().encode(-nan), 0xFFu);
  EXPECT_EQ(fp8E4M3FnuzFormat().encode(-nan), 0x80u);
  EXPECT_EQ(fp8E5M2Format().encode(nan), 0x7Eu); // quiet NaN
  EXPECT_EQ(fp6E3M2Format().encode(nan), 0x00u); // documented: no NaN code -> +0
  EXPECT_EQ(fp4E2M1Format().round(nan), 0.0f);
  EXPECT_TRUE(std::isnan(fp16Format().round(nan)));
  EXPECT_TRUE(std::isnan(bf16Format().round(-nan)));
  EXPECT_TRUE(std::isnan(fp32Format().round(nan)));
  EXPECT_EQ(fp32Format().encode(1.5f), 0x3FC00000u);
}

// ---- properties -------------------------------------------------------------------

TEST(FloatFormat, IdempotentMonotonicAndWithinHalfUlp) {
  std::mt19937 rng(5);
  for (const FloatFormat* fp : allNamed) {
    const FloatFormat& f = *fp;
    const double maxV = f.maxValue();
    std::uniform_real_distribution<double> logu(std::log2(f.minSubnormal()) - 2,
                                                std::min(std::log2(maxV), 126.0));
    std::vector<float> x(20000);
    for (float& v : x)
      v = static_cast<float>(std::exp2(logu(rng))) * ((rng() & 1) ? -1.0f : 1.0f);
    std::sort(x.begin(), x.end());
    std::vector<float> q(x.size());
    roundArray(f, x.data(), q.data(), static_cast<int64_t>(x.size()));
    for (size_t i = 0; i < x.size(); ++i) {
      ASSERT_EQ(bitsOf(f.round(q[i])), bitsOf(q[i])) << f.name << " not idempotent at " << x[i];
      if (i > 0) {
        ASSERT_LE(q[i - 1], q[i]) << f.name << " not monotonic at " << x[i];
      }
      const double a = std::fabs(static_cast<double>(x[i]));
      if (a <= maxV) {
        int ex = 0;
        std::frexp(a, &ex);
        const int eq = std::max(ex - 1, 1 - f.bias);
        const double halfUlp = std::ldexp(1.0, eq - f.mantissaBits - 1);
        ASSERT_LE(std::fabs(a - std::fabs(static_cast<double>(q[i]))), halfUlp) << f.name << " at " << x[i];
      }
    }
  }
}

TEST(FloatFormat, StochasticRoundingIsUnbiased) {
  const FloatFormat& f = fp8E4M3Format();
  const float xs[] = {1.1f, -3.3f, 0.0137f, 300.0f, 0x1p-8f * 1.3f};
  for (float x : xs) {
    const int n = 4096;
    double sum = 0;
    float seenLo = INFINITY, seenHi = -INFINITY;
    for (int i = 0; i < n; ++i) {
      const float u = (static_cast<float>(i) + 0.5f) / n;
      const float r = f.roundStochastic(x, u);
      sum += r;
      seenLo = std::min(seenLo, r);
      seenHi = std::max(seenHi, r);
      ASSERT_EQ(f.round(r), r);
    }
    EXPECT_NEAR(sum / n, x, (seenHi - seenLo) / n * 1.01) << x; // mean equals x up to the u grid
    EXPECT_LE(seenLo, x);
    EXPECT_GE(seenHi, x);
  }
  EXPECT_EQ(f.roundStochastic(2.0f, 0.999f), 2.0f); // grid points stay put
  // Fast (bit-level) == reference (double arithmetic) for every format.
  std::mt19937 rng(8);
  std::uniform_real_distribution<float> uu(0.0f, 1.0f);
  for (const FloatFormat* fp : allNamed) {
    const std::vector<float> in = probeValues(*fp, 20000, 3);
    for (float x : in) {
      const float u = uu(rng);
      ASSERT_EQ(bitsOf(fp->roundStochastic(x, u)), bitsOf(fp->roundStochasticRef(x, u)))
          << fp->name << " x=" << x << " u=" << u;
    }
  }
  EXPECT_EQ(f.roundStochastic(1e6f, 0.5f), 448.0f);
}

TEST(FloatFormat, UserFormatsAndErrors) {
  const FloatFormat e3m4 = makeFloatFormat(3, 4);
  EXPECT_EQ(e3m4.bias, 3);
  EXPECT_EQ(e3m4.maxValue(), 31.0);
  EXPECT_EQ(e3m4.minSubnormal(), 0.25 / 16);
  EXPECT_EQ(e3m4.round(30.9f), 31.0f);
  EXPECT_EQ(makeFloatFormat(2, 1).maxValue(), 6.0); // = FP4 E2M1
  // No mantissa bits: every significand is 1, so a tie goes to the even code
  // (the even exponent). e3m0 (bias 3): 0.25 = code 1, 2 = code 4, 4 = code 5, 8 = code 6.
  const FloatFormat e3m0 = makeFloatFormat(3, 0);
  EXPECT_EQ(e3m0.round(3.0f), 2.0f);
  EXPECT_EQ(e3m0.round(6.0f), 8.0f);
  EXPECT_EQ(e3m0.encodeRef(6.0f), 6u);
  EXPECT_EQ(e3m0.encode(6.0f), 6u);
  EXPECT_EQ(e3m0.round(0.1875f), 0.25f); // above the 0.125 midpoint
  EXPECT_EQ(e3m0.round(0.125f), 0.0f);   // tie between 0 (code 0) and 0.25 (code 1)
  EXPECT_THROW(makeFloatFormat(0, 3), Error);
  EXPECT_THROW(makeFloatFormat(8, 3), Error);
  EXPECT_THROW(makeFloatFormat(4, 24), Error);
}

TEST(FloatFormat, RoundArrayInPlaceAndParallel) {
  std::vector<float> x(3'000'001);
  std::mt19937 rng(11);
  std::normal_distribution<float> nd(0.0f, 100.0f);
  for (float& v : x)
    v = nd(rng);
  for (const FloatFormat* f : {&fp8E4M3Format(), &bf16Format(), &fp16Format(), &fp4E2M1Format()}) {
    std::vector<float> ref(x.size()), inplace = x;
    roundArrayRef(*f, x.data(), ref.data(), static_cast<int64_t>(x.size()));
    roundArray(*f, inplace.data(), inplace.data(), static_cast<int64_t>(x.size()));
    ASSERT_EQ(std::memcmp(ref.data(), inplace.data(), x.size() * sizeof(float)), 0) << f->name;
  }
}

// Large out-of-place casts take the streaming-store path; an output that is
// not 32-byte aligned exercises its scalar head.
TEST(FloatFormat, RoundArrayStreamingPathWithMisalignedOutput) {
  const size_t n = (size_t{1} << 22) + 1003;
  std::vector<float> x(n);
  std::mt19937 rng(12);
  for (float& v : x)
    v = std::bit_cast<float>(static_cast<uint32_t>(rng()));
  std::vector<float> buf(n + 8), ref(n);
  for (const FloatFormat* f : {&fp16Format(), &bf16Format(), &fp8E5M2Format(), &fp6E2M3Format()}) {
    float* out = buf.data() + 1;
    roundArray(*f, x.data(), out, static_cast<int64_t>(n));
    roundArrayRef(*f, x.data(), ref.data(), static_cast<int64_t>(n));
    ASSERT_EQ(std::memcmp(out, ref.data(), n * sizeof(float)), 0) << f->name;
  }
}

// Brute-force nearest-value search in NumPy (tests/data/gen_float_refs.py):
// PyTorch 1.13 has no float8 dtypes, so this is the independent reference.
TEST(FloatFormat, NarrowFormatsMatchNumpyBruteForce) {
  const std::string out = std::string(QS_TEST_OUT_DIR) + "/float_refs";
  const std::string cmd =
      std::string(QS_PYTHON) + " " + QS_SOURCE_DIR + "/tests/data/gen_float_refs.py narrow " + out;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto read = [](const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::vector<float> v;
    float x;
    while (f.read(reinterpret_cast<char*>(&x), sizeof x))
      v.push_back(x);
    return v;
  };
  const std::vector<float> in = read(out + "/input_narrow.f32");
  ASSERT_GT(in.size(), 10000u);
  for (const FloatFormat* f : {&fp8E4M3Format(), &fp8E5M2Format(), &fp8E4M3FnuzFormat(), &fp8E5M2FnuzFormat(),
                               &fp6E3M2Format(), &fp6E2M3Format(), &fp4E2M1Format()}) {
    const std::vector<float> want = read(out + "/" + f->name + ".f32");
    ASSERT_EQ(want.size(), in.size()) << f->name;
    std::vector<float> got(in.size());
    roundArray(*f, in.data(), got.data(), static_cast<int64_t>(in.size()));
    int bad = 0;
    for (size_t i = 0; i < in.size() && bad < 5; ++i) {
      if (bitsOf(got[i]) != bitsOf(want[i])) {
        ADD_FAILURE() << f->name << " x=" << in[i] << " ours=" << got[i] << " numpy=" << want[i];
        ++bad;
      }
    }
  }
}

// ---- fast kernels vs the double-arithmetic reference ----------------------------

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
    std::vector<uint32_t> codes(in.size());
    encodeArray(f, in.data(), codes.data(), static_cast<int64_t>(in.size()));
    int bad = 0;
    for (size_t i = 0; i < in.size() && bad < 5; ++i) {
      if (f.encode(in[i]) != f.encodeRef(in[i])) {
        ADD_FAILURE() << f.name << " e" << f.exponentBits << "m" << f.mantissaBits << " sat=" << f.saturate
                      << " encode(" << std::hex << bitsOf(in[i]) << ") = " << f.encode(in[i]) << " ref "
                      << f.encodeRef(in[i]);
        ++bad;
      }
      const FloatCodec codec(f);
      if (codec.encode(in[i]) != codes[i] || !sameFloat(codec.round(in[i]), ref[i]) ||
          !sameFloat(codec.decode(codes[i]), f.decode(codes[i]))) {
        ADD_FAILURE() << f.name << " FloatCodec differs at " << std::hex << bitsOf(in[i]);
        ++bad;
      }
      if (codes[i] != f.encodeRef(in[i]) || !sameFloat(f.round(in[i]), ref[i])) {
        ADD_FAILURE() << f.name << " e" << f.exponentBits << "m" << f.mantissaBits << " sat=" << f.saturate
                      << " encodeArray/round(" << std::hex << bitsOf(in[i]) << ") = " << codes[i] << " / "
                      << bitsOf(f.round(in[i])) << " ref " << f.encodeRef(in[i]) << " / " << bitsOf(ref[i]);
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
