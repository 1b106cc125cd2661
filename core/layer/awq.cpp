#include "core/layer/awq.h"

#include "core/error.h"
#include "core/layer/eigen_util.h"
#include "core/pipeline/quantize.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace qs {

std::vector<float> awqScales(const std::vector<float>& meanAbsX, double alpha) {
  std::vector<float> s(meanAbsX.size());
  if (s.empty())
    return s;
  const float a = float(alpha);
  for (size_t j = 0; j < s.size(); ++j)
    s[j] = std::max(std::pow(meanAbsX[j], a), 1e-4f);
  const auto [mn, mx] = std::minmax_element(s.begin(), s.end());
  const float norm = std::sqrt(*mx * *mn);
  for (float& v : s)
    v /= norm;
  return s;
}

AwqResult awqSearch(const Tensor& weight, const Tensor& calibration, const QuantConfig& config,
                    const AwqOptions& options, const std::atomic<bool>* cancel) {
  if (weight.shape.size() != 2 || calibration.shape.size() != 2 || calibration.shape[1] != weight.shape[1])
    throw Error("AWQ needs weight [out, in] and calibration tokens [N, in]");
  if (options.gridSteps < 1)
    throw Error("AWQ grid needs at least one step");
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t out = weight.shape[0], in = weight.shape[1], n = calibration.shape[0];
  const int64_t k = options.maxSearchTokens > 0 ? std::min(n, options.maxSearchTokens) : n;

  // mean |x_j| over all calibration tokens.
  std::vector<double> sum(static_cast<size_t>(in), 0.0);
  for (int64_t t = 0; t < n; ++t) {
    const float* row = calibration.values.data() + t * in;
    for (int64_t j = 0; j < in; ++j)
      sum[size_t(j)] += std::fabs(row[j]);
  }
  std::vector<float> meanAbs(static_cast<size_t>(in));
  for (int64_t j = 0; j < in; ++j)
    meanAbs[size_t(j)] = float(sum[size_t(j)] / double(n));

  AwqResult best;
  best.searchTokens = k;
  double bestLoss = std::numeric_limits<double>::infinity();
  Tensor scaled;
  scaled.name = weight.name;
  scaled.shape = weight.shape;
  std::vector<float> diff(static_cast<size_t>(out * in));
  for (int step = 0; step <= options.gridSteps; ++step) {
    if (cancel && cancel->load(std::memory_order_relaxed))
      throw Cancelled();
    const double alpha = double(step) / options.gridSteps;
    std::vector<float> s = awqScales(meanAbs, alpha);
    scaled.values.resize(weight.values.size());
    {
      const float* w = weight.values.data();
      float* ws = scaled.values.data();
#pragma omp parallel for schedule(static)
      for (int64_t r = 0; r < out; ++r)
        for (int64_t j = 0; j < in; ++j)
          ws[r * in + j] = w[r * in + j] * s[size_t(j)];
    }
    std::vector<float> q = fakeQuantize(scaled, config, cancel);
    // diff = W - Q(W s) / s; loss = mean((X diff^T)^2) over the search tokens.
    const float* w = weight.values.data();
    const float* qp = q.data();
    float* d = diff.data();
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < out; ++r)
      for (int64_t j = 0; j < in; ++j)
        d[r * in + j] = w[r * in + j] - qp[r * in + j] / s[size_t(j)];
    const std::vector<float> e = eig::matmulXWt(calibration.values.data(), k, in, d, out);
    double loss = 0.0;
#pragma omp parallel for reduction(+ : loss) schedule(static)
    for (int64_t i = 0; i < int64_t(e.size()); ++i)
      loss += double(e[size_t(i)]) * double(e[size_t(i)]);
    loss /= double(e.size());
    best.gridAlpha.push_back(alpha);
    best.gridLoss.push_back(loss);
    if (loss < bestLoss) {
      bestLoss = loss;
      best.alpha = alpha;
      best.scales = std::move(s);
      best.scaledQuantized = std::move(q);
    }
  }
  if (best.scales.empty()) // every loss was NaN
    throw Error("AWQ search: the output error is not finite for any alpha");
  best.searchMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return best;
}

} // namespace qs
