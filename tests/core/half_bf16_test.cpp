// FP16 and BF16 against independent oracles: the CPU's F16C instructions for
// binary16 (every code, and every float32 bit pattern), plain bit arithmetic
// for bfloat16, and PyTorch's .half()/.bfloat16() on a random vector.
#include "core/formats/float_format.h"

#include <gtest/gtest.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <atomic>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

namespace qs {
namespace {

#if defined(__x86_64__)
__attribute__((target("f16c"))) uint16_t f16cEncode(float x) {
  return static_cast<uint16_t>(_cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT));
}
__attribute__((target("f16c"))) float f16cDecode(uint16_t h) {
  return _cvtsh_ss(h);
}
__attribute__((target("f16c,avx"))) void f16cEncode8(const float* in, uint16_t* out) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out),
                   _mm256_cvtps_ph(_mm256_loadu_ps(in), _MM_FROUND_TO_NEAREST_INT));
}

bool cpuHasF16c() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2"); // every AVX2 CPU has F16C
}
#else
// Elsewhere (ARM64) the hardware conversions behind _Float16 are the oracle.
bool cpuHasF16c() {
  return true;
}
uint16_t f16cEncode(float x) {
  return std::bit_cast<uint16_t>(static_cast<_Float16>(x));
}
float f16cDecode(uint16_t h) {
  return static_cast<float>(std::bit_cast<_Float16>(h));
}
void f16cEncode8(const float* in, uint16_t* out) {
  for (int i = 0; i < 8; ++i)
    out[i] = f16cEncode(in[i]);
}
#endif

uint32_t bitsOf(float f) {
  return std::bit_cast<uint32_t>(f);
}

TEST(Half, EveryCodeDecodesLikeF16c) {
  if (!cpuHasF16c())
    GTEST_SKIP() << "the F16C oracle needs an x86-64 CPU with AVX2 (this one has none)";
  for (uint32_t c = 0; c < 65536; ++c) {
    const uint16_t h = static_cast<uint16_t>(c);
    const float want = f16cDecode(h);
    ASSERT_EQ(bitsOf(halfBitsToFloat(h)), bitsOf(want)) << std::hex << c;
    ASSERT_EQ(bitsOf(fp16Format().decode(c)), bitsOf(want)) << std::hex << c;
    // Round trip: every code comes back (NaNs come back quieted, as F16C does).
    ASSERT_EQ(floatToHalfBits(want), f16cEncode(want)) << std::hex << c;
    ASSERT_EQ(fp16Format().encode(want), f16cEncode(want)) << std::hex << c;
    if (!std::isnan(want)) {
      ASSERT_EQ(floatToHalfBits(want), h) << std::hex << c;
    }
  }
}

// Every float32 bit pattern (2^32, in parallel chunks): the scalar bit-trick
// encoder, the generic FloatFormat encoder and the generic SIMD kernel (via a
// saturating FP16, which forces the generic path) all agree with F16C.
TEST(Half, EveryFloat32EncodesLikeF16c) {
  if (!cpuHasF16c())
    GTEST_SKIP() << "the F16C oracle needs an x86-64 CPU with AVX2 (this one has none)";
  FloatFormat satFp16 = fp16Format();
  satFp16.saturate = true;
  const float maxHalf = 65504.0f;
  std::atomic<int64_t> failures{0};
  constexpr int64_t kChunk = 1 << 16;
#pragma omp parallel
  {
    std::vector<float> in(kChunk), generic(kChunk);
    std::vector<uint16_t> oracle(kChunk);
#pragma omp for schedule(dynamic, 64)
    for (int64_t chunk = 0; chunk < (int64_t{1} << 32) / kChunk; ++chunk) {
      if (failures.load(std::memory_order_relaxed) > 5)
        continue;
      for (int64_t i = 0; i < kChunk; ++i)
        in[static_cast<size_t>(i)] = std::bit_cast<float>(static_cast<uint32_t>(chunk * kChunk + i));
      for (int64_t i = 0; i < kChunk; i += 8)
        f16cEncode8(in.data() + i, oracle.data() + i);
      roundArray(satFp16, in.data(), generic.data(), kChunk);
      for (int64_t i = 0; i < kChunk; ++i) {
        const size_t k = static_cast<size_t>(i);
        const uint16_t want = oracle[k];
        const float wantF = halfBitsToFloat(want);
        float wantSat = wantF;
        if (std::isinf(wantF) && !std::isinf(in[k]))
          wantSat = std::copysign(maxHalf, wantF);
        if (floatToHalfBits(in[k]) != want || (chunk % 16 == 0 && fp16Format().encode(in[k]) != want) ||
            bitsOf(generic[k]) != bitsOf(wantSat)) {
          if (failures.fetch_add(1) < 5)
            ADD_FAILURE() << std::hex << "x=" << bitsOf(in[k]) << " f16c=" << want
                          << " scalar=" << floatToHalfBits(in[k]) << " generic=" << fp16Format().encode(in[k])
                          << " simd=" << bitsOf(generic[k]);
        }
      }
    }
  }
  EXPECT_EQ(failures.load(), 0);
}

