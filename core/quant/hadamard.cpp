#include "core/quant/hadamard.h"

#include "core/error.h"
#include "core/formats/format_kernel.h"
#include "core/quant/layout.h"
#include "core/util/large_alloc.h"
#include "core/util/simd.h"

#include <cmath>

namespace qs {

int64_t hadamardBlock(int64_t n) {
  if (n < 1)
    throw Error("Hadamard rotation of rows of length " + std::to_string(n));
  return n & -n;
}

std::vector<float> hadamardSigns(uint64_t seed, int64_t n) {
  std::vector<float> d(size_t(n > 0 ? n : 0));
  for (int64_t j = 0; j < n; ++j)
    d[size_t(j)] = uniformAt(seed ^ kHadamardSignSalt, uint64_t(j)) < 0.5f ? 1.0f : -1.0f;
  return d;
}

void fwhtScalar(float* x, int64_t b) {
  for (int64_t h = 1; h < b; h *= 2)
    for (int64_t i = 0; i < b; i += 2 * h)
      for (int64_t j = i; j < i + h; ++j) {
        const float u = x[j], v = x[j + h];
        x[j] = u + v;
        x[j + h] = u - v;
      }
}

#if QS_HAVE_AVX2
// Stages 1, 2 and 4 inside each 8-lane register (the partner lanes swapped in
// by a permute; the upper lane of a pair takes partner - self = a - b), then
// the stages h >= 8 between registers.
QS_AVX2 void fwhtAvx2(float* x, int64_t b) {
  if (b < 8) {
    fwhtScalar(x, b);
    return;
  }
  for (int64_t i = 0; i < b; i += 8) {
    __m256 v = _mm256_loadu_ps(x + i);
    __m256 s = _mm256_permute_ps(v, 0xB1); // (1, 0, 3, 2) in each half
    v = _mm256_blend_ps(_mm256_add_ps(v, s), _mm256_sub_ps(s, v), 0xAA);
    s = _mm256_permute_ps(v, 0x4E); // (2, 3, 0, 1)
    v = _mm256_blend_ps(_mm256_add_ps(v, s), _mm256_sub_ps(s, v), 0xCC);
    s = _mm256_permute2f128_ps(v, v, 0x01); // halves swapped
    v = _mm256_blend_ps(_mm256_add_ps(v, s), _mm256_sub_ps(s, v), 0xF0);
    _mm256_storeu_ps(x + i, v);
  }
  for (int64_t h = 8; h < b; h *= 2)
    for (int64_t i = 0; i < b; i += 2 * h)
      for (int64_t j = i; j < i + h; j += 8) {
        const __m256 u = _mm256_loadu_ps(x + j), v = _mm256_loadu_ps(x + j + h);
        _mm256_storeu_ps(x + j, _mm256_add_ps(u, v));
        _mm256_storeu_ps(x + j + h, _mm256_sub_ps(u, v));
      }
}
#else
void fwhtAvx2(float* x, int64_t b) {
  fwhtScalar(x, b);
}
#endif

void fwht(float* x, int64_t b) {
  if (simd::useAvx2())
    fwhtAvx2(x, b);
  else
    fwhtScalar(x, b);
}

HadamardRotation makeHadamardRotation(int64_t length, uint64_t seed) {
  HadamardRotation r;
  r.length = length;
  r.block = hadamardBlock(length);
  r.signs = hadamardSigns(seed, length);
  return r;
}

void HadamardRotation::rotateRows(float* data, int64_t rows, bool inverse) const {
  if (identity() || rows <= 0)
    return;
  const int64_t n = length, b = block;
  // 1/sqrt(b) rounded once; exact when b is a power of four.
  const float norm = float(1.0 / std::sqrt(double(b)));
  const float* d = signs.data();
  const bool avx2 = simd::useAvx2();
#pragma omp parallel for schedule(static) if (rows * n >= (int64_t{1} << 15))
  for (int64_t r = 0; r < rows; ++r) {
    float* row = data + r * n;
    if (!inverse)
      for (int64_t j = 0; j < n; ++j)
        row[j] *= d[j];
    for (int64_t k = 0; k < n; k += b)
      avx2 ? fwhtAvx2(row + k, b) : fwhtScalar(row + k, b);
    if (inverse)
      for (int64_t j = 0; j < n; ++j)
        row[j] *= d[j] * norm;
    else
      for (int64_t j = 0; j < n; ++j)
        row[j] *= norm;
  }
}

HadamardRotation tensorRotation(const Shape& shape, int outAxis, uint64_t seed) {
  const ChannelView view = channelView(shape, outAxis);
  return makeHadamardRotation(view.cols(), seed);
}

void rotateTensor(const HadamardRotation& rotation, const Shape& shape, int outAxis, float* values,
                  bool inverse) {
  const ChannelView view = channelView(shape, outAxis);
  if (view.cols() != rotation.length)
    throw Error("Hadamard rotation of rows of " + std::to_string(rotation.length) + " for a tensor " +
                shapeToString(shape) + " with rows of " + std::to_string(view.cols()));
  if (rotation.identity())
    return;
  if (!view.permuted()) {
    rotation.rotateRows(values, view.rows(), inverse);
    return;
  }
  // The rows are not contiguous (a Keras kernel [in, out]): rotate a copy in view order.
  const SegmentLayout layout = makeLayout(shape, Granularity{GranularityKind::Channel, outAxis});
  std::vector<float> rows;
  resizeLarge(rows, size_t(layout.numel()));
  permuteToWorking(layout, values, rows.data());
  rotation.rotateRows(rows.data(), view.rows(), inverse);
  permuteFromWorking(layout, rows.data(), values);
  releaseLarge(rows);
}

} // namespace qs
