#include "core/layer/synthetic_layer.h"

#include "core/error.h"
#include "core/layer/splitmix.h"

#include <algorithm>
#include <cmath>

namespace qs {

SyntheticLayer makeSyntheticLayer(const SyntheticLayerSpec& spec) {
  if (spec.outFeatures < 1 || spec.inFeatures < 1 || spec.tokens < 2)
    throw Error("synthetic layer needs out >= 1, in >= 1 and tokens >= 2");
  if (spec.identityLike && spec.outFeatures != spec.inFeatures)
    throw Error("an identity-like synthetic layer needs out == in");
  if (spec.outlierChannels < 0 || spec.outlierChannels > spec.inFeatures)
    throw Error("outlier channel count must be in [0, in]");
  SplitMix64 rng(spec.seed ^ 0x5eed1a7e5eed1a7eULL);
  const int64_t out = spec.outFeatures, in = spec.inFeatures, tokens = spec.tokens;

  SyntheticLayer layer;
  layer.weight.name = "demo.weight";
  layer.weight.shape = {out, in};
  layer.weight.values.resize(size_t(out * in));
  for (int64_t r = 0; r < out; ++r)
    for (int64_t c = 0; c < in; ++c) {
      double v = spec.weightStd * rng.normal();
      if (spec.identityLike && r == c)
        v += 1.0;
      layer.weight.values[size_t(r * in + c)] = float(v);
    }

  // Per-channel scale: log-normal around 1 (sigma 0.3), outliers x[50, 100].
  // The identity-like layer keeps every channel at scale 1.
  std::vector<double> channelScale(static_cast<size_t>(in), 1.0);
  if (!spec.identityLike)
    for (auto& s : channelScale)
      s = std::exp(0.3 * rng.normal());
  if (!spec.identityLike) {
    std::vector<int64_t> channels(static_cast<size_t>(in));
    for (int64_t c = 0; c < in; ++c)
      channels[size_t(c)] = c;
    for (int i = 0; i < spec.outlierChannels; ++i) {
      std::swap(channels[size_t(i)], channels[size_t(i) + rng.below(uint64_t(in - i))]);
      const int64_t c = channels[size_t(i)];
      channelScale[size_t(c)] = spec.outlierMin + (spec.outlierMax - spec.outlierMin) * rng.uniform();
      layer.outlierChannels.push_back(c);
    }
    std::sort(layer.outlierChannels.begin(), layer.outlierChannels.end());
  }

  // Hidden states of a network are strongly correlated across channels: each
  // token is a mix of a few latent directions (rank r = in/16, 8..64) plus 20%
  // independent noise, so X^T X is far from diagonal (what GPTQ exploits).
  // The identity-like layer has independent channels. Then a per-token scale
  // (some tokens louder) and the channel scale; outlier channels also keep a
  // consistent sign per channel, as in LLMs.
  const int64_t rank = spec.identityLike ? 0 : std::clamp<int64_t>(in / 16, 8, 64);
  std::vector<float> mix(static_cast<size_t>(rank * in));
  for (auto& m : mix)
    m = float(rng.normal() / std::sqrt(double(std::max<int64_t>(rank, 1))));
  const double latentShare = rank > 0 ? std::sqrt(0.8) : 0.0, noiseShare = rank > 0 ? std::sqrt(0.2) : 1.0;
  layer.input.name = "demo.input";
  layer.input.shape = {tokens, in};
  layer.input.values.resize(size_t(tokens * in));
  std::vector<double> outlierMean(static_cast<size_t>(in), 0.0);
  for (int64_t c : layer.outlierChannels)
    outlierMean[size_t(c)] = rng.uniform() < 0.5 ? -0.8 : 0.8;
  std::vector<float> latent(static_cast<size_t>(rank)), mixed(static_cast<size_t>(in));
  for (int64_t t = 0; t < tokens; ++t) {
    const double tokenScale = spec.identityLike ? 1.0 : std::exp(0.25 * rng.normal());
    for (auto& z : latent)
      z = float(rng.normal());
    std::fill(mixed.begin(), mixed.end(), 0.0f);
    for (int64_t k = 0; k < rank; ++k) {
      const float z = latent[size_t(k)];
      const float* m = mix.data() + k * in;
      for (int64_t c = 0; c < in; ++c)
        mixed[size_t(c)] += z * m[c];
    }
    for (int64_t c = 0; c < in; ++c) {
      const double z = outlierMean[size_t(c)] + latentShare * mixed[size_t(c)] + noiseShare * rng.normal();
      layer.input.values[size_t(t * in + c)] = float(tokenScale * channelScale[size_t(c)] * z);
    }
  }
  return layer;
}

} // namespace qs
