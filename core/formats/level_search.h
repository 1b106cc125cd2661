#pragma once
// Rounding onto a sorted table of levels (codebooks, k-means centroids):
// y = clamp(x, lo, hi) * inv, code = nearest level (ties to the lower
// index) or a stochastic pick between the two around y, q = level * scale.
// Non-finite x pass through with code 0. The nearest search has SIMD twins
// (core/util/simd.h); the AVX2 one handles 2..16 levels and leaves larger
// tables to the scalar loop.
#include "core/util/simd.h"

#include <cstdint>

namespace qs {

struct LevelGrid {
  const float* levels = nullptr; // ascending
  int count = 0;
  float lo = 0, hi = 0; // clamp of x
  float inv = 1, scale = 1;
};

// Index of the nearest of sorted `levels` (ties to the lower index).
int nearestLevel(const float* levels, int count, float y);

QS_AVX2 void applyNearestLevels(const LevelGrid& grid, const float* x, int64_t n, float* deq, int32_t* codes);
void applyNearestLevelsScalar(const LevelGrid& grid, const float* x, int64_t n, float* deq, int32_t* codes);
// Picks the twin (simd::useAvx2()) once for the run.
void applyNearestLevelsBest(const LevelGrid& grid, const float* x, int64_t n, float* deq, int32_t* codes);

// Up with probability (y - below) / (above - below), so E[q] = y inside the
// grid; u for element i is uniformAt(seed, index0 + i).
void applyStochasticLevels(const LevelGrid& grid, uint64_t seed, uint64_t index0, const float* x, int64_t n,
                           float* deq, int32_t* codes);

} // namespace qs
