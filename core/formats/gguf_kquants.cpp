// GGUF k-quants Q4_K and Q6_K: quantize_row_*_ref and dequantize_row_* as in
// llama.cpp's ggml-quants.c, including the search for the best sub-block
// scale (make_qkx2_quants / make_qx_quants, gguf_fit.h) so that files we
// write are the ones llama-quantize would write without an importance
// matrix; Q6_K's weighted quantize_row_q6_K_impl differs only in the fit's
// weights and shares its body.
//
// No FMA contraction: llama.cpp's reference kernels are plain C expressions;
// fusing x*d + m would change the last bit (-ffp-contract=off: core/CMakeLists.txt).
//
// The quantizers are plain C++ compiled twice: for the baseline CPU and, as
// QS_AVX2 twins, for AVX2, where the compiler vectorises their element loops
// 8 wide. Without contraction or reassociation both compute the same IEEE
// operations: equal bytes (tests/core/simd_twins_test.cpp).

#include "core/formats/float_format.h"
#include "core/formats/gguf_fit.h"
#include "core/util/simd.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace qs::detail {

namespace {

QS_TWIN_BODY void quantizeRowQ4KBody(const float* x, uint8_t* blocks, int64_t k) {
  const int64_t nb = k / kQKK;
  uint8_t L[kQKK];
  for (int64_t i = 0; i < nb; ++i, x += kQKK) {
    BlockQ4_K y{};
    fitScaleMinK4Ref(x, 15, -1.0f, 20, L, y);
    requantizeScaleMinK4(x, y.scales, y.d, y.dmin, 15, L);
    packQ4K(L, y);
    std::memcpy(blocks + i * sizeof y, &y, sizeof y);
  }
}

void quantizeRowQ4KScalar(const float* x, uint8_t* blocks, int64_t k) {
  quantizeRowQ4KBody(x, blocks, k);
}

#if QS_HAVE_AVX2
QS_AVX2 void quantizeRowQ4KAvx2(const float* x, uint8_t* blocks, int64_t k) {
  quantizeRowQ4KBody(x, blocks, k);
}
#endif

} // namespace

void requantizeScaleMinK4(const float* x, const uint8_t* scales, uint16_t d, uint16_t dmin, int nmax,
                          uint8_t* L) {
  for (int j = 0; j < kQKK / 32; ++j) {
    uint8_t sc, m;
    scaleMinK4(j, scales, sc, m);
    const float dj = halfBitsToFloat(d) * sc;
    if (!dj)
      continue;
    const float dm = halfBitsToFloat(dmin) * m;
    for (int ii = 0; ii < 32; ++ii) {
      const int l = nearestInt((x[32 * j + ii] + dm) / dj);
      L[32 * j + ii] = static_cast<uint8_t>(std::max(0, std::min(nmax, l)));
    }
  }
}

void packQ4K(const uint8_t* L, BlockQ4_K& y) {
  uint8_t* q = y.qs;
  for (int j = 0; j < kQKK; j += 64, q += 32)
    for (int l = 0; l < 32; ++l)
      q[l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 4));
}

void quantizeRowQ4K(const float* x, uint8_t* blocks, int64_t k) {
#if QS_HAVE_AVX2
  if (simd::useAvx2())
    return quantizeRowQ4KAvx2(x, blocks, k);
#endif
  quantizeRowQ4KScalar(x, blocks, k);
}

void dequantizeRowQ4K(const uint8_t* blocks, float* y, int64_t k) {
  const int64_t nb = k / kQKK;
  for (int64_t i = 0; i < nb; ++i) {
    BlockQ4_K b;
    std::memcpy(&b, blocks + i * sizeof b, sizeof b);
    const float d = halfBitsToFloat(b.d);
    const float min = halfBitsToFloat(b.dmin);
    const uint8_t* q = b.qs;
    int is = 0;
    for (int j = 0; j < kQKK; j += 64, q += 32, is += 2) {
      uint8_t sc, m;
      scaleMinK4(is, b.scales, sc, m);
      const float d1 = d * sc, m1 = min * m;
      scaleMinK4(is + 1, b.scales, sc, m);
      const float d2 = d * sc, m2 = min * m;
      for (int l = 0; l < 32; ++l)
        *y++ = d1 * (q[l] & 0xF) - m1;
      for (int l = 0; l < 32; ++l)
        *y++ = d2 * (q[l] >> 4) - m2;
    }
  }
}

