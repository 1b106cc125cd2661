// HQQ's fit of the affine parameters (hqq.h has the algorithm and its source).
#include "core/calib/hqq.h"

#include "core/error.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace qs {

namespace {

constexpr double kBeta = 10.0, kKappa = 1.01;
constexpr int kScaleShifts = 129;     // odd: the start scale is among them
constexpr float kScaleSpread = 0.05f; // the shifts cover ±5 % of mean |s|
constexpr float kSafeInverse = 2e-4f;

bool finite(float v) {
  return std::fabs(v) <= FLT_MAX;
}

// sign(d) · max(|d| − β⁻¹·|d|^(p−1), 0), in float32 as the library.
float shrink(float d, float invBeta, float exponent) {
  const float a = std::fabs(d);
  const float pull = invBeta * std::pow(a, exponent);
  const float t = std::max(a - pull, 0.0f);
  return d > 0 ? t : d < 0 ? -t : 0.0f;
}

struct Group {
  float min = 0, max = 0;
  int64_t finite = 0;
};

Group groupRange(const float* x, int64_t n) {
  Group g;
  g.min = FLT_MAX;
  g.max = -FLT_MAX;
  for (int64_t i = 0; i < n; ++i)
    if (finite(x[i])) {
      g.min = std::min(g.min, x[i]);
      g.max = std::max(g.max, x[i]);
      ++g.finite;
    }
  if (!g.finite)
    g.min = g.max = 0;
  return g;
}

// One pass of the solver over a group: the sum of |W − W_r| under (s, z) and
// the zero point that follows it.
struct Step {
  double absError = 0;
  float nextZero = 0;
};

Step solverStep(const float* x, int64_t n, float s, float z, float qmax, float invBeta, float exponent) {
  double error = 0, zeroSum = 0;
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float w = x[i];
    if (!finite(w))
      continue;
    const float q = hqqCode(w, s, z, qmax);
    const float r = (q - z) / s;
    const float d = w - r;
    error += std::fabs(d);
    const float e = shrink(d, invBeta, exponent);
    const float kept = (w - e) * s;
    zeroSum += double(q - kept);
    ++count;
  }
  return {error, count ? float(zeroSum / double(count)) : z};
}

// Mean over a group of |W − (q − z)/candidate| with q fixed by the start (s, z).
double shiftError(const float* x, int64_t n, float s, float z, float qmax, float candidate) {
  double error = 0;
  for (int64_t i = 0; i < n; ++i)
    if (finite(x[i])) {
      const float q = hqqCode(x[i], s, z, qmax);
      error += std::fabs(x[i] - (q - z) / candidate);
    }
  return error;
}

// The i-th of `count` evenly spaced values in [lo, hi], as torch.linspace's
// scalar formula (from the start below the middle, from the end above it).
float linspaceAt(float lo, float hi, int i, int count) {
  const float step = (hi - lo) / float(count - 1);
  return i < count / 2 ? lo + step * float(i) : hi - step * float(count - 1 - i);
}

// update_scale_grid_search: each group's s replaced by the shift of least error.
void searchScales(const float* work, const std::vector<HqqSpan>& groups, const std::vector<Group>& ranges,
                  std::vector<HqqGroupFit>& fits, float qmax, ParallelErrors& errors) {
  double absSum = 0;
  for (const HqqGroupFit& f : fits)
    absSum += std::fabs(f.invScale);
  const float rng = float(absSum / double(fits.size())) * kScaleSpread;
  const int64_t count = int64_t(groups.size());
#pragma omp parallel for schedule(dynamic, 64) if (count > 64)
  for (int64_t g = 0; g < count; ++g) {
    errors.run([&] {
      HqqGroupFit& f = fits[size_t(g)];
      if (!ranges[size_t(g)].finite)
        return;
      const float* x = work + groups[size_t(g)].begin;
      const int64_t n = groups[size_t(g)].length;
      double best = HUGE_VAL;
      float bestScale = f.invScale;
      for (int i = 0; i < kScaleShifts; ++i) {
        float candidate = linspaceAt(-rng, rng, i, kScaleShifts) + f.invScale;
        if (std::fabs(candidate) <= kSafeInverse)
          candidate = candidate >= 0 ? kSafeInverse : -kSafeInverse;
        const double e = shiftError(x, n, f.invScale, f.zero, qmax, candidate);
        if (e < best) {
          best = e;
          bestScale = candidate;
        }
      }
      f.invScale = bestScale;
    });
  }
  errors.rethrow();
}

} // namespace

