// Every format family added for the 2025–26 formats on the 4096 x 4096 tensor
// of quantize_bench: quantize() with all metrics and codes, beside memcpy and
// INT4 group 32 (the yardstick: none should take more than 3x its time).
// scripts/bench-compare.sh prints the ratios. Counters: cpu_ms as in quantize_bench.
#include "core/demo/demo_tensors.h"
#include "core/pipeline/quantize.h"
#include "core/quant/quant_config.h"

#include <benchmark/benchmark.h>

#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace {

const qs::Tensor& bigTensor() {
  static const qs::Tensor t = qs::makeDemoTensor(qs::DemoKind::Gaussian, {4096, 4096}, 1);
  return t;
}

void addCpu(benchmark::State& state, std::clock_t c0) {
  state.counters["cpu_ms"] =
      benchmark::Counter(1000.0 * double(std::clock() - c0) / CLOCKS_PER_SEC / double(state.iterations()));
}

void memcpyFloor(benchmark::State& state) {
  const auto& src = bigTensor().values;
  std::vector<float> dst(src.size());
  const std::clock_t c0 = std::clock();
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), src.size() * sizeof(float));
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  addCpu(state, c0);
}

void allMetrics(benchmark::State& state, const qs::QuantConfig& config) {
  const std::clock_t c0 = std::clock();
  for (auto _ : state) {
    auto r = qs::quantize(bigTensor(), config);
    benchmark::DoNotOptimize(r.get());
  }
  addCpu(state, c0);
}

struct Case {
  const char* key;  // the benchmark's name after "F_"
  const char* json; // the config
};

// Config JSON (README, "Config JSON"), so each case reads as a user would write it.
const Case kCases[] = {
    {"Int4Group32", R"({"format": "int4", "granularity": {"kind": "group", "group_size": 32}})"},
    {"Nvfp4", R"({"format": "nvfp4"})"},
    {"Nvfp4Mse", R"({"format": "nvfp4_mse"})"},
    {"Nvfp4FourOverSix", R"({"format": "nvfp4_4over6"})"},
    {"Fp8Block128", R"({"format": "fp8_block"})"},
    {"Int8Block128",
     R"({"format": "int8", "granularity": {"kind": "block", "block_rows": 128, "block_cols": 128}})"},
    {"Int4Group32Fp16Scale", R"({"format": "int4", "granularity": {"kind": "group", "group_size": 32},
                                 "scale_format": "fp16"})"},
    {"Int4Group32Ue8m0Scale", R"({"format": "int4", "granularity": {"kind": "group", "group_size": 32},
                                  "scale_format": "ue8m0"})"},
    {"Nf4Int8DoubleQuant", R"({"format": "nf4", "granularity": {"kind": "group", "group_size": 64},
                               "scale_format": "int8dq"})"},
    {"GgufQ2K", R"({"format": "gguf:q2_k"})"},
    {"GgufQ3K", R"({"format": "gguf:q3_k"})"},
    {"GgufQ5K", R"({"format": "gguf:q5_k"})"},
    {"GgufIq4Nl", R"({"format": "gguf:iq4_nl"})"},
    {"GgufIq4Xs", R"({"format": "gguf:iq4_xs"})"},
    {"GgufTq1_0", R"({"format": "gguf:tq1_0"})"},
    {"GgufTq2_0", R"({"format": "gguf:tq2_0"})"},
    {"GgufMxfp4", R"({"format": "gguf:mxfp4"})"},
    {"GgufNvfp4", R"({"format": "gguf:nvfp4"})"},
    {"Int4Group64Hqq",
     R"({"format": "int4", "symmetric": false, "granularity": {"kind": "group", "group_size": 64},
                           "clipping": {"method": "hqq"}})"},
    {"Int4Group32Hadamard", R"({"format": "int4", "granularity": {"kind": "group", "group_size": 32},
                                "rotation": "hadamard"})"},
};

} // namespace

int main(int argc, char** argv) {
  benchmark::RegisterBenchmark("F_Memcpy", memcpyFloor)->Unit(benchmark::kMillisecond)->UseRealTime();
  for (const Case& c : kCases) {
    const qs::QuantConfig config = qs::configFromJson(c.json); // a wrong case stops here, loudly
    benchmark::RegisterBenchmark((std::string("F_") + c.key).c_str(),
                                 [config](benchmark::State& s) { allMetrics(s, config); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
