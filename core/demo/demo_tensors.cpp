#include "core/demo/demo_tensors.h"

#include "core/error.h"

#include <cmath>

namespace qs {

namespace {

struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }      // [0, 1)
  double open() { return (double(next() >> 11) + 0.5) * 0x1.0p-53; } // (0, 1)
  double normal() {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    const double u = open(), v = uniform();
    const double r = std::sqrt(-2.0 * std::log(u)), a = 2.0 * M_PI * v;
    spare = r * std::sin(a);
    hasSpare = true;
    return r * std::cos(a);
  }
  bool hasSpare = false;
  double spare = 0;
};

} // namespace

const char* toString(DemoKind kind) {
  switch (kind) {
  case DemoKind::Gaussian:
    return "gaussian";
  case DemoKind::Laplace:
    return "laplace";
  case DemoKind::StudentT:
    return "student_t3";
  case DemoKind::LlmWeight:
    return "llm_weight";
  case DemoKind::Uniform:
    return "uniform";
  case DemoKind::Bimodal:
    return "bimodal";
  }
  return "?";
}

std::vector<DemoKind> allDemoKinds() {
  return {DemoKind::Gaussian,  DemoKind::Laplace, DemoKind::StudentT,
          DemoKind::LlmWeight, DemoKind::Uniform, DemoKind::Bimodal};
}

DemoKind demoKindFromString(const std::string& s) {
  std::string names;
  for (DemoKind k : allDemoKinds()) {
    if (s == toString(k))
      return k;
    names += std::string(names.empty() ? "" : ", ") + toString(k);
  }
  throw Error("unknown demo tensor '" + s + "' (expected one of " + names + ")");
}

std::vector<int64_t> llmOutlierRows(int64_t rows) {
  std::vector<int64_t> v;
  for (int64_t r : {rows / 7, rows / 2 + 3, rows - 5})
    if (r >= 0 && r < rows && (v.empty() || v.back() != r))
      v.push_back(r);
  return v;
}

std::vector<int64_t> llmOutlierCols(int64_t cols) {
  std::vector<int64_t> v;
  for (int64_t c : {cols / 3, (cols * 4) / 5})
    if (c >= 0 && c < cols && (v.empty() || v.back() != c))
      v.push_back(c);
  return v;
}

Tensor makeDemoTensor(DemoKind kind, const Shape& shape, uint64_t seed) {
  Tensor t;
  t.name = toString(kind);
  t.shape = shape;
  const int64_t n = shapeNumel(shape);
  t.values.resize(size_t(n));
  Rng rng{seed * 0x2545F4914F6CDD1Dull + uint64_t(kind) + 1};
  float* v = t.values.data();
  switch (kind) {
  case DemoKind::Gaussian:
    for (int64_t i = 0; i < n; ++i)
      v[i] = float(rng.normal());
    break;
  case DemoKind::Laplace:
    for (int64_t i = 0; i < n; ++i) {
      const double u = rng.open() - 0.5; // inverse CDF, b = 1/sqrt(2)
      v[i] = float(-std::copysign(1.0, u) * std::log(1 - 2 * std::fabs(u)) / std::sqrt(2.0));
    }
    break;
  case DemoKind::StudentT:
    for (int64_t i = 0; i < n; ++i) {
      const double z = rng.normal();
      double chi2 = 0;
      for (int k = 0; k < 3; ++k) {
        const double g = rng.normal();
        chi2 += g * g;
      }
      v[i] = float(z / std::sqrt(chi2 / 3.0));
    }
    break;
  case DemoKind::Uniform:
    for (int64_t i = 0; i < n; ++i)
      v[i] = float(2.0 * rng.uniform() - 1.0);
    break;
  case DemoKind::Bimodal:
    for (int64_t i = 0; i < n; ++i)
      v[i] = float((rng.uniform() < 0.5 ? -2.0 : 2.0) + 0.5 * rng.normal());
    break;
  case DemoKind::LlmWeight: {
    const View2D view = view2D(shape);
    for (int64_t i = 0; i < n; ++i)
      v[i] = float(0.02 * rng.normal());
    for (int64_t r : llmOutlierRows(view.rows))
      for (int64_t c = 0; c < view.cols; ++c)
        v[r * view.cols + c] *= 25.0f;
    for (int64_t c : llmOutlierCols(view.cols))
      for (int64_t r = 0; r < view.rows; ++r)
        v[r * view.cols + c] *= 6.0f;
    break;
  }
  }
  return t;
}

std::vector<Tensor> demoTensors(uint64_t seed) {
  std::vector<Tensor> out;
  for (DemoKind k : allDemoKinds())
    out.push_back(makeDemoTensor(k, {512, 1024}, seed));
  return out;
}

} // namespace qs
