#pragma once
// Internal to core (Eigen is a PRIVATE dependency of quantscope_core): maps of
// our row-major float buffers and the matmul every layer method evaluates.
#include <Eigen/Dense>
#include <omp.h>

#include <cstdint>
#include <vector>

namespace qs::eig {

// Eigen's parallel GEMM synchronises its threads per block; for small
// products that costs more than it saves (10x slower at 512^3 on a busy
// 2-core machine). Products below ~2^28 multiply-adds run on the calling
// thread. omp_set_num_threads only changes the calling thread's setting, so
// this is safe with other threads computing at the same time.
class ThreadsForWork {
public:
  explicit ThreadsForWork(double multiplyAdds) : saved_(omp_get_max_threads()) {
    if (multiplyAdds < double(1 << 28))
      omp_set_num_threads(1);
  }
  ~ThreadsForWork() { omp_set_num_threads(saved_); }
  ThreadsForWork(const ThreadsForWork&) = delete;
  ThreadsForWork& operator=(const ThreadsForWork&) = delete;

private:
  int saved_;
};

using RowMatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapRowF = Eigen::Map<RowMatF>;
using CMapRowF = Eigen::Map<const RowMatF>;

// Y [n, out] = X [n, in] * W^T, W [out, in]; all row-major. Eigen's GEMM,
// parallel with OpenMP.
inline std::vector<float> matmulXWt(const float* x, int64_t n, int64_t in, const float* w, int64_t out) {
  std::vector<float> y(size_t(n * out));
  const ThreadsForWork threads(double(n) * double(in) * double(out));
  MapRowF Y(y.data(), n, out);
  Y.noalias() = CMapRowF(x, n, in) * CMapRowF(w, out, in).transpose();
  return y;
}

} // namespace qs::eig