TEST(Half, RoundArrayUsesExactHardwareCast) {
  std::vector<float> in;
  for (uint32_t u = 0; u < (1u << 20); ++u)
    in.push_back(std::bit_cast<float>(u * 4099u));
  std::vector<float> out(in.size()), ref(in.size());
  roundArray(fp16Format(), in.data(), out.data(), static_cast<int64_t>(in.size()));
  roundArrayRef(fp16Format(), in.data(), ref.data(), static_cast<int64_t>(in.size()));
  for (size_t i = 0; i < in.size(); ++i)
    ASSERT_EQ(bitsOf(out[i]), bitsOf(ref[i])) << std::hex << bitsOf(in[i]);
}

TEST(Half, TiesAndBoundaries) {
  EXPECT_EQ(floatToHalfBits(65504.0f), 0x7BFF);
  EXPECT_EQ(floatToHalfBits(65519.996f), 0x7BFF);
  EXPECT_EQ(floatToHalfBits(65520.0f), 0x7C00); // tie between max and 2^16 goes to even (inf)
  EXPECT_EQ(floatToHalfBits(-65520.0f), 0xFC00);
  EXPECT_EQ(floatToHalfBits(1.0f + 0x1p-11f), 0x3C00);     // tie -> even (1.0)
  EXPECT_EQ(floatToHalfBits(1.0f + 3 * 0x1p-11f), 0x3C02); // tie -> even (1 + 2^-9)
  EXPECT_EQ(floatToHalfBits(0x1p-25f), 0x0000);            // half of min subnormal -> 0
  EXPECT_EQ(floatToHalfBits(0x1.000002p-25f), 0x0001);     // just above -> min subnormal
  EXPECT_EQ(floatToHalfBits(3 * 0x1p-25f), 0x0002);        // 1.5 quanta -> 2 (even)
  EXPECT_EQ(floatToHalfBits(0x1p-14f - 0x1p-25f), 0x0400); // rounds up into the normals
  EXPECT_EQ(floatToHalfBits(-0.0f), 0x8000);
  EXPECT_EQ(floatToHalfBits(std::numeric_limits<float>::infinity()), 0x7C00);
  EXPECT_EQ(floatToHalfBits(std::bit_cast<float>(0x7F800001u)), 0x7E00); // sNaN -> quiet
  EXPECT_EQ(floatToHalfBits(std::bit_cast<float>(0xFFC02000u)), 0xFE01); // sign and payload kept
}

// bfloat16 oracle: truncate the low 16 bits, add one when the dropped part
// is above half, or exactly half and the kept part is odd.
uint16_t bf16Oracle(uint32_t u) {
  if ((u & 0x7FFFFFFFu) > 0x7F800000u)
    return static_cast<uint16_t>((u >> 16) | 0x40u);
  const uint32_t hi = u >> 16, lo = u & 0xFFFFu;
  const bool up = lo > 0x8000u || (lo == 0x8000u && (hi & 1u));
  return static_cast<uint16_t>(hi + (up ? 1u : 0u));
}

