#pragma once
// The randomized Hadamard transform of QuaRot / SpinQuant: a row x of length n
// becomes H·D·x / sqrt(b), with D = diag(d_0..d_{n-1}) of seeded random signs
// and H the Sylvester Walsh–Hadamard matrix (H_1 = [1], H_2k = [[H_k, H_k],
// [H_k, -H_k]]). When n is not a power of two, H is block-diagonal with blocks
// of b, the largest power of two dividing n (b = 1 for odd n: no rotation,
// the signs not applied either).
// The transform is orthogonal: its inverse is D·H·y / sqrt(b).
//
// Sign j (the same for every row, so that a weight and its input rotate alike):
//   d_j = +1 when uniformAt(seed ^ kHadamardSignSalt, j) < 0.5, else -1
// (uniformAt of core/formats/format_kernel.h; the salt keeps the signs apart
// from stochastic rounding's draws under the same seed).
#include "core/tensor.h"

#include <cstdint>
#include <vector>

namespace qs {

inline constexpr uint64_t kHadamardSignSalt = 0x48616461'6D617264ull; // "Hadamard"

// The largest power of two dividing n (n >= 1); 1 for odd n.
int64_t hadamardBlock(int64_t n);
// d_0..d_{n-1} as +-1.0f.
std::vector<float> hadamardSigns(uint64_t seed, int64_t n);

// In-place unnormalised Walsh–Hadamard transform of x[0, b), b a power of two:
// stages h = 1, 2, 4, ... b/2 of butterflies (a, b) -> (a + b, a - b). Both
// twins do the same additions in the same order, so they agree bit for bit.
void fwht(float* x, int64_t b);
void fwhtScalar(float* x, int64_t b);
void fwhtAvx2(float* x, int64_t b);

struct HadamardRotation {
  int64_t length = 0; // n, the row length
  int64_t block = 1;  // b
  std::vector<float> signs;
  bool identity() const { return block <= 1; }
  // `rows` rows of `length` floats, row-major, in place; OpenMP over rows.
  // forward: y = H·D·x / sqrt(b) per block; inverse: x = D·H·y / sqrt(b).
  void rotateRows(float* data, int64_t rows, bool inverse) const;
};

// Throws qs::Error for length < 1.
HadamardRotation makeHadamardRotation(int64_t length, uint64_t seed);

// A tensor rotated along its reduction axis: the rows of
// channelView(shape, outAxis), [out, every other axis flattened in order]
// (docs/ARCHITECTURE.md, "Axes"). `values` holds shapeNumel(shape) floats.
HadamardRotation tensorRotation(const Shape& shape, int outAxis, uint64_t seed);
void rotateTensor(const HadamardRotation& rotation, const Shape& shape, int outAxis, float* values,
                  bool inverse);

} // namespace qs
