#pragma once
// GPTQ (Frantar et al. 2022, "GPTQ: Accurate Post-Training Quantization for
// Generative Pre-trained Transformers"), following the reference
// fasterquant(): H = 2 X^T X / N, dead inputs (H_jj = 0) zeroed, optional
// act-order (columns by descending H_jj), damping lambda = dampPercent *
// mean(diag H), Hinv = upper Cholesky factor of (H + lambda I)^-1, then column
// by column: quantize, error e = (w - q) / Hinv_ii fed back to the remaining
// columns of the block, and a lazy batch update of the columns after the
// block: W[:, i2:] -= E * Hinv[i1:i2, i2:].
// Group scales are fitted when the first column of a group is reached, from
// the weights as they are at that moment (the reference's behaviour; with
// act-order the groups run over the permuted columns, as its g_idx does).
#include "core/quant/quant_config.h"
#include "core/tensor.h"

#include <atomic>
#include <cstdint>
#include <vector>

namespace qs {

struct GptqOptions {
  double dampPercent = 0.01; // of the mean diagonal of H
  int64_t blockSize = 128;
  bool actOrder = false;
};

struct GptqResult {
  std::vector<float> dequantized;   // [out, in], original column order
  std::vector<int64_t> permutation; // act-order column order (identity without it)
  double loss = 0;                  // sum over rows and columns of (w - q)^2 / Hinv_ii^2 / 2
  double damp = 0;                  // lambda actually added
  int64_t deadColumns = 0;          // inputs that were never active (H_jj == 0)
  double hessianMs = 0, factorMs = 0, quantizeMs = 0;
};

// H = 2 X^T X / N of the tokens x [N, in], as a full symmetric row-major
// [in, in] matrix (float GEMM on token chunks of 256, accumulated in double).
std::vector<double> gptqHessian(const Tensor& x);

// The upper triangular U with U^T U = (H + lambda I)^-1, row-major [n, n]
// (H is taken as is: no dead-column handling). Computed without forming the
// inverse: with P the reversal permutation, P H P = L L^T gives
// U = P L^-1 P. Throws qs::Error when H + lambda I is not positive definite.
std::vector<double> gptqInverseCholesky(const std::vector<double>& hessian, int64_t n, double lambda);

// Quantizes weight [out, in] with `config` (int / float / codebook formats;
// granularity: tensor, channel along axis 0, or group along axis 1) using the
// Hessian of the calibration tokens [N, in]. qs::Cancelled between blocks.
GptqResult gptqQuantize(const Tensor& weight, const Tensor& calibration, const QuantConfig& config,
                        const GptqOptions& options = {}, const std::atomic<bool>* cancel = nullptr);

// The same from a ready Hessian (row-major [in, in]).
GptqResult gptqQuantizeWithHessian(const Tensor& weight, std::vector<double> hessian,
                                   const QuantConfig& config, const GptqOptions& options = {},
                                   const std::atomic<bool>* cancel = nullptr);

} // namespace qs
