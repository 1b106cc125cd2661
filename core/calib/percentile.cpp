#include "core/calib/percentile.h"

#include "core/util/simd.h"

#include <omp.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace qs {

namespace {

constexpr int64_t kSmall = int64_t{1} << 15; // below this: copy + nth_element

// numpy's virtual index for method "linear", same float64 steps.
struct RankPlan {
  double virtualIndex = 0;
  int64_t prev = 0, next = 0;
  double gamma = 0;
};

// Products are stored through a volatile so that no compiler setting (FMA
// contraction, -march=native) can fuse them: numpy rounds every operation
// separately.
inline double rounded(double v) {
  volatile double r = v;
  return r;
}

RankPlan planRank(int64_t m, double p) {
  const double q = p / 100.0;
  RankPlan r;
  r.virtualIndex = double(m - 1) * q; // numpy "linear": (n - 1) * quantile
  if (r.virtualIndex >= double(m - 1)) {
    r.prev = r.next = m - 1;
    r.gamma = 0;
  } else if (r.virtualIndex < 0) {
    r.prev = r.next = 0;
    r.gamma = 0;
  } else {
    const double f = std::floor(r.virtualIndex);
    r.prev = int64_t(f);
    r.next = r.prev + 1;
    r.gamma = r.virtualIndex - f;
  }
  return r;
}

// numpy _lerp: the difference is taken in float32 (the array dtype), the rest in float64.
double lerp(float a, float b, double t) {
  const float diff = b - a;
  if (t >= 0.5)
    return double(b) - rounded(double(diff) * (1.0 - t));
  return double(a) + rounded(double(diff) * t);
}

// The value a rank is taken over: |x| or x.
inline float valueOf(float x, bool absolute) {
  return absolute ? std::fabs(x) : x;
}

// Monotonic unsigned key of a finite float.
inline uint32_t keyOf(float v) {
  uint32_t b;
  std::memcpy(&b, &v, 4);
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

// Order statistics `ranks` (sorted, < m) of the finite values in [lo, hi] windows.
struct Window {
  float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
  int64_t below = 0;
  std::vector<float> values;
};

// One chunk: values below the window (finite), the values inside it (in
// index order), and the finite count. Counts and values do not depend on
// the twin.
void scanChunkScalar(const float* x, int64_t n, bool absolute, Window& w, int64_t& finite) {
  int64_t below = 0, fin = 0;
  const float lo = w.lo, hi = w.hi;
  for (int64_t i = 0; i < n; ++i) {
    const float v = valueOf(x[i], absolute);
    if (!simd::isFinite(v))
      continue;
    ++fin;
    below += v < lo;
    if (v >= lo && v <= hi)
      w.values.push_back(v);
  }
  w.below += below;
  finite += fin;
}

#if QS_HAVE_AVX2
// Compares in lanes, and a lane mask skips the (rare) gathering work for the
// 8 values at once.
QS_AVX2 void scanChunkAvx2(const float* x, int64_t n, bool absolute, Window& w, int64_t& finite) {
  int64_t i = 0;
  const __m256 vlo = _mm256_set1_ps(w.lo), vhi = _mm256_set1_ps(w.hi);
  __m256i cBelow = _mm256_setzero_si256(), cFin = cBelow;
  for (; i + 8 <= n; i += 8) {
    const __m256 raw = _mm256_loadu_ps(x + i);
    const __m256 v = absolute ? simd::abs(raw) : raw;
    const __m256 f = simd::finiteMask(raw);
    const __m256 b = _mm256_and_ps(_mm256_cmp_ps(v, vlo, _CMP_LT_OQ), f);
    const __m256 in =
        _mm256_and_ps(_mm256_and_ps(_mm256_cmp_ps(v, vlo, _CMP_GE_OQ), _mm256_cmp_ps(v, vhi, _CMP_LE_OQ)), f);
    cBelow = _mm256_sub_epi32(cBelow, _mm256_castps_si256(b));
    cFin = _mm256_sub_epi32(cFin, _mm256_castps_si256(f));
    if (int m = _mm256_movemask_ps(in)) [[unlikely]] {
      alignas(32) float tmp[8];
      _mm256_store_ps(tmp, v);
      for (; m; m &= m - 1)
        w.values.push_back(tmp[__builtin_ctz(unsigned(m))]);
    }
  }
  w.below += simd::hsum(cBelow);
  finite += simd::hsum(cFin);
  scanChunkScalar(x + i, n - i, absolute, w, finite);
}
#endif

void scanChunk(const float* x, int64_t n, bool absolute, Window& w, int64_t& finite) {
#if QS_HAVE_AVX2
  if (simd::useAvx2())
    return scanChunkAvx2(x, n, absolute, w, finite);
#endif
  scanChunkScalar(x, n, absolute, w, finite);
}

// One pass: finite count, per window the count below it and the values inside it.
int64_t gatherWindows(const float* x, int64_t n, bool absolute, std::vector<Window>& windows) {
  const int nw = static_cast<int>(windows.size());
  int64_t finite = 0;
  constexpr int64_t kChunk = 4096; // < 2^31 per 32-bit lane counter
#pragma omp parallel if (n > (1 << 18))
  {
    std::vector<Window> local(windows.size());
    for (int w = 0; w < nw; ++w) {
      local[w].lo = windows[w].lo;
      local[w].hi = windows[w].hi;
    }
    int64_t localFinite = 0;
#pragma omp for schedule(static) nowait
    for (int64_t c = 0; c < (n + kChunk - 1) / kChunk; ++c) {
      const int64_t b = c * kChunk, len = std::min(n, b + kChunk) - b;
      for (int w = 0; w < nw; ++w) {
        int64_t f = 0;
        scanChunk(x + b, len, absolute, local[w], f);
        if (w == 0)
          localFinite += f;
      }
    }
#pragma omp critical
    {
      finite += localFinite;
      for (int w = 0; w < nw; ++w) {
        windows[w].below += local[w].below;
        windows[w].values.insert(windows[w].values.end(), local[w].values.begin(), local[w].values.end());
      }
    }
  }
  return finite;
}

// The k-th and (k+1)-th smallest of v (k+1 clamped), destroying v's order.
std::pair<float, float> selectPair(std::vector<float>& v, int64_t k, int64_t k2) {
  std::nth_element(v.begin(), v.begin() + k, v.end());
  const float a = v[size_t(k)];
  if (k2 == k)
    return {a, a};
  const float b = *std::min_element(v.begin() + k + 1, v.end());
  return {a, b};
}

// Exact fallback: histogram of the top 16 key bits, then select within the bucket(s).
std::pair<float, float> selectByHistogram(const float* x, int64_t n, bool absolute, int64_t k, int64_t k2) {
  std::vector<int64_t> hist(65536, 0);
#pragma omp parallel if (n > (1 << 18))
  {
    std::vector<int64_t> local(65536, 0);
#pragma omp for schedule(static) nowait
    for (int64_t i = 0; i < n; ++i) {
      const float v = valueOf(x[i], absolute);
      if (simd::isFinite(v))
        ++local[keyOf(v) >> 16];
    }
#pragma omp critical
    for (int b = 0; b < 65536; ++b)
      hist[b] += local[b];
  }
  int64_t cum = 0;
  uint32_t b0 = 0;
  int64_t below = 0;
  while (cum + hist[b0] <= k) {
    cum += hist[b0];
    ++b0;
  }
  below = cum;
  uint32_t b1 = b0;
  int64_t cum1 = cum;
  while (cum1 + hist[b1] <= k2) {
    cum1 += hist[b1];
    ++b1;
  }
  std::vector<float> vals;
  vals.reserve(size_t(cum1 + hist[b1] - below));
  for (int64_t i = 0; i < n; ++i) {
    const float v = valueOf(x[i], absolute);
    if (simd::isFinite(v)) {
      const uint32_t b = keyOf(v) >> 16;
      if (b >= b0 && b <= b1)
        vals.push_back(v);
    }
  }
  return selectPair(vals, k - below, k2 - below);
}

// Values at ranks prev/next for each plan, exact.
void selectRanks(const float* x, int64_t n, bool absolute, const double* ps, int np, double* out) {
  if (n <= kSmall) {
    std::vector<float> v;
    v.reserve(size_t(n));
    for (int64_t i = 0; i < n; ++i) {
      const float a = valueOf(x[i], absolute);
      if (simd::isFinite(a))
        v.push_back(a);
    }
    const int64_t m = int64_t(v.size());
    for (int j = 0; j < np; ++j) {
      if (m == 0) {
        out[j] = std::numeric_limits<double>::quiet_NaN();
        continue;
      }
      const RankPlan r = planRank(m, ps[j]);
      auto [a, b] = selectPair(v, r.prev, r.next);
      out[j] = lerp(a, b, r.gamma);
    }
    return;
  }
  // Sample 1024 short blocks spread over the data to place the windows.
  constexpr int kBlocks = 1024, kBlockLen = 16;
  std::vector<float> sample;
  sample.reserve(kBlocks * kBlockLen);
  for (int b = 0; b < kBlocks; ++b) {
    const int64_t start = (n - kBlockLen) * b / (kBlocks - 1);
    for (int64_t i = start; i < start + kBlockLen; ++i) {
      const float a = valueOf(x[i], absolute);
      if (simd::isFinite(a))
        sample.push_back(a);
    }
  }
  std::vector<Window> windows(static_cast<size_t>(np));
  const int64_t s = int64_t(sample.size());
  if (s > 0) {
    std::sort(sample.begin(), sample.end());
    for (int j = 0; j < np; ++j) {
      const double q = ps[j] / 100.0;
      const double pos = q * double(s - 1);
      const double margin = 4.0 * std::sqrt(double(s) * std::max(q * (1 - q), 1e-4)) + 16.0;
      const int64_t lo = int64_t(std::floor(pos - margin)), hi = int64_t(std::ceil(pos + margin));
      if (lo > 0)
        windows[size_t(j)].lo = sample[size_t(lo)];
      if (hi < s - 1)
        windows[size_t(j)].hi = sample[size_t(hi)];
    }
  }
  const int64_t m = gatherWindows(x, n, absolute, windows);
  for (int j = 0; j < np; ++j) {
    if (m == 0) {
      out[j] = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    const RankPlan r = planRank(m, ps[j]);
    Window& w = windows[size_t(j)];
    const int64_t inside = int64_t(w.values.size());
    std::pair<float, float> ab;
    if (w.below <= r.prev && r.next < w.below + inside)
      ab = selectPair(w.values, r.prev - w.below, r.next - w.below);
    else
      ab = selectByHistogram(x, n, absolute, r.prev, r.next);
    out[j] = lerp(ab.first, ab.second, r.gamma);
  }
}

} // namespace

double percentile(const float* x, int64_t n, double p, bool absolute) {
  double out = 0;
  selectRanks(x, n, absolute, &p, 1, &out);
  return out;
}

void percentilePair(const float* x, int64_t n, double pLo, double pHi, double& lo, double& hi) {
  const double ps[2] = {pLo, pHi};
  double out[2];
  selectRanks(x, n, false, ps, 2, out);
  lo = out[0];
  hi = out[1];
}

} // namespace qs
