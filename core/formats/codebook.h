#pragma once
// Non-uniform grids: w ~ scale * levels[code]. Levels are sorted ascending and
// normalised so that max |level| = 1; the scale of a group is its absmax.
#include <cstdint>
#include <string>
#include <vector>

namespace qs {

struct Codebook {
  std::string name;
  std::vector<float> levels; // ascending, max |level| == 1
  int bits() const;          // ceil(log2(levels.size()))
  // Index of the nearest level (ties to the lower index); levels must be sorted.
  int nearest(float y) const;
};

const Codebook& nf4Codebook();     // the 16 QLoRA NF4 values
const Codebook& fp4BnbCodebook();  // bitsandbytes FP4 (E2M1 with its bias), normalised
const Codebook& iq4nlCodebook();   // llama.cpp kvalues_iq4nl / 127
const Codebook& binaryCodebook();  // {-1, +1}: sign times the group's absmax
const Codebook& ternaryCodebook(); // {-1, 0, +1}
// Validates, sorts, de-duplicates and normalises (max |level| = 1) user levels (throws qs::Error on < 2
// levels, NaN, > 256 levels).
Codebook makeUserCodebook(std::vector<float> levels);

// Weighted 1-D k-means, deterministic for a seed: returns `k` sorted
// centroids for `values` (weights = 1 when `weights` is null). Small inputs
// (k * d * log2 d <= 2e6 for d distinct values) are solved exactly by dynamic
// programming; larger ones by Lloyd from a weighted-quantile start plus
// k-means++ starts (splitmix64 stream of `seed`), keeping the lowest cost;
// `maxIterations` bounds each Lloyd run. Fewer than k distinct values: those values,
// padded with copies of the largest. NaN/inf values are ignored; negative
// weights or k < 1 throw qs::Error.
std::vector<float> kmeans1d(const float* values, const float* weights, int64_t n, int k, uint64_t seed,
                            int maxIterations = 50);

} // namespace qs
