#pragma once
// A synthetic linear layer that looks like an LLM projection: Gaussian weights
// and activations whose channels are correlated (a low-rank latent mix plus
// noise), have mildly varying scales, and include a few outlier channels
// 50-100x larger (the pattern LLM.int8 and SmoothQuant describe). Used by the demo (GUI, `quantscope-cli
// layer --demo`) and tests.
#include "core/tensor.h"

#include <cstdint>
#include <vector>

namespace qs {

struct SyntheticLayerSpec {
  int64_t outFeatures = 512;
  int64_t inFeatures = 512;
  int64_t tokens = 1024;
  int outlierChannels = 4;  // input channels with a large activation scale
  double outlierMin = 50.0; // outlier scale drawn uniformly in [min, max]
  double outlierMax = 100.0;
  double weightStd = 0.02;
  // W = I + N(0, weightStd^2) (needs out == in); X independent unit-variance
  // channels, no outliers, no per-token or per-channel scale.
  bool identityLike = false;
  uint64_t seed = 0;
};

struct SyntheticLayer {
  Tensor weight;                        // "demo.weight" [out, in]
  Tensor input;                         // "demo.input"  [tokens, in]
  std::vector<int64_t> outlierChannels; // ascending
};

// Deterministic for a spec (splitmix64 + Box-Muller). Throws qs::Error for
// non-positive sizes or identityLike with out != in.
SyntheticLayer makeSyntheticLayer(const SyntheticLayerSpec& spec);

} // namespace qs
