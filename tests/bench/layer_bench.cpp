// Layer methods at LLM scale: GPTQ and the AWQ grid on a 4096 x 4096 layer
// with 2048 tokens (targets on the 2-core machine: GPTQ <= 10 s, AWQ <= 5 s;
// results in notes/bench-layer.md). Not a test: run by hand.
#include "core/layer/awq.h"
#include "core/layer/gptq.h"
#include "core/layer/synthetic_layer.h"

#include <benchmark/benchmark.h>
#include <ctime>

namespace {

// Process CPU seconds (all threads): on a loaded shared machine the wall time
// says little; CPU / 2 is what an idle 2-core machine would take at best.
double cpuSeconds() {
  return double(std::clock()) / CLOCKS_PER_SEC;
}

const qs::SyntheticLayer& bigLayer() {
  static const qs::SyntheticLayer layer = [] {
    qs::SyntheticLayerSpec spec;
    spec.outFeatures = 4096;
    spec.inFeatures = 4096;
    spec.tokens = 2048;
    spec.outlierChannels = 16;
    return qs::makeSyntheticLayer(spec);
  }();
  return layer;
}

qs::QuantConfig int4Group128() {
  qs::QuantConfig c;
  c.format = "int4";
  c.granularity = qs::Granularity{qs::GranularityKind::Group, 0, 128};
  return c;
}

void BM_GptqHessian(benchmark::State& state) {
  const auto& L = bigLayer();
  const double c0 = cpuSeconds();
  for (auto _ : state)
    benchmark::DoNotOptimize(qs::gptqHessian(L.input));
  state.counters["cpu_s"] = cpuSeconds() - c0;
}

void BM_Gptq4096(benchmark::State& state) {
  const auto& L = bigLayer();
  qs::GptqOptions opt;
  opt.actOrder = state.range(0) != 0;
  qs::GptqResult r;
  const double c0 = cpuSeconds();
  for (auto _ : state)
    r = qs::gptqQuantize(L.weight, L.input, int4Group128(), opt);
  state.counters["cpu_s"] = cpuSeconds() - c0;
  state.counters["hessian_ms"] = r.hessianMs;
  state.counters["factor_ms"] = r.factorMs;
  state.counters["quantize_ms"] = r.quantizeMs;
}

void BM_AwqGrid4096(benchmark::State& state) {
  const auto& L = bigLayer();
  qs::AwqOptions opt;
  opt.maxSearchTokens = state.range(0);
  qs::AwqResult r;
  const double c0 = cpuSeconds();
  for (auto _ : state)
    r = qs::awqSearch(L.weight, L.input, int4Group128(), opt);
  state.counters["cpu_s"] = cpuSeconds() - c0;
  state.counters["alpha"] = r.alpha;
  state.counters["search_tokens"] = double(r.searchTokens);
}

} // namespace

BENCHMARK(BM_GptqHessian)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_Gptq4096)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_AwqGrid4096)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK_MAIN();
