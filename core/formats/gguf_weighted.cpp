// The importance-weighted GGUF quantizers: llama.cpp's quantize_<type> runs
// quantize_row_<type>_impl when it is given quant_weights (an imatrix entry)
// and the plain _ref quantizer otherwise. This file chooses between them; the
// weighted math lives beside each type's reference quantizer.
#include "core/formats/block_formats.h"
#include "core/formats/gguf_detail.h"

#include "core/error.h"

namespace qs {

bool ggufHasWeightedPath(GgufType type) {
  switch (type) {
  case GgufType::Q4_0:
  case GgufType::Q4_1:
  case GgufType::Q5_0:
  case GgufType::Q5_1:
  case GgufType::Q2_K:
  case GgufType::Q3_K:
  case GgufType::Q4_K:
  case GgufType::Q5_K:
  case GgufType::Q6_K:
  case GgufType::IQ4_NL: // gguf_iq4.cpp
  case GgufType::IQ4_XS:
    return true;
  default: // Q8_0 and the float types ignore quant_weights
    return false;
  }
}

float ggufRowSigma2(const float* x, int64_t k) {
  float sumX2 = 0;
  for (int64_t j = 0; j < k; ++j)
    sumX2 += x[j] * x[j];
  return k > 0 ? sumX2 / float(k) : 0.0f;
}

void ggufQuantizeBlockWeighted(GgufType type, const float* x, uint8_t* block, const float* weights,
                               float rowSigma2) {
  const int k = ggufTypeInfo(type).blockElements;
  if (!weights || !ggufHasWeightedPath(type))
    return ggufQuantizeRow(type, x, block, k);
  switch (type) {
  case GgufType::Q4_0:
    return detail::quantizeBlockQ4_0Weighted(x, block, weights, rowSigma2);
  case GgufType::Q4_1:
    return detail::quantizeBlockQ4_1Weighted(x, block, weights, rowSigma2);
  case GgufType::Q5_0:
    return detail::quantizeBlockQ5_0Weighted(x, block, weights, rowSigma2);
  case GgufType::Q5_1:
    return detail::quantizeBlockQ5_1Weighted(x, block, weights, rowSigma2);
  case GgufType::Q2_K:
    return detail::quantizeBlockQ2KWeighted(x, block, weights);
  case GgufType::Q3_K:
    return detail::quantizeBlockQ3KWeighted(x, block, weights);
  case GgufType::Q4_K:
    return detail::quantizeBlockQ4KWeighted(x, block, weights);
  case GgufType::Q5_K:
    return detail::quantizeBlockQ5KWeighted(x, block, weights);
  case GgufType::Q6_K:
    return detail::quantizeBlockQ6KWeighted(x, block, weights);
  case GgufType::IQ4_NL: // sigma2 of its own super-block, not of the row
    return detail::quantizeRowIQ4NL(x, block, k, weights, 7);
  case GgufType::IQ4_XS:
    return detail::quantizeRowIQ4XS(x, block, k, weights);
  default:
    return ggufQuantizeRow(type, x, block, k);
  }
}

void ggufQuantizeRowWeighted(GgufType type, const float* x, uint8_t* blocks, int64_t k,
                             const float* weights) {
  const GgufTypeInfo& info = ggufTypeInfo(type);
  if (!weights || !ggufHasWeightedPath(type))
    return ggufQuantizeRow(type, x, blocks, k);
  if (k % info.blockElements != 0)
    throw Error(std::string("GGUF ") + info.name + ": row length " + std::to_string(k) +
                " is not a multiple of the block size " + std::to_string(info.blockElements));
  const float sigma2 = ggufRowSigma2(x, k);
  for (int64_t b = 0; b < k / info.blockElements; ++b)
    ggufQuantizeBlockWeighted(type, x + b * info.blockElements, blocks + b * info.blockBytes,
                              weights + b * info.blockElements, sigma2);
}

} // namespace qs
