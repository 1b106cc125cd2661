#include "core/layer/gptq.h"

#include "core/error.h"
#include "core/layer/eigen_util.h"
#include "core/layer/group_quantizer.h"
#include "core/quant/format_config.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

namespace qs {

namespace {

using Eigen::MatrixXd;
using Eigen::MatrixXf;

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

void checkCancel(const std::atomic<bool>* cancel) {
  if (cancel && cancel->load(std::memory_order_relaxed))
    throw Cancelled();
}

// In-place inverse of the lower triangle of L (the strictly upper part must be
// zero). Recursive 2x2 blocks: inv([A 0; B C]) = [A^-1 0; -C^-1 B A^-1  C^-1],
// so almost all the work is in Eigen's parallel GEMM (TRSM is single-threaded).
void invertLowerInPlace(Eigen::Ref<MatrixXd> L) {
  const Eigen::Index n = L.rows();
  if (n <= 192) {
    MatrixXd inv = MatrixXd::Identity(n, n);
    L.triangularView<Eigen::Lower>().solveInPlace(inv);
    L = inv;
    return;
  }
  const Eigen::Index h = n / 2;
  invertLowerInPlace(L.topLeftCorner(h, h));
  invertLowerInPlace(L.bottomRightCorner(n - h, n - h));
  const eig::ThreadsForWork threads(double(n - h) * double(h) * double(n));
  MatrixXd t = L.bottomLeftCorner(n - h, h) * L.topLeftCorner(h, h);
  L.bottomLeftCorner(n - h, h).noalias() = -(L.bottomRightCorner(n - h, n - h) * t);
}

// U upper with U^T U = (H + lambda I)^-1, via the reversed Cholesky (see gptq.h).
// H is consumed (overwritten).
MatrixXd inverseCholeskyUpper(MatrixXd& H, double lambda) {
  const Eigen::Index n = H.rows();
  MatrixXd R = H.reverse();
  H.resize(0, 0);
  R.diagonal().array() += lambda;
  Eigen::LLT<Eigen::Ref<MatrixXd>> llt(R);
  if (llt.info() != Eigen::Success)
    throw Error("GPTQ: the damped Hessian is not positive definite; raise the damping (now " +
                std::to_string(lambda) + ")");
  R.triangularView<Eigen::StrictlyUpper>().setZero();
  invertLowerInPlace(R);
  (void)n;
  return R.reverse();
}

enum class ParamMode { Tensor, Row, Group, Cast };

} // namespace

std::vector<double> gptqHessian(const Tensor& x) {
  if (x.shape.size() != 2 || x.shape[0] < 1)
    throw Error("GPTQ Hessian needs calibration tokens [N, in], got " + shapeToString(x.shape));
  const int64_t n = x.shape[0], in = x.shape[1];
  eig::CMapRowF X(x.values.data(), n, in);
  MatrixXd acc = MatrixXd::Zero(in, in);
  MatrixXf part(in, in);
  constexpr int64_t kChunk = 256; // float GEMM per chunk, double across chunks
  for (int64_t t0 = 0; t0 < n; t0 += kChunk) {
    const int64_t len = std::min(kChunk, n - t0);
    part.setZero();
    const eig::ThreadsForWork threads(0.5 * double(in) * double(in) * double(len));
    part.selfadjointView<Eigen::Lower>().rankUpdate(X.middleRows(t0, len).transpose());
    acc.triangularView<Eigen::Lower>() += part.cast<double>();
  }
  acc *= 2.0 / double(n);
  acc.triangularView<Eigen::StrictlyUpper>() = acc.transpose();
  std::vector<double> h(static_cast<size_t>(in * in));
  Eigen::Map<MatrixXd>(h.data(), in, in) = acc; // symmetric: same in either order
  return h;
}

std::vector<double> gptqInverseCholesky(const std::vector<double>& hessian, int64_t n, double lambda) {
  if (n < 1 || int64_t(hessian.size()) != n * n)
    throw Error("GPTQ: Hessian size does not match " + std::to_string(n) + " x " + std::to_string(n));
  // Row-major H read as column-major is H^T: the same matrix for a symmetric H.
  MatrixXd H = Eigen::Map<const MatrixXd>(hessian.data(), n, n).transpose();
  MatrixXd U = inverseCholeskyUpper(H, lambda);
  std::vector<double> out(static_cast<size_t>(n * n));
  Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(out.data(), n, n) = U;
  return out;
}

GptqResult gptqQuantize(const Tensor& weight, const Tensor& calibration, const QuantConfig& config,
                        const GptqOptions& options, const std::atomic<bool>* cancel) {
  if (weight.shape.size() != 2)
    throw Error("GPTQ needs a weight [out, in], got " + shapeToString(weight.shape));
  if (calibration.shape.size() != 2 || calibration.shape[1] != weight.shape[1])
    throw Error("GPTQ: calibration tokens " + shapeToString(calibration.shape) +
                " do not match the weight's " + std::to_string(weight.shape[1]) + " inputs");
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<double> h = gptqHessian(calibration);
  const double hessianMs = msSince(t0);
  checkCancel(cancel);
  GptqResult r = gptqQuantizeWithHessian(weight, std::move(h), config, options, cancel);
  r.hessianMs = hessianMs;
  return r;
}

namespace {

struct ParamPlan {
  ParamMode mode = ParamMode::Tensor;
  int64_t groupSize = 0; // ParamMode::Group: columns per group
};

// Which parameters GPTQ fits, and where: the granularity seen from a weight [out, in].
ParamPlan planParams(const QuantConfig& config, const GroupQuantizer& gq, int64_t in) {
  Granularity g = config.granularity.value_or(defaultGranularity(gq.kernel()));
  if (g.autoAxis())
    g.axis = 0; // the weight is [out, in]
  else if (g.axis < 0)
    g.axis += 2;
  ParamPlan plan{ParamMode::Tensor, in};
  switch (g.kind) {
  case GranularityKind::Tensor:
    return plan;
  case GranularityKind::Token:
    plan.mode = ParamMode::Row;
    return plan;
  case GranularityKind::Channel:
    if (g.axis != 0)
      throw Error("GPTQ needs per-channel scales along axis 0 (output channels) of the weight");
    plan.mode = ParamMode::Row;
    return plan;
  case GranularityKind::Group:
    if (g.axis != 0)
      throw Error("GPTQ needs groups of the output channels on axis 0, along the input axis of the weight");
    if (g.groupSize < 1)
      throw Error("GPTQ group size must be >= 1");
    plan.mode = ParamMode::Group;
    plan.groupSize = g.groupSize;
    return plan;
  case GranularityKind::Block: // GPTQ fits as it goes, one column group at a time
    throw Error("GPTQ does not take block granularity (2-D tiles); use group or channel");
  case GranularityKind::None:
    if (!gq.kernel().castable())
      throw Error("granularity 'none' is a plain cast and only exists for float formats");
    plan.mode = ParamMode::Cast;
    return plan;
  }
  throw Error("GPTQ: unsupported granularity");
}

// Parameters fitted before any column is reached (per tensor, per row).
std::vector<GroupQuantizer::Params> initialParams(const GroupQuantizer& gq, ParamMode mode,
                                                  const Tensor& weight) {
  const int64_t out = weight.shape[0], in = weight.shape[1];
  std::vector<GroupQuantizer::Params> params(static_cast<size_t>(out));
  if (mode == ParamMode::Tensor) {
    const auto p = gq.fitValues(weight.values.data(), out * in);
    std::fill(params.begin(), params.end(), p);
  } else if (mode == ParamMode::Row) {
    for (int64_t r = 0; r < out; ++r)
      params[size_t(r)] = gq.fitValues(weight.values.data() + r * in, in);
  }
  return params;
}

// Dead inputs (H_jj = 0) get H_jj = 1 and a zero weight column; act-order
// permutes H and W by descending H_jj. Consumes `hessian`, returns H.
MatrixXd prepareHessian(std::vector<double>& hessian, int64_t in, bool actOrder, MatrixXf& W,
                        GptqResult& result) {
  Eigen::Map<MatrixXd> Hmap(hessian.data(), in, in);
  for (int64_t j = 0; j < in; ++j)
    if (Hmap(j, j) == 0.0) {
      Hmap(j, j) = 1.0;
      W.col(j).setZero();
      ++result.deadColumns;
    }
  result.permutation.resize(size_t(in));
  std::iota(result.permutation.begin(), result.permutation.end(), int64_t(0));
  MatrixXd H;
  if (actOrder) {
    std::stable_sort(result.permutation.begin(), result.permutation.end(),
                     [&](int64_t a, int64_t b) { return Hmap(a, a) > Hmap(b, b); });
    const Eigen::Map<const Eigen::Matrix<int64_t, Eigen::Dynamic, 1>> perm(result.permutation.data(), in);
    H = Hmap(perm, perm);
    MatrixXf Wp = W(Eigen::all, perm);
    W.swap(Wp);
  } else {
    H = Hmap;
  }
  hessian.clear();
  hessian.shrink_to_fit();
  return H;
}

// The column loop of one block [i1, i1 + count) over row chunks in parallel:
// quantize a column, spread its error over the block's later columns.
// Returns the block's share of the loss.
double quantizeBlock(const GroupQuantizer& gq, const ParamPlan& plan, const MatrixXf& U, const MatrixXf& W,
                     int64_t i1, MatrixXf& W1, MatrixXf& E1, MatrixXf& Q,
                     std::vector<GroupQuantizer::Params>& params) {
  constexpr int64_t kRowChunk = 128;
  const int64_t out = W.rows(), in = W.cols(), count = W1.cols();
  const int64_t rowChunks = (out + kRowChunk - 1) / kRowChunk;
  float* w1 = W1.data();
  float* e1 = E1.data();
  const float* wOuter = W.data();
  float* q = Q.data();
  double loss = 0.0;
#pragma omp parallel for schedule(dynamic, 1) reduction(+ : loss)
  for (int64_t chunk = 0; chunk < rowChunks; ++chunk) {
    const int64_t r0 = chunk * kRowChunk, r1 = std::min(out, r0 + kRowChunk);
    std::vector<GroupQuantizer::Params> local(params.begin() + r0, params.begin() + r1);
    for (int64_t i = 0; i < count; ++i) {
      const int64_t col = i1 + i;
      if (plan.mode == ParamMode::Group && col % plan.groupSize == 0) {
        const int64_t len = std::min(plan.groupSize, in - col);
        for (int64_t r = r0; r < r1; ++r)
          local[size_t(r - r0)] = gq.fitValues(wOuter + col * out + r, len, out);
      }
      const float d = U(col, col);
      float* wi = w1 + i * out;
      float* ei = e1 + i * out;
      float* qi = q + col * out;
      for (int64_t r = r0; r < r1; ++r) {
        const float w = wi[r];
        const float qv = plan.mode == ParamMode::Cast ? gq.cast(w) : gq.quantize(w, local[size_t(r - r0)]);
        qi[r] = qv;
        const float e = (w - qv) / d;
        ei[r] = e;
        loss += 0.5 * double(e) * double(e);
      }
      for (int64_t j = i + 1; j < count; ++j) {
        const float hij = U(col, i1 + j);
        float* wj = w1 + j * out;
        for (int64_t r = r0; r < r1; ++r)
          wj[r] -= ei[r] * hij;
      }
    }
    // A group may continue into the next block: keep its parameters (rows are owned by this chunk).
    std::copy(local.begin(), local.end(), params.begin() + r0);
  }
  return loss;
}

} // namespace

GptqResult gptqQuantizeWithHessian(const Tensor& weight, std::vector<double> hessian,
                                   const QuantConfig& config, const GptqOptions& options,
                                   const std::atomic<bool>* cancel) {
  if (weight.shape.size() != 2)
    throw Error("GPTQ needs a weight [out, in], got " + shapeToString(weight.shape));
  const int64_t out = weight.shape[0], in = weight.shape[1];
  if (int64_t(hessian.size()) != in * in)
    throw Error("GPTQ: Hessian size does not match the weight's " + std::to_string(in) + " inputs");
  if (options.blockSize < 1)
    throw Error("GPTQ block size must be >= 1");
  if (!(options.dampPercent >= 0))
    throw Error("GPTQ damping must be >= 0");
  const GroupQuantizer gq(config);
  const ParamPlan plan = planParams(config, gq, in);

  GptqResult result;
  const auto tFactor = std::chrono::steady_clock::now();
  MatrixXf W = eig::CMapRowF(weight.values.data(), out, in); // column-major: columns contiguous
  std::vector<GroupQuantizer::Params> params = initialParams(gq, plan.mode, weight);
  MatrixXd H = prepareHessian(hessian, in, options.actOrder, W, result);
  result.damp = options.dampPercent * H.diagonal().mean();
  const MatrixXf U = inverseCholeskyUpper(H, result.damp).cast<float>();
  result.factorMs = msSince(tFactor);
  checkCancel(cancel);

  const auto tQuant = std::chrono::steady_clock::now();
  MatrixXf Q(out, in);
  for (int64_t i1 = 0; i1 < in; i1 += options.blockSize) {
    const int64_t count = std::min<int64_t>(options.blockSize, in - i1), i2 = i1 + count;
    MatrixXf W1 = W.middleCols(i1, count);
    MatrixXf E1(out, count);
    result.loss += quantizeBlock(gq, plan, U, W, i1, W1, E1, Q, params);
    if (i2 < in) {
      const eig::ThreadsForWork threads(double(out) * double(count) * double(in - i2));
      W.rightCols(in - i2).noalias() -= E1 * U.block(i1, i2, count, in - i2);
    }
    checkCancel(cancel);
  }

  result.dequantized.resize(size_t(out * in));
  float* dst = result.dequantized.data();
  const std::vector<int64_t>& perm = result.permutation;
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < out; ++r)
    for (int64_t k = 0; k < in; ++k)
      dst[r * in + perm[size_t(k)]] = Q(r, k);
  result.quantizeMs = msSince(tQuant);
  return result;
}

} // namespace qs
