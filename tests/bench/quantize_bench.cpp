// The engine on a 4096 x 4096 float32 tensor: INT8 per-channel quantize with
// every metric, FP16/BF16 casts, the exact 99.99th percentile, and memcpy as
// the floor. scripts/bench-compare.sh runs this beside PyTorch and NumPy.
// Counters: cpu_ms = process CPU time per iteration (all threads); on a busy
// shared machine wall time says little.
#include "core/calib/percentile.h"
#include "core/demo/demo_tensors.h"
#include "core/pipeline/quantize.h"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>

namespace {

const qs::Tensor& bigTensor() {
  static const qs::Tensor t = qs::makeDemoTensor(qs::DemoKind::Gaussian, {4096, 4096}, 1);
  return t;
}

void addCpu(benchmark::State& state, std::clock_t c0) {
  state.counters["cpu_ms"] =
      benchmark::Counter(1000.0 * double(std::clock() - c0) / CLOCKS_PER_SEC / double(state.iterations()));
}

qs::QuantConfig config(const char* format, std::optional<qs::Granularity> g = std::nullopt) {
  qs::QuantConfig c;
  c.format = format;
  c.granularity = g;
  return c;
}

const qs::Granularity kChannel{qs::GranularityKind::Channel, 0, 128};

void BM_Memcpy(benchmark::State& state) {
  const auto& t = bigTensor();
  std::vector<float> out(t.values.size());
  const std::clock_t c0 = std::clock();
  for (auto _ : state) {
    std::memcpy(out.data(), t.values.data(), t.values.size() * 4);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  addCpu(state, c0);
}

// A copy into a new vector: what any function returning a fresh tensor pays
// (allocation, page faults, zeroing by the kernel).
void BM_MemcpyNewBuffer(benchmark::State& state) {
  const auto& t = bigTensor();
  const std::clock_t c0 = std::clock();
  for (auto _ : state) {
    std::vector<float> out(t.values);
    benchmark::DoNotOptimize(out.data());
  }
  addCpu(state, c0);
}

void runQuantize(benchmark::State& state, const qs::QuantConfig& c, bool keepCodes) {
  qs::AnalysisOptions opt;
  opt.keepCodes = keepCodes;
  const std::clock_t c0 = std::clock();
  for (auto _ : state) {
    auto r = qs::quantize(bigTensor(), c, opt);
    benchmark::DoNotOptimize(r.get());
  }
  addCpu(state, c0);
}

// What the workbench runs on every config change: no codes, and the tensor's
// input-only analysis (original histogram, channel stats, top |x|) reused.
void runQuantizeLive(benchmark::State& state, const qs::QuantConfig& c) {
  qs::AnalysisOptions opt;
  opt.keepCodes = false;
  opt.summary = qs::TensorSummary::fromResult(*qs::quantize(bigTensor(), config("int4"), opt), opt.topK);
  const std::clock_t c0 = std::clock();
  for (auto _ : state) {
    auto r = qs::quantize(bigTensor(), c, opt);
    benchmark::DoNotOptimize(r.get());
  }
  addCpu(state, c0);
}

void runFake(benchmark::State& state, const qs::QuantConfig& c) {
  const std::clock_t c0 = std::clock();
  for (auto _ : state) {
    auto v = qs::fakeQuantize(bigTensor(), c);
    benchmark::DoNotOptimize(v.data());
  }
  addCpu(state, c0);
}

// Into a reused buffer: the kernel cost without the fresh 64 MB allocation.
void runFakeInto(benchmark::State& state, const qs::QuantConfig& c) {
  std::vector<float> out(bigTensor().values.size());
  const std::clock_t c0 = std::clock();
  for (auto _ : state) {
    qs::fakeQuantizeInto(bigTensor(), c, out.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  addCpu(state, c0);
}

void BM_Int8PerChannel_FakeQuantizeInto(benchmark::State& s) {
  runFakeInto(s, config("int8", kChannel));
}
void BM_Fp16Cast_FakeQuantizeInto(benchmark::State& s) {
  runFakeInto(s, config("fp16"));
}
void BM_Bf16Cast_FakeQuantizeInto(benchmark::State& s) {
  runFakeInto(s, config("bf16"));
}

void BM_Int8PerChannel_AllMetrics(benchmark::State& s) {
  runQuantize(s, config("int8", kChannel), true);
}
void BM_Int8PerChannel_AllMetricsNoCodes(benchmark::State& s) {
  runQuantize(s, config("int8", kChannel), false);
}
void BM_Int8PerChannel_AllMetricsLive(benchmark::State& s) {
  runQuantizeLive(s, config("int8", kChannel));
}
void BM_Int8PerChannel_FakeQuantize(benchmark::State& s) {
  runFake(s, config("int8", kChannel));
}
void BM_Fp16Cast_AllMetrics(benchmark::State& s) {
  runQuantize(s, config("fp16"), false);
}
void BM_Fp16Cast_FakeQuantize(benchmark::State& s) {
  runFake(s, config("fp16"));
}
void BM_Bf16Cast_AllMetrics(benchmark::State& s) {
  runQuantize(s, config("bf16"), false);
}
void BM_Bf16Cast_FakeQuantize(benchmark::State& s) {
  runFake(s, config("bf16"));
}

void BM_Percentile9999(benchmark::State& state) {
  const auto& t = bigTensor();
  const std::clock_t c0 = std::clock();
  for (auto _ : state)
    benchmark::DoNotOptimize(qs::percentile(t.values.data(), t.numel(), 99.99, true));
  addCpu(state, c0);
}

} // namespace

BENCHMARK(BM_Memcpy)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MemcpyNewBuffer)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Int8PerChannel_AllMetrics)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Int8PerChannel_AllMetricsNoCodes)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Int8PerChannel_AllMetricsLive)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Int8PerChannel_FakeQuantize)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Int8PerChannel_FakeQuantizeInto)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Fp16Cast_FakeQuantizeInto)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Bf16Cast_FakeQuantizeInto)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Fp16Cast_AllMetrics)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Fp16Cast_FakeQuantize)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Bf16Cast_AllMetrics)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Bf16Cast_FakeQuantize)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Percentile9999)->Unit(benchmark::kMillisecond)->UseRealTime();

// QS_BENCH_TENSOR_OUT=path writes the benchmark tensor (raw float32) so that
// scripts/bench-compare.sh times PyTorch and NumPy on the very same values.
int main(int argc, char** argv) {
  if (const char* path = std::getenv("QS_BENCH_TENSOR_OUT")) {
    const auto& t = bigTensor();
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(t.values.data()), std::streamsize(t.values.size() * sizeof(float)));
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
