// roundArray throughput against memcpy on a 4096 x 4096 float tensor (64 MiB
// in, 64 MiB out): the casts are memory-bound, so memcpy is the yardstick.
#include "core/formats/block_formats.h"
#include "core/formats/float_codec.h"
#include "core/formats/float_format.h"

#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <vector>

namespace {

constexpr int64_t kN = 4096 * 4096;

const std::vector<float>& input() {
  static const std::vector<float> x = [] {
    std::vector<float> v(kN);
    std::mt19937 rng(1);
    std::normal_distribution<float> nd(0.0f, 2.0f);
    for (float& f : v)
      f = nd(rng);
    return v;
  }();
  return x;
}

void setBytes(benchmark::State& state) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * kN * 2 *
                          static_cast<int64_t>(sizeof(float)));
}

void BM_Memcpy(benchmark::State& state) {
  const std::vector<float>& x = input();
  std::vector<float> out(kN);
  for (auto _ : state) {
    std::memcpy(out.data(), x.data(), kN * sizeof(float));
    benchmark::ClobberMemory();
  }
  setBytes(state);
}

void roundBench(benchmark::State& state, const qs::FloatFormat& f, bool reference) {
  const std::vector<float>& x = input();
  std::vector<float> out(kN);
  for (auto _ : state) {
    if (reference)
      qs::roundArrayRef(f, x.data(), out.data(), kN);
    else
      qs::roundArray(f, x.data(), out.data(), kN);
    benchmark::ClobberMemory();
  }
  setBytes(state);
}

void BM_RoundFp16(benchmark::State& s) {
  roundBench(s, qs::fp16Format(), false);
}
void BM_RoundBf16(benchmark::State& s) {
  roundBench(s, qs::bf16Format(), false);
}
void BM_RoundFp8E4M3(benchmark::State& s) {
  roundBench(s, qs::fp8E4M3Format(), false);
}
void BM_RoundFp8E5M2(benchmark::State& s) {
  roundBench(s, qs::fp8E5M2Format(), false);
}
void BM_RoundFp4E2M1(benchmark::State& s) {
  roundBench(s, qs::fp4E2M1Format(), false);
}
void BM_RoundFp8E4M3Reference(benchmark::State& s) {
  roundBench(s, qs::fp8E4M3Format(), true);
}

void BM_MxFp4Blocks(benchmark::State& state) {
  const std::vector<float>& x = input();
  std::vector<float> out(kN);
  std::vector<uint8_t> codes(kN);
  for (auto _ : state) {
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < kN / qs::kMxBlock; ++b)
      qs::mxQuantizeBlock(qs::MxElement::Fp4E2M1, x.data() + b * qs::kMxBlock, qs::kMxBlock,
                          codes.data() + b * qs::kMxBlock, out.data() + b * qs::kMxBlock);
    benchmark::ClobberMemory();
  }
  setBytes(state);
}

void BM_EncodeArrayFp8E4M3(benchmark::State& state) {
  const std::vector<float>& x = input();
  std::vector<uint32_t> codes(kN);
  for (auto _ : state) {
    qs::encodeArray(qs::fp8E4M3Format(), x.data(), codes.data(), kN);
    benchmark::ClobberMemory();
  }
  setBytes(state);
}

// Per-element round + encode, as a quantizer loop does: FloatFormat methods
// (constants set up per call) against a FloatCodec made once.
void perElement(benchmark::State& state, bool codec) {
  const std::vector<float>& x = input();
  std::vector<float> out(kN);
  std::vector<uint32_t> codes(kN);
  const qs::FloatFormat& f = qs::fp8E4M3Format();
  const qs::FloatCodec c(f);
  for (auto _ : state) {
    if (codec) {
      for (int64_t i = 0; i < kN; ++i) {
        out[static_cast<size_t>(i)] = c.round(x[static_cast<size_t>(i)]);
        codes[static_cast<size_t>(i)] = c.encode(out[static_cast<size_t>(i)]);
      }
    } else {
      for (int64_t i = 0; i < kN; ++i) {
        out[static_cast<size_t>(i)] = f.round(x[static_cast<size_t>(i)]);
        codes[static_cast<size_t>(i)] = f.encode(out[static_cast<size_t>(i)]);
      }
    }
    benchmark::ClobberMemory();
  }
  setBytes(state);
}
void BM_PerElementFloatFormat(benchmark::State& s) {
  perElement(s, false);
}
void BM_PerElementFloatCodec(benchmark::State& s) {
  perElement(s, true);
}

void ggufRoundTrip(benchmark::State& state, qs::GgufType type) {
  const std::vector<float>& x = input();
  const qs::GgufTypeInfo& t = qs::ggufTypeInfo(type);
  const int64_t n = kN / 16; // 1M values: the k-quant searches are slow by design
  std::vector<uint8_t> blocks(static_cast<size_t>(n / t.blockElements * t.blockBytes));
  std::vector<float> out(static_cast<size_t>(n));
  for (auto _ : state) {
    qs::ggufQuantizeRow(type, x.data(), blocks.data(), n);
    qs::ggufDequantizeRow(type, blocks.data(), out.data(), n);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * n);
}
void BM_GgufQ4_0(benchmark::State& s) {
  ggufRoundTrip(s, qs::GgufType::Q4_0);
}
void BM_GgufQ8_0(benchmark::State& s) {
  ggufRoundTrip(s, qs::GgufType::Q8_0);
}
void BM_GgufQ4_K(benchmark::State& s) {
  ggufRoundTrip(s, qs::GgufType::Q4_K);
}
void BM_GgufQ6_K(benchmark::State& s) {
  ggufRoundTrip(s, qs::GgufType::Q6_K);
}

} // namespace

BENCHMARK(BM_Memcpy)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RoundFp16)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RoundBf16)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RoundFp8E4M3)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RoundFp8E5M2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RoundFp4E2M1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RoundFp8E4M3Reference)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MxFp4Blocks)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_EncodeArrayFp8E4M3)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PerElementFloatFormat)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PerElementFloatCodec)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GgufQ8_0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GgufQ4_0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GgufQ4_K)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GgufQ6_K)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
