#pragma once
// Deterministic synthetic tensors for the demo, the GUI's "Demo" menu, tests
// and benchmarks. The generator is our own (splitmix64 + Box-Muller), so the
// values are the same on every platform and standard library.
#include "core/tensor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qs {

enum class DemoKind {
  Gaussian,  // N(0, 1)
  Laplace,   // Laplace(0, 1/sqrt(2)): unit variance, heavier tails
  StudentT,  // Student-t with 3 degrees of freedom: very heavy tails
  LlmWeight, // [rows, cols] weight, N(0, 0.02), a few output channels x25 and input columns x6
  Uniform,   // U(-1, 1)
  Bimodal,   // 0.5 N(-2, 0.5) + 0.5 N(2, 0.5)
};

const char* toString(DemoKind kind);               // "gaussian", "laplace", "student_t3", ...
DemoKind demoKindFromString(const std::string& s); // throws qs::Error listing the names
std::vector<DemoKind> allDemoKinds();

// A tensor named after its kind with the given shape; the same seed gives the same values.
Tensor makeDemoTensor(DemoKind kind, const Shape& shape, uint64_t seed = 1);
// The outlier rows and columns makeDemoTensor(LlmWeight, ...) plants (for tests and the GUI).
std::vector<int64_t> llmOutlierRows(int64_t rows);
std::vector<int64_t> llmOutlierCols(int64_t cols);

// The standard demo set: every kind as [512, 1024].
std::vector<Tensor> demoTensors(uint64_t seed = 1);

} // namespace qs
