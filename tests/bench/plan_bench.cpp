// The plan solver on a model-sized problem: 1000 tensors × 10 formats, the
// plan at a mid budget and the Pareto curve (the target is ≤ 50 ms for both).
#include "core/model/plan.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

namespace {

// Error ∝ params · sensitivity · 2^(−2·bits/elt), with noise so that some
// options fall off the convex hull, as real scans do.
std::vector<qs::PlanItem> modelItems(int tensors, int formats) {
  std::mt19937 rng(7);
  std::lognormal_distribution<double> sens(0.0, 1.0), noise(0.0, 0.15);
  std::uniform_int_distribution<int> size(1, 256);
  std::vector<qs::PlanItem> items(static_cast<size_t>(tensors));
  for (int t = 0; t < tensors; ++t) {
    const double params = 4096.0 * 64 * size(rng), s = sens(rng);
    auto& item = items[static_cast<size_t>(t)];
    item.name = "blk." + std::to_string(t) + ".weight";
    for (int f = 0; f < formats; ++f) {
      const double bpe = 2.5 + 1.4 * f;
      item.options.push_back(
          {"f" + std::to_string(f), params * bpe, params * s * std::pow(2.0, -2 * bpe) * noise(rng)});
    }
  }
  return items;
}

double budgetOf(const std::vector<qs::PlanItem>& items, double fraction) {
  double lo = 0, hi = 0;
  for (const auto& it : items) {
    lo += it.options.front().bits;
    hi += it.options.back().bits;
  }
  return lo + fraction * (hi - lo);
}

void BM_SolvePlan(benchmark::State& state) {
  const auto items = modelItems(1000, 10);
  const double budget = budgetOf(items, 0.4);
  for (auto _ : state) {
    auto sol = qs::solvePlan(items, budget);
    benchmark::DoNotOptimize(sol);
  }
}
BENCHMARK(BM_SolvePlan)->Unit(benchmark::kMillisecond);

void BM_ParetoCurve(benchmark::State& state) {
  const auto items = modelItems(1000, 10);
  for (auto _ : state) {
    auto curve = qs::paretoCurve(items);
    benchmark::DoNotOptimize(curve);
  }
}
BENCHMARK(BM_ParetoCurve)->Unit(benchmark::kMillisecond);

void BM_PlanAndPareto(benchmark::State& state) {
  const auto items = modelItems(1000, 10);
  const double budget = budgetOf(items, 0.4);
  for (auto _ : state) {
    auto sol = qs::solvePlan(items, budget);
    auto curve = qs::paretoCurve(items);
    benchmark::DoNotOptimize(sol);
    benchmark::DoNotOptimize(curve);
  }
}
BENCHMARK(BM_PlanAndPareto)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
