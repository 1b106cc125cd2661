#include "core/layer/layer_input.h"

#include "core/error.h"
#include "core/layer/splitmix.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace qs {

const char* toString(ActivationLayout layout) {
  switch (layout) {
  case ActivationLayout::Auto:
    return "auto";
  case ActivationLayout::Tokens:
    return "tokens";
  case ActivationLayout::BatchSeq:
    return "batch-seq";
  case ActivationLayout::Nchw:
    return "nchw";
  case ActivationLayout::Nhwc:
    return "nhwc";
  }
  return "?";
}

Tensor linearWeight(const Tensor& weight) {
  const Shape& s = weight.shape;
  const bool conv1x1 = (s.size() == 4 && s[2] == 1 && s[3] == 1) || (s.size() == 3 && s[2] == 1);
  if (s.size() != 2 && !conv1x1) {
    if (s.size() >= 3)
      throw Error("weight '" + weight.name + "' " + shapeToString(s) +
                  " is a convolution with a kernel larger than 1x1; only [out, in] and 1x1 kernels "
                  "are linear layers");
    throw Error("weight '" + weight.name + "' " + shapeToString(s) + " is not a matrix [out, in]");
  }
  if (s[0] < 1 || s[1] < 1)
    throw Error("weight '" + weight.name + "' " + shapeToString(s) + " is empty");
  Tensor w = weight;
  w.shape = {s[0], s[1]};
  return w;
}

namespace {

std::string dims(const Shape& s) {
  return shapeToString(s);
}

} // namespace

FlatActivations flattenActivations(const Tensor& x, int64_t inFeatures, ActivationLayout layout) {
  const Shape& s = x.shape;
  const std::string who = "activations '" + x.name + "' " + dims(s);
  if (layout == ActivationLayout::Auto) {
    if (s.size() == 2)
      layout = ActivationLayout::Tokens;
    else if (s.size() == 3)
      layout = ActivationLayout::BatchSeq;
    else if (s.size() == 4)
      layout = s[1] == inFeatures ? ActivationLayout::Nchw
                                  : (s[3] == inFeatures ? ActivationLayout::Nhwc : ActivationLayout::Nchw);
    else
      throw Error(who + ": expected [tokens, in], [batch, seq, in] or [N, C, H, W]");
  }
  const size_t rank = layout == ActivationLayout::Tokens ? 2 : (layout == ActivationLayout::BatchSeq ? 3 : 4);
  if (s.size() != rank)
    throw Error(who + " does not have rank " + std::to_string(rank) + " for layout " + toString(layout));
  const int64_t channelDim = layout == ActivationLayout::Nchw ? 1 : int64_t(rank) - 1;
  if (s[channelDim] != inFeatures)
    throw Error(who + ": channel dimension " + std::to_string(s[channelDim]) +
                " does not match the weight's " + std::to_string(inFeatures) + " input features");

  FlatActivations out;
  out.layout = layout;
  out.tokens.name = x.name;
  out.tokens.storedDtype = x.storedDtype;
  const int64_t tokens = inFeatures > 0 ? x.numel() / inFeatures : 0;
  if (tokens < 1)
    throw Error(who + " holds no tokens");
  out.tokens.shape = {tokens, inFeatures};
  const std::string flat = dims(out.tokens.shape);
  switch (layout) {
  case ActivationLayout::Tokens:
    out.how = dims(s) + " [T,C] used as is";
    out.tokens.values = x.values;
    break;
  case ActivationLayout::BatchSeq:
    out.how = dims(s) + " [B,S,C] -> " + flat + " = [B*S, C]";
    out.tokens.values = x.values;
    break;
  case ActivationLayout::Nhwc:
    out.how = dims(s) + " [N,H,W,C] -> " + flat + " = [N*H*W, C]";
    out.tokens.values = x.values;
    break;
  case ActivationLayout::Nchw: {
    out.how = dims(s) + " [N,C,H,W] -> permute [N,H,W,C] -> " + flat + " = [N*H*W, C]";
    const int64_t n = s[0], c = s[1], hw = s[2] * s[3];
    out.tokens.values.resize(x.values.size());
    float* dst = out.tokens.values.data();
    const float* src = x.values.data();
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < n; ++b)
      for (int64_t ch = 0; ch < c; ++ch) {
        const float* plane = src + (b * c + ch) * hw;
        float* col = dst + b * hw * c + ch;
        for (int64_t p = 0; p < hw; ++p)
          col[p * c] = plane[p];
      }
    break;
  }
  case ActivationLayout::Auto:
    break;
  }
  return out;
}

TokenSplit splitTokens(int64_t tokens, double calibFraction, int64_t calibCount, uint64_t seed) {
  if (tokens < 2)
    throw Error("need at least 2 tokens to split into calibration and evaluation, got " +
                std::to_string(tokens));
  int64_t k = calibCount;
  if (k <= 0) {
    if (!(calibFraction > 0.0 && calibFraction < 1.0))
      throw Error("calibration fraction must be in (0, 1), got " + std::to_string(calibFraction));
    k = std::llround(calibFraction * double(tokens));
  }
  k = std::clamp<int64_t>(k, 1, tokens - 1);
  std::vector<int64_t> perm(static_cast<size_t>(tokens));
  std::iota(perm.begin(), perm.end(), int64_t(0));
  SplitMix64 rng(seed);
  for (int64_t i = tokens - 1; i > 0; --i)
    std::swap(perm[size_t(i)], perm[size_t(rng.below(uint64_t(i) + 1))]);
  TokenSplit split;
  split.calibration.assign(perm.begin(), perm.begin() + k);
  split.evaluation.assign(perm.begin() + k, perm.end());
  std::sort(split.calibration.begin(), split.calibration.end());
  std::sort(split.evaluation.begin(), split.evaluation.end());
  return split;
}

Tensor gatherRows(const Tensor& x, const std::vector<int64_t>& rows) {
  if (x.shape.size() != 2)
    throw Error("gatherRows needs a 2-D tensor, got " + shapeToString(x.shape));
  const int64_t cols = x.shape[1];
  Tensor out;
  out.name = x.name;
  out.storedDtype = x.storedDtype;
  out.shape = {int64_t(rows.size()), cols};
  out.values.resize(rows.size() * size_t(cols));
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] < 0 || rows[i] >= x.shape[0])
      throw Error("row " + std::to_string(rows[i]) + " out of range for " + shapeToString(x.shape));
    std::copy_n(x.values.data() + rows[i] * cols, cols, out.values.data() + int64_t(i) * cols);
  }
  return out;
}

} // namespace qs