TEST(Bf16, EveryCodeAndEveryTie) {
  const uint32_t lows[] = {0x0000, 0x0001, 0x7FFF, 0x8000, 0x8001, 0xC000, 0xFFFF, 0x1234};
  std::vector<float> in, out, ref;
  for (uint32_t c = 0; c < 65536; ++c) {
    const float widened = bf16BitsToFloat(static_cast<uint16_t>(c));
    ASSERT_EQ(bitsOf(widened), c << 16);
    const float decoded = bf16Format().decode(c);
    if (std::isnan(widened))
      ASSERT_EQ(bitsOf(decoded), (c << 16) | 0x00400000u) << std::hex << c; // decode quiets NaN
    else
      ASSERT_EQ(bitsOf(decoded), c << 16) << std::hex << c;
    for (uint32_t lo : lows) {
      const uint32_t u = (c << 16) | lo;
      const float x = std::bit_cast<float>(u);
      ASSERT_EQ(floatToBf16Bits(x), bf16Oracle(u)) << std::hex << u;
      ASSERT_EQ(bf16Format().encode(x), bf16Oracle(u)) << std::hex << u;
      ASSERT_EQ(bf16Format().encodeRef(x), bf16Oracle(u)) << std::hex << u;
      in.push_back(x);
    }
  }
  out.resize(in.size());
  roundArray(bf16Format(), in.data(), out.data(), static_cast<int64_t>(in.size()));
  for (size_t i = 0; i < in.size(); ++i)
    ASSERT_EQ(bitsOf(out[i]), static_cast<uint32_t>(bf16Oracle(bitsOf(in[i]))) << 16)
        << std::hex << bitsOf(in[i]);
}

TEST(Bf16, NamedCases) {
  EXPECT_EQ(floatToBf16Bits(1.0f), 0x3F80);
  EXPECT_EQ(floatToBf16Bits(std::bit_cast<float>(0x3F808000u)), 0x3F80); // tie, even stays
  EXPECT_EQ(floatToBf16Bits(std::bit_cast<float>(0x3F818000u)), 0x3F82); // tie, odd rounds up
  EXPECT_EQ(floatToBf16Bits(std::numeric_limits<float>::max()), 0x7F80); // overflow -> inf
  EXPECT_EQ(floatToBf16Bits(std::bit_cast<float>(0x7F800001u)), 0x7FC0); // sNaN -> quiet NaN
  EXPECT_EQ(floatToBf16Bits(-0.0f), 0x8000);
}

// Cross-check against PyTorch: tests/data/gen_float_refs.py writes a random
// vector and torch's .half() / .bfloat16() results; a missing python or torch
// is a failure, not a skip.
std::vector<uint32_t> readU32(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<uint32_t> v;
  uint32_t x;
  while (f.read(reinterpret_cast<char*>(&x), sizeof x))
    v.push_back(x);
  return v;
}

TEST(Half, MatchesTorchCasts) {
  const std::string out = std::string(QS_TEST_OUT_DIR) + "/float_refs";
  const std::string cmd =
      std::string(QS_PYTHON) + " " + QS_SOURCE_DIR + "/tests/data/gen_float_refs.py torch " + out;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const std::vector<uint32_t> x = readU32(out + "/input.f32");
  const std::vector<uint32_t> half = readU32(out + "/torch_half.f32");
  const std::vector<uint32_t> bf16 = readU32(out + "/torch_bf16.f32");
  ASSERT_GT(x.size(), 100000u);
  ASSERT_EQ(half.size(), x.size());
  ASSERT_EQ(bf16.size(), x.size());
  std::vector<float> in(x.size()), h(x.size()), b(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    in[i] = std::bit_cast<float>(x[i]);
  roundArray(fp16Format(), in.data(), h.data(), static_cast<int64_t>(in.size()));
  roundArray(bf16Format(), in.data(), b.data(), static_cast<int64_t>(in.size()));
  int bad = 0;
  for (size_t i = 0; i < x.size() && bad < 10; ++i) {
    const bool nan = std::isnan(in[i]);
    if (nan ? !std::isnan(h[i]) : bitsOf(h[i]) != half[i]) {
      ADD_FAILURE() << std::hex << "half x=" << x[i] << " ours=" << bitsOf(h[i]) << " torch=" << half[i];
      ++bad;
    }
    if (nan ? !std::isnan(b[i]) : bitsOf(b[i]) != bf16[i]) {
      ADD_FAILURE() << std::hex << "bf16 x=" << x[i] << " ours=" << bitsOf(b[i]) << " torch=" << bf16[i];
      ++bad;
    }
  }
}

} // namespace
} // namespace qs