float hqqCode(float x, float invScale, float zero, float qmax) {
  const float t = x * invScale + zero;
  return std::min(std::max(std::nearbyint(t), 0.0f), qmax);
}

std::vector<HqqGroupFit> hqqFit(const float* work, const std::vector<HqqSpan>& groups,
                                const HqqSettings& settings, ParallelErrors& errors) {
  if (settings.bits < 1 || settings.bits > 16)
    throw Error("HQQ needs 1 to 16 bits, not " + std::to_string(settings.bits));
  if (!(settings.p > 0 && settings.p <= 1))
    throw Error("HQQ's l_p norm needs 0 < p <= 1, not " + std::to_string(settings.p));
  if (settings.iterations < 0 || settings.iterations > 10000)
    throw Error("HQQ iterations must be 0 to 10000, not " + std::to_string(settings.iterations));
  const float qmax = float((int64_t{1} << settings.bits) - 1);
  const int64_t count = int64_t(groups.size());
  std::vector<Group> ranges(groups.size());
  std::vector<HqqGroupFit> fits(groups.size());
  int64_t finiteTotal = 0;
#pragma omp parallel for schedule(dynamic, 64) reduction(+ : finiteTotal) if (count > 64)
  for (int64_t g = 0; g < count; ++g) {
    const Group r = groupRange(work + groups[size_t(g)].begin, groups[size_t(g)].length);
    ranges[size_t(g)] = r;
    finiteTotal += r.finite;
    const float denom = r.max - r.min;
    float s = std::fabs(denom) <= 1e-4f ? 1.0f : qmax / denom;
    s = std::min(s, 2e4f); // the library clamps for half precision
    float z = -r.min * s;
    if (settings.bits == 4) // round_zero of the library's base config for 4 bits
      z = std::nearbyint(z);
    fits[size_t(g)] = {s, 1.0f / s, z};
  }
  if (!count || !finiteTotal)
    return fits;
  if (settings.optimizeScale)
    searchScales(work, groups, ranges, fits, qmax, errors);

  const float exponent = float(settings.p - 1.0);
  std::vector<double> groupError(groups.size());
  std::vector<float> nextZero(groups.size());
  std::vector<HqqGroupFit> best = fits;
  double bestError = settings.optimizeScale ? 1e4 : HUGE_VAL;
  double beta = kBeta;
  for (int it = 0; it < settings.iterations; ++it) {
    const float invBeta = float(1.0 / beta);
#pragma omp parallel for schedule(dynamic, 64) if (count > 64)
    for (int64_t g = 0; g < count; ++g) {
      errors.run([&] {
        const HqqGroupFit& f = fits[size_t(g)];
        const Step st = solverStep(work + groups[size_t(g)].begin, groups[size_t(g)].length, f.invScale,
                                   f.zero, qmax, invBeta, exponent);
        groupError[size_t(g)] = st.absError;
        nextZero[size_t(g)] = st.nextZero;
      });
    }
    errors.rethrow();
    double sum = 0; // in group order: the same whatever the thread count
    for (double e : groupError)
      sum += e;
    const double error = sum / double(finiteTotal);
    if (settings.optimizeScale) { // v2: keep the best step, restore it at the stop
      if (!(bestError - error > 0)) {
        fits = best;
        break;
      }
      bestError = error;
      best = fits;
      for (int64_t g = 0; g < count; ++g)
        fits[size_t(g)].zero = nextZero[size_t(g)];
      beta *= kKappa;
    } else { // legacy: the step's zero is kept even when its error did not improve
      for (int64_t g = 0; g < count; ++g)
        fits[size_t(g)].zero = nextZero[size_t(g)];
      if (!(error < bestError))
        break;
      bestError = error;
    }
  }
  for (HqqGroupFit& f : fits)
    f.scale = 1.0f / f.invScale;
  return fits;
}

} // namespace qs
