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
  std::vector<double> channelScale(static_cast<size_t>(in));
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

  // Tokens: a per-token scale (some tokens louder) times the channel scale;
  // outlier channels keep a consistent sign per channel, as in LLMs.
  layer.input.name = "demo.input";
  layer.input.shape = {tokens, in};
  layer.input.values.resize(size_t(tokens * in));
  std::vector<double> outlierMean(size_t(in), 0.0);
  for (int64_t c : layer.outlierChannels)
    outlierMean[size_t(c)] = rng.uniform() < 0.5 ? -0.8 : 0.8;
  for (int64_t t = 0; t < tokens; ++t) {
    const double tokenScale = std::exp(0.25 * rng.normal());
    for (int64_t c = 0; c < in; ++c) {
      const double z = outlierMean[size_t(c)] + rng.normal();
      layer.input.values[size_t(t * in + c)] = float(tokenScale * channelScale[size_t(c)] * z);
    }
  }
  return layer;
}

} // namespace qs
