#pragma once
// Internal to core (Eigen is a PRIVATE dependency of quantscope_core): maps of
// our row-major float buffers and the matmul every layer method evaluates.
#include <Eigen/Dense>

#include <cstdint>
#include <vector>

namespace qs::eig {

using RowMatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapRowF = Eigen::Map<RowMatF>;
using CMapRowF = Eigen::Map<const RowMatF>;

// Y [n, out] = X [n, in] * W^T, W [out, in]; all row-major. Eigen's GEMM,
// parallel with OpenMP.
inline std::vector<float> matmulXWt(const float* x, int64_t n, int64_t in, const float* w, int64_t out) {
  std::vector<float> y(size_t(n * out));
  MapRowF Y(y.data(), n, out);
  Y.noalias() = CMapRowF(x, n, in) * CMapRowF(w, out, in).transpose();
  return y;
}

} // namespace qs::eig
