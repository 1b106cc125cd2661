#pragma once
// The layer workbench: one linear layer Y = X * W^T, its tokens split into
// calibration and held-out evaluation parts, and the methods RTN /
// SmoothQuant / AWQ / GPTQ compared on the same evaluation tokens against the
// float output. Every method's weight goes through the same weight config,
// activations through the same activation config:
//   RTN        : Y = Qa(X) * Qw(W)^T
//   SmoothQuant: s = smoothQuantScales(max|X_j|, max|W_j|, alpha),
//                Y = Qa(X / s) * Qw(W * s)^T
//   AWQ        : s from the alpha grid search, Y = Qa(X / s) * Qw(W * s)^T
//   GPTQ       : Y = Qa(X) * GPTQ(W)^T (Hessian of the calibration tokens)
//   Hadamard   : R = H·D / sqrt(b) along the inputs (core/quant/hadamard.h, signs
//                from LayerOptions::seed), Y = Qa(X R^T) * Qw(W R^T)^T, since
//                (X R^T)(W R^T)^T = X W^T (QuaRot / SpinQuant's rotation)
// Static activation ranges are calibrated on the calibration tokens of the
// (scaled) input the method feeds to the matmul.
#include "core/layer/activation_quant.h"
#include "core/layer/activation_stats.h"
#include "core/layer/awq.h"
#include "core/layer/gptq.h"
#include "core/quant/quant_result.h"
#include "core/tensor.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace qs {

enum class LayerMethod { Rtn, SmoothQuant, Awq, Gptq, Hadamard };
inline constexpr int kLayerMethodCount = 5;
const char* toString(LayerMethod method); // "rtn", "smoothquant", "awq", "gptq", "hadamard"
LayerMethod layerMethodFromString(const std::string& s);
std::vector<LayerMethod> allLayerMethods();

struct LayerOptions {
  QuantConfig weight;        // format / granularity / group size / clipping for W
  ActQuantConfig activation; // "float" = weight-only (W4A16 ...)
  std::vector<LayerMethod> methods = allLayerMethods();
  double smoothAlpha = 0.5;
  AwqOptions awq;
  GptqOptions gptq;
  double calibFraction = 0.5; // of the tokens, when calibCount == 0
  int64_t calibCount = 0;
  uint64_t seed = 0; // the token split and the Hadamard method's signs
  OutlierRule outlierRule = OutlierRule::MedianRatio;
  double outlierThreshold = 6.0;
  int histogramBins = 101; // output error histogram (shared range)

  LayerOptions(); // weight defaults to int4 sym, group 128 along the inputs
};

// Metrics (same definitions as quant_result.h) of q against the reference x.
Metrics compareValues(const float* x, const float* q, int64_t n);

struct LayerMethodResult {
  LayerMethod method = LayerMethod::Rtn;
  std::string label;                    // "SmoothQuant (alpha 0.50)"
  double alpha = -1;                    // SmoothQuant's alpha / AWQ's best alpha; -1 otherwise
  Metrics output;                       // Y_method vs Y_float on evaluation tokens
  Metrics weight;                       // effective weight (Q(W s) / s) vs W
  std::vector<float> channelMse;        // per output channel: mean_t (y - y_q)^2
  Histogram outputError;                // y_q - y over a range shared by all methods
  int64_t actClipped = 0, actCount = 0; // static activation clipping on evaluation tokens
  float actLo = 0, actHi = 0;
  std::vector<float> smoothedAbsMax;       // max|X_j / s_j| on calibration tokens (SmoothQuant, AWQ),
                                           // max|(X R^T)_j| (Hadamard)
  int64_t rotationBlock = 0;               // Hadamard: b
  std::vector<float> scales;               // s_j (SmoothQuant, AWQ)
  std::vector<double> gridAlpha, gridLoss; // AWQ search curve
  double gptqLoss = 0;
  double ms = 0;
  std::string error; // non-empty: this method could not run (e.g. GPTQ with a block format); no metrics
};

struct LayerReport {
  int64_t outFeatures = 0, inFeatures = 0;
  int64_t calibrationTokens = 0, evaluationTokens = 0;
  std::string weightLabel;               // "int4 sym, group 128 (axis 1)"
  std::string activationLabel;           // "int8 sym, static (minmax)" or "float"
  ActivationStats calibration;           // of the calibration tokens (what the methods see)
  std::vector<float> tokenMin, tokenMax; // per evaluation token
  std::vector<float> weightAbsMax;       // max_i |W[i, j]| per input channel
  double floatOutputRms = 0;             // sqrt(mean(Y^2)) of the float output
  std::vector<LayerMethodResult> methods;
  double totalMs = 0;
};

// Progress: (step, steps, what) before each method; may be empty.
using LayerProgress = std::function<void(int, int, const std::string&)>;

// weight [out, in] (linearWeight), tokens [N, in] (flattenActivations).
// Throws qs::Error for bad shapes or options (or when every method fails),
// qs::Cancelled on *cancel. A method that cannot serve the weight config
// keeps its row with `error` set.
LayerReport runLayerComparison(const Tensor& weight, const Tensor& tokens, const LayerOptions& options,
                               const std::atomic<bool>* cancel = nullptr, const LayerProgress& progress = {});

} // namespace qs
