#pragma once
// The operands of a linear layer Y = X * W^T as 2-D row-major tensors:
// W [out, in] and X [tokens, in], and the seeded calibration / evaluation
// split of the tokens that every layer method shares.
#include "core/tensor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qs {

// A weight as [out, in]. Accepts [out, in] and convolution weights
// [out, in, 1, 1] / [out, in, 1] (a 1x1 kernel is a linear map over channels).
// Throws qs::Error for other shapes (kh * kw > 1 needs im2col, not supported).
Tensor linearWeight(const Tensor& weight);

// How an activation tensor is seen as tokens x channels.
enum class ActivationLayout {
  Auto,     // pick from the rank and which dimension equals `inFeatures`
  Tokens,   // [T, C]
  BatchSeq, // [B, S, C]    -> [B*S, C]
  Nchw,     // [N, C, H, W] -> permute to [N, H, W, C] -> [N*H*W, C]
  Nhwc,     // [N, H, W, C] -> [N*H*W, C]
};
const char* toString(ActivationLayout layout);

struct FlatActivations {
  Tensor tokens;                                      // [tokens, inFeatures]
  ActivationLayout layout = ActivationLayout::Tokens; // the layout used
  std::string how;                                    // "[4, 128, 512] [B,S,C] -> [512, 512] = [B*S, C]"
};

// Flattens activations to [tokens, inFeatures]. Auto: rank 2 -> Tokens,
// rank 3 -> BatchSeq, rank 4 -> Nchw when shape[1] == inFeatures, else Nhwc
// when shape[3] == inFeatures. Throws qs::Error when the channel dimension
// does not match inFeatures.
FlatActivations flattenActivations(const Tensor& x, int64_t inFeatures,
                                   ActivationLayout layout = ActivationLayout::Auto);

struct TokenSplit {
  std::vector<int64_t> calibration; // ascending token indices
  std::vector<int64_t> evaluation;  // ascending, disjoint from calibration
};

// Seeded random split of `tokens` rows: `calibCount` calibration tokens when
// > 0, else round(calibFraction * tokens). Both parts get at least one token;
// throws qs::Error when tokens < 2 or the fraction is outside (0, 1).
// The permutation is a Fisher-Yates shuffle driven by splitmix64, so a seed
// gives the same split on every platform.
TokenSplit splitTokens(int64_t tokens, double calibFraction, int64_t calibCount, uint64_t seed);

// The rows `rows` of a 2-D tensor, in that order.
Tensor gatherRows(const Tensor& x, const std::vector<int64_t>& rows);

} // namespace qs
