#pragma once
// Internal: llama.cpp's sub-block fits (ggml-quants.c) shared by the GGUF
// k-quant and weighted quantizers: make_qkx2_quants, make_qkx3_quants,
// make_qx_quants, make_q3_quants, make_qp_quants, as plain C expressions in
// float (no contraction: core/CMakeLists.txt). They are always inlined, so
// that the baseline and the AVX2 twins of a quantizer each compile them for
// their own target.
#include "core/formats/gguf_detail.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#define QS_TWIN_BODY inline __attribute__((always_inline))

namespace qs::detail {

constexpr float kGroupMaxEps = 1e-15f;

// Asymmetric fit (scale, min; min returned negated in theMin) minimising the
// weighted error (|e| with useMad) over a sweep of nstep candidate scales.
QS_TWIN_BODY float makeQkx2Quants(int n, int nmax, const float* x, const float* weights, uint8_t* L,
                                  float* theMin, uint8_t* Laux, float rmin, float rdelta, int nstep,
                                  bool useMad) {
  float min = x[0], max = x[0];
  float sumW = weights[0];
  float sumX = sumW * x[0];
  for (int i = 1; i < n; ++i) {
    if (x[i] < min)
      min = x[i];
    if (x[i] > max)
      max = x[i];
    const float w = weights[i];
    sumW += w;
    sumX += w * x[i];
  }
  if (min > 0)
    min = 0;
  if (max == min) {
    for (int i = 0; i < n; ++i)
      L[i] = 0;
    *theMin = -min;
    return 0.0f;
  }
  float iscale = nmax / (max - min);
  float scale = 1 / iscale;
  float bestError = 0;
  for (int i = 0; i < n; ++i) {
    const int l = nearestInt(iscale * (x[i] - min));
    L[i] = static_cast<uint8_t>(std::max(0, std::min(nmax, l)));
    float diff = scale * L[i] + min - x[i];
    diff = useMad ? std::fabs(diff) : diff * diff;
    bestError += weights[i] * diff;
  }
  if (nstep < 1) {
    *theMin = -min;
    return scale;
  }
  for (int is = 0; is <= nstep; ++is) {
    iscale = (rmin + rdelta * is + nmax) / (max - min);
    float sumL = 0, sumL2 = 0, sumXL = 0;
    for (int i = 0; i < n; ++i) {
      int l = nearestInt(iscale * (x[i] - min));
      l = std::max(0, std::min(nmax, l));
      Laux[i] = static_cast<uint8_t>(l);
      const float w = weights[i];
      sumL += w * l;
      sumL2 += w * l * l;
      sumXL += w * l * x[i];
    }
    const float D = sumW * sumL2 - sumL * sumL;
    if (D > 0) {
      float thisScale = (sumW * sumXL - sumX * sumL) / D;
      float thisMin = (sumL2 * sumX - sumL * sumXL) / D;
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = sumXL / sumL2;
      }
      float curError = 0;
      for (int i = 0; i < n; ++i) {
        float diff = thisScale * Laux[i] + thisMin - x[i];
        diff = useMad ? std::fabs(diff) : diff * diff;
        curError += weights[i] * diff;
      }
      if (curError < bestError) {
        std::copy(Laux, Laux + n, L);
        bestError = curError;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  *theMin = -min;
  return scale;
}

// make_qkx3_quants: as makeQkx2Quants with a guarded rounding in the sweep
// (the running min may sit at the max) and weights x² when none are given.
QS_TWIN_BODY float makeQkx3Quants(int n, int nmax, const float* x, const float* weights, uint8_t* L,
                                  float* theMin, uint8_t* Laux, float rmin, float rdelta, int nstep,
                                  bool useMad) {
  auto weight = [&](int i) { return weights ? weights[i] : x[i] * x[i]; };
  float min = x[0], max = x[0];
  float sumW = weight(0);
  float sumX = sumW * x[0];
  for (int i = 1; i < n; ++i) {
    if (x[i] < min)
      min = x[i];
    if (x[i] > max)
      max = x[i];
    const float w = weight(i);
    sumW += w;
    sumX += w * x[i];
  }
  if (min > 0)
    min = 0;
  if (max <= min) {
    std::memset(L, 0, size_t(n));
    *theMin = -min;
    return 0.0f;
  }
  float iscale = nmax / (max - min);
  float scale = 1 / iscale;
  float bestMad = 0;
  for (int i = 0; i < n; ++i) {
    const int l = nearestInt(iscale * (x[i] - min));
    L[i] = static_cast<uint8_t>(std::max(0, std::min(nmax, l)));
    float diff = scale * L[i] + min - x[i];
    diff = useMad ? std::fabs(diff) : diff * diff;
    bestMad += weight(i) * diff;
  }
  if (nstep < 1) {
    *theMin = -min;
    return scale;
  }
  for (int is = 0; is <= nstep; ++is) {
    iscale = (rmin + rdelta * is + nmax) / (max - min);
    float sumL = 0, sumL2 = 0, sumXL = 0;
    for (int i = 0; i < n; ++i) {
      const float v = iscale * (x[i] - min);
      const int l = v > 0 ? nearestInt(v < nmax ? v : float(nmax)) : 0;
      Laux[i] = static_cast<uint8_t>(l);
      const float w = weight(i);
      sumL += w * l;
      sumL2 += w * l * l;
      sumXL += w * l * x[i];
    }
    const float D = sumW * sumL2 - sumL * sumL;
    if (D > 0) {
      float thisScale = (sumW * sumXL - sumX * sumL) / D;
      float thisMin = (sumL2 * sumX - sumL * sumXL) / D;
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = sumXL / sumL2;
      }
      float mad = 0;
      for (int i = 0; i < n; ++i) {
        float diff = thisScale * Laux[i] + thisMin - x[i];
        diff = useMad ? std::fabs(diff) : diff * diff;
        mad += weight(i) * diff;
      }
      if (mad < bestMad) {
        std::copy(Laux, Laux + n, L);
        bestMad = mad;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  *theMin = -min;
  return scale;
}

// make_qx_quants with rmse_type 1: symmetric fit, codes L = l + nmax in
// [0, 2 nmax), weights qw (x² when null), the best of 19 candidate scales.
QS_TWIN_BODY float makeQxQuants(int n, int nmax, const float* x, int8_t* L, const float* qw) {
  float max = 0, amax = 0;
  for (int i = 0; i < n; ++i) {
    const float ax = std::fabs(x[i]);
    if (ax > amax) {
      amax = ax;
      max = x[i];
    }
  }
  if (amax < kGroupMaxEps) {
    for (int i = 0; i < n; ++i)
      L[i] = 0;
    return 0.0f;
  }
  auto weight = [&](int i) { return qw ? qw[i] : x[i] * x[i]; };
  float iscale = -nmax / max;
  float sumlx = 0, suml2 = 0;
  for (int i = 0; i < n; ++i) {
    int l = nearestInt(iscale * x[i]);
    l = std::max(-nmax, std::min(nmax - 1, l));
    L[i] = static_cast<int8_t>(l + nmax);
    const float w = weight(i);
    sumlx += w * x[i] * l;
    suml2 += w * l * l;
  }
  float scale = suml2 ? sumlx / suml2 : 0.0f;
  float best = scale * sumlx;
  for (int is = -9; is <= 9; ++is) {
    if (is == 0)
      continue;
    iscale = -(nmax + 0.1f * is) / max;
    sumlx = suml2 = 0;
    for (int i = 0; i < n; ++i) {
      int l = nearestInt(iscale * x[i]);
      l = std::max(-nmax, std::min(nmax - 1, l));
      const float w = weight(i);
      sumlx += w * x[i] * l;
      suml2 += w * l * l;
    }
    if (suml2 > 0 && sumlx * sumlx > best * suml2) {
      for (int i = 0; i < n; ++i) {
        const int l = nearestInt(iscale * x[i]);
        L[i] = static_cast<int8_t>(nmax + std::max(-nmax, std::min(nmax - 1, l)));
      }
      scale = sumlx / suml2;
      best = scale * sumlx;
    }
  }
  return scale;
}

// make_q3_quants: symmetric fit of Q3_K's reference quantizer; with doRmse
// the codes are refined one at a time (weights x²) for up to 5 rounds.
// Codes L = l + nmax, except an all-zero group, whose codes are 0.
inline float makeQ3Quants(int n, int nmax, const float* x, int8_t* L, bool doRmse) {
  float max = 0, amax = 0;
  for (int i = 0; i < n; ++i) {
    const float ax = std::fabs(x[i]);
    if (ax > amax) {
      amax = ax;
      max = x[i];
    }
  }
  if (amax < kGroupMaxEps) {
    for (int i = 0; i < n; ++i)
      L[i] = 0;
    return 0.0f;
  }
  const float iscale = -nmax / max;
  if (doRmse) {
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; ++i) {
      int l = nearestInt(iscale * x[i]);
      l = std::max(-nmax, std::min(nmax - 1, l));
      L[i] = static_cast<int8_t>(l);
      const float w = x[i] * x[i];
      sumlx += w * x[i] * l;
      suml2 += w * l * l;
    }
    for (int itry = 0; itry < 5; ++itry) {
      int changed = 0;
      for (int i = 0; i < n; ++i) {
        const float w = x[i] * x[i];
        float slx = sumlx - w * x[i] * L[i];
        if (slx > 0) {
          float sl2 = suml2 - w * L[i] * L[i];
          int newL = nearestInt(x[i] * sl2 / slx);
          newL = std::max(-nmax, std::min(nmax - 1, newL));
          if (newL != L[i]) {
            slx += w * x[i] * newL;
            sl2 += w * newL * newL;
            if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
              L[i] = static_cast<int8_t>(newL);
              sumlx = slx;
              suml2 = sl2;
              ++changed;
            }
          }
        }
      }
      if (!changed)
        break;
    }
    for (int i = 0; i < n; ++i)
      L[i] = static_cast<int8_t>(L[i] + nmax);
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
  }
  for (int i = 0; i < n; ++i) {
    int l = nearestInt(iscale * x[i]);
    l = std::max(-nmax, std::min(nmax - 1, l));
    L[i] = static_cast<int8_t>(l + nmax);
  }
  return 1 / iscale;
}

// make_qp_quants: fit of non-negative values (the sub-block scales and mins
// of the weighted k-quants) to codes [0, nmax] under weights qw.
inline float makeQpQuants(int n, int nmax, const float* x, uint8_t* L, const float* qw) {
  float max = 0;
  for (int i = 0; i < n; ++i)
    max = max > x[i] ? max : x[i];
  if (max < kGroupMaxEps) {
    for (int i = 0; i < n; ++i)
      L[i] = 0;
    return 0.0f;
  }
  float iscale = nmax / max;
  for (int i = 0; i < n; ++i)
    L[i] = static_cast<uint8_t>(nearestInt(iscale * x[i]));
  const float scale = 1 / iscale;
  float bestMse = 0;
  for (int i = 0; i < n; ++i) {
    const float diff = x[i] - scale * L[i];
    bestMse += qw[i] * diff * diff;
  }
  for (int is = -4; is <= 4; ++is) {
    if (is == 0)
      continue;
    const float iscaleIs = (0.1f * is + nmax) / max;
    const float scaleIs = 1 / iscaleIs;
    float mse = 0;
    for (int i = 0; i < n; ++i) {
      const int l = std::min(nmax, nearestInt(iscaleIs * x[i]));
      const float diff = x[i] - scaleIs * l;
      mse += qw[i] * diff * diff;
    }
    if (mse < bestMse) {
      bestMse = mse;
      iscale = iscaleIs;
    }
  }
  float sumlx = 0, suml2 = 0;
  for (int i = 0; i < n; ++i) {
    const int l = std::min(nmax, nearestInt(iscale * x[i]));
    L[i] = static_cast<uint8_t>(l);
    const float w = qw[i];
    sumlx += w * x[i] * l;
    suml2 += w * l * l;
  }
  for (int itry = 0; itry < 5; ++itry) {
    int changed = 0;
    for (int i = 0; i < n; ++i) {
      const float w = qw[i];
      float slx = sumlx - w * x[i] * L[i];
      float sl2 = suml2 - w * L[i] * L[i];
      if (slx > 0 && sl2 > 0) {
        const int newL = std::min(nmax, nearestInt(x[i] * sl2 / slx));
        if (newL != L[i]) {
          slx += w * x[i] * newL;
          sl2 += w * newL * newL;
          if (slx * slx * suml2 > sumlx * sumlx * sl2) {
            L[i] = static_cast<uint8_t>(newL);
            sumlx = slx;
            suml2 = sl2;
            ++changed;
          }
        }
      }
    }
    if (!changed)
      break;
  }
  return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

// The reference fit of a Q4_K/Q5_K super-block (quantize_row_q4_K_ref /
// q5_K_ref): each sub-block of 32 by make_qkx2_quants with weights
// sqrt(mean x²) + |x|, then the 6-bit scales and mins under d and dmin.
// L gets the codes of the fit; callers requantize from the stored scales.
template <class Block>
QS_TWIN_BODY void fitScaleMinK4Ref(const float* x, int nmax, float rmin, int nstep, uint8_t* L, Block& y) {
  uint8_t Laux[32];
  float weights[32], mins[kQKK / 32], scales[kQKK / 32];
  float maxScale = 0, maxMin = 0;
  for (int j = 0; j < kQKK / 32; ++j) {
    float sumX2 = 0;
    for (int l = 0; l < 32; ++l)
      sumX2 += x[32 * j + l] * x[32 * j + l];
    const float avX = std::sqrt(sumX2 / 32);
    for (int l = 0; l < 32; ++l)
      weights[l] = avX + std::fabs(x[32 * j + l]);
    scales[j] =
        makeQkx2Quants(32, nmax, x + 32 * j, weights, L + 32 * j, &mins[j], Laux, rmin, 0.1f, nstep, false);
    maxScale = std::max(maxScale, scales[j]);
    maxMin = std::max(maxMin, mins[j]);
  }
  const float invScale = maxScale > 0 ? 63.0f / maxScale : 0.0f;
  const float invMin = maxMin > 0 ? 63.0f / maxMin : 0.0f;
  for (int j = 0; j < kQKK / 32; ++j) {
    const uint8_t ls = std::min<uint8_t>(63, static_cast<uint8_t>(nearestInt(invScale * scales[j])));
    const uint8_t lm = std::min<uint8_t>(63, static_cast<uint8_t>(nearestInt(invMin * mins[j])));
    storeScaleMinK4(y.scales, j, ls, lm);
  }
  y.d = floatToHalfBits(maxScale / 63.0f);
  y.dmin = floatToHalfBits(maxMin / 63.0f);
}

} // namespace qs::detail
