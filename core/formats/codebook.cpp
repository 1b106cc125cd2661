// Non-uniform codebooks: the published 4-bit tables and user levels.
#include "core/formats/codebook.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace qs {

int Codebook::bits() const {
  int b = 0;
  while ((size_t{1} << b) < levels.size())
    ++b;
  return b;
}

int Codebook::nearest(float y) const {
  // First level >= y; the answer is it or its left neighbour.
  const auto it = std::lower_bound(levels.begin(), levels.end(), y);
  if (it == levels.begin())
    return 0;
  if (it == levels.end())
    return static_cast<int>(levels.size()) - 1;
  const int hi = static_cast<int>(it - levels.begin());
  const float dLo = y - levels[static_cast<size_t>(hi - 1)];
  const float dHi = *it - y;
  return dHi < dLo ? hi : hi - 1; // ties go to the lower index
}

namespace {
Codebook fromTable(const char* name, std::vector<float> levels, float divisor) {
  Codebook c;
  c.name = name;
  for (float& v : levels)
    v /= divisor;
  std::sort(levels.begin(), levels.end());
  levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
  c.levels = std::move(levels);
  return c;
}
} // namespace

// QLoRA NF4 (bitsandbytes csrc/kernels.cu): quantiles of N(0, 1) scaled to [-1, 1].
const Codebook& nf4Codebook() {
  static const Codebook c =
      fromTable("nf4",
                {-1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
                 -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
                 0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
                 0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f},
                1.0f);
  return c;
}

// bitsandbytes FP4: E2M1 with its own bias, magnitudes {0, 0.0625, 2, 3, 4,
// 6, 8, 12} divided by 12. Codes 0 and 8 are +0 and -0, so 15 distinct levels.
const Codebook& fp4BnbCodebook() {
  static const Codebook c = fromTable("fp4_bnb",
                                      {0.0f, 0.0625f, 2.0f, 3.0f, 4.0f, 6.0f, 8.0f, 12.0f, -0.0625f, -2.0f,
                                       -3.0f, -4.0f, -6.0f, -8.0f, -12.0f},
                                      12.0f);
  return c;
}

// llama.cpp kvalues_iq4nl (ggml-common.h), divided by 127.
const Codebook& iq4nlCodebook() {
  static const Codebook c = fromTable(
      "iq4_nl_grid", {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113}, 127.0f);
  return c;
}

const Codebook& binaryCodebook() {
  static const Codebook c = fromTable("binary", {-1.0f, 1.0f}, 1.0f);
  return c;
}

const Codebook& ternaryCodebook() {
  static const Codebook c = fromTable("ternary", {-1.0f, 0.0f, 1.0f}, 1.0f);
  return c;
}

Codebook makeUserCodebook(std::vector<float> levels) {
  if (levels.size() < 2)
    throw Error("codebook needs at least 2 levels, got " + std::to_string(levels.size()));
  if (levels.size() > 256)
    throw Error("codebook has " + std::to_string(levels.size()) + " levels; at most 256 are allowed");
  for (float v : levels)
    if (!std::isfinite(v))
      throw Error("codebook levels must be finite numbers");
  std::sort(levels.begin(), levels.end());
  levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
  if (levels.size() < 2)
    throw Error("codebook needs at least 2 distinct levels");
  // Normalise to max |level| = 1: a group's scale is its absmax.
  const float top = std::max(std::fabs(levels.front()), std::fabs(levels.back()));
  for (float& v : levels)
    v /= top;
  Codebook c;
  c.name = "codebook";
  c.levels = std::move(levels);
  return c;
}

} // namespace qs
