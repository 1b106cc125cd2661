#include "core/layer/smoothquant.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>

namespace qs {

std::vector<float> smoothQuantScales(const std::vector<float>& actAbsMax,
                                     const std::vector<float>& weightAbsMax, double alpha) {
  if (!(alpha >= 0.0 && alpha <= 1.0))
    throw Error("SmoothQuant alpha must be in [0, 1], got " + std::to_string(alpha));
  if (actAbsMax.size() != weightAbsMax.size())
    throw Error("SmoothQuant: " + std::to_string(actAbsMax.size()) + " activation channels but " +
                std::to_string(weightAbsMax.size()) + " weight input channels");
  const float a = float(alpha), b = float(1.0 - alpha);
  std::vector<float> s(actAbsMax.size());
  for (size_t j = 0; j < s.size(); ++j) {
    const float w = std::max(weightAbsMax[j], 1e-5f);
    s[j] = std::max(std::pow(actAbsMax[j], a) / std::pow(w, b), 1e-5f);
  }
  return s;
}

void scaleColumns(std::vector<float>& m, int64_t rows, int64_t cols, const std::vector<float>& s,
                  bool divide) {
  if (int64_t(s.size()) != cols || int64_t(m.size()) != rows * cols)
    throw Error("scaleColumns: sizes do not match");
  float* p = m.data();
  const float* f = s.data();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    float* row = p + r * cols;
    if (divide)
      for (int64_t c = 0; c < cols; ++c)
        row[c] /= f[c];
    else
      for (int64_t c = 0; c < cols; ++c)
        row[c] *= f[c];
  }
}

} // namespace qs