namespace {

// qw: importance weights (quantize_row_q6_K_impl), null for the _ref quantizer.
QS_TWIN_BODY void quantizeRowQ6KBody(const float* x, uint8_t* blocks, int64_t k, const float* qw) {
  const int64_t nb = k / kQKK;
  int8_t L[kQKK];
  float scales[kQKK / 16];
  for (int64_t i = 0; i < nb; ++i, x += kQKK) {
    BlockQ6_K y{};
    float maxScale = 0, maxAbsScale = 0;
    for (int ib = 0; ib < kQKK / 16; ++ib) {
      const float scale =
          makeQxQuants(16, 32, x + 16 * ib, L + 16 * ib, qw ? qw + i * kQKK + 16 * ib : nullptr);
      scales[ib] = scale;
      if (std::fabs(scale) > maxAbsScale) {
        maxAbsScale = std::fabs(scale);
        maxScale = scale;
      }
    }
    if (maxAbsScale < kGroupMaxEps) { // all zero: an all-zero block
      y.d = floatToHalfBits(0.0f);
      std::memcpy(blocks + i * sizeof y, &y, sizeof y);
      continue;
    }
    const float iscale = -128.0f / maxScale;
    y.d = floatToHalfBits(1 / iscale);
    for (int ib = 0; ib < kQKK / 16; ++ib)
      y.scales[ib] = static_cast<int8_t>(std::min(127, nearestInt(iscale * scales[ib])));
    for (int j = 0; j < kQKK / 16; ++j) {
      const float d = halfBitsToFloat(y.d) * y.scales[j];
      if (!d)
        continue;
      for (int ii = 0; ii < 16; ++ii) {
        const int l = nearestInt(x[16 * j + ii] / d);
        L[16 * j + ii] = static_cast<int8_t>(std::max(-32, std::min(31, l)) + 32);
      }
    }
    uint8_t* ql = y.ql;
    uint8_t* qh = y.qh;
    for (int j = 0; j < kQKK; j += 128, ql += 64, qh += 32) {
      for (int l = 0; l < 32; ++l) {
        const uint8_t q1 = L[j + l] & 0xF;
        const uint8_t q2 = L[j + l + 32] & 0xF;
        const uint8_t q3 = L[j + l + 64] & 0xF;
        const uint8_t q4 = L[j + l + 96] & 0xF;
        ql[l] = static_cast<uint8_t>(q1 | (q3 << 4));
        ql[l + 32] = static_cast<uint8_t>(q2 | (q4 << 4));
        qh[l] = static_cast<uint8_t>((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) |
                                     ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6));
      }
    }
    std::memcpy(blocks + i * sizeof y, &y, sizeof y);
  }
}

void quantizeRowQ6KScalar(const float* x, uint8_t* blocks, int64_t k) {
  quantizeRowQ6KBody(x, blocks, k, nullptr);
}

#if QS_HAVE_AVX2
QS_AVX2 void quantizeRowQ6KAvx2(const float* x, uint8_t* blocks, int64_t k) {
  quantizeRowQ6KBody(x, blocks, k, nullptr);
}
#endif

} // namespace

void quantizeRowQ6K(const float* x, uint8_t* blocks, int64_t k) {
#if QS_HAVE_AVX2
  if (simd::useAvx2())
    return quantizeRowQ6KAvx2(x, blocks, k);
#endif
  quantizeRowQ6KScalar(x, blocks, k);
}

void quantizeBlockQ6KWeighted(const float* x, uint8_t* block, const float* qw) {
  quantizeRowQ6KBody(x, block, kQKK, qw);
}

void dequantizeRowQ6K(const uint8_t* blocks, float* y, int64_t k) {
  const int64_t nb = k / kQKK;
  for (int64_t i = 0; i < nb; ++i) {
    BlockQ6_K b;
    std::memcpy(&b, blocks + i * sizeof b, sizeof b);
    const float d = halfBitsToFloat(b.d);
    const uint8_t* ql = b.ql;
    const uint8_t* qh = b.qh;
    const int8_t* sc = b.scales;
    for (int n = 0; n < kQKK; n += 128, y += 128, ql += 64, qh += 32, sc += 8) {
      for (int l = 0; l < 32; ++l) {
        const int is = l / 16;
        const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        y[l] = d * sc[is] * q1;
        y[l + 32] = d * sc[is + 2] * q2;
        y[l + 64] = d * sc[is + 4] * q3;
        y[l + 96] = d * sc[is + 6] * q4;
      }
    }
  }
}

} // namespace qs::detail
