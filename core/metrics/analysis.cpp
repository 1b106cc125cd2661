#include "core/metrics/analysis.h"

#include "core/util/simd.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace qs {

namespace {

// Heap order: the "worst" kept entry (smallest value, then largest index) on top.
template <class T> bool worse(const T& a, const T& b) {
  return a.value > b.value || (a.value == b.value && a.index < b.index);
}

// Clamped bin of a scaled position; NaN (a NaN dequantized value) lands in bin 0.
inline int binIndex(float b, float bmax) {
  return int(b > 0.0f ? (b < bmax ? b : bmax) : 0.0f);
}

} // namespace

int64_t AnalysisPlan::numTiles() const {
  if (rows * cols == 0)
    return 0;
  return fusedChannelStats ? mapH : rows * colBlocks;
}

AnalysisPlan makeAnalysisPlan(const Shape& shape, int bins, int mapWidth, int mapHeight, int topK,
                              double dataMin, double dataMax, int viewAxis) {
  AnalysisPlan p;
  p.view = channelView(shape, shape.empty() ? 0 : viewAxis);
  p.rows = shape.empty() ? 1 : p.view.rows();
  p.cols = shape.empty() ? 1 : p.view.cols();
  p.bins = std::max(4, (bins + 3) / 4 * 4); // a multiple of 4 keeps error-range doubling exact
  p.topK = std::max(0, topK);
  p.mapW = int(std::clamp<int64_t>(mapWidth, 1, std::max<int64_t>(p.cols, 1)));
  p.mapH = int(std::clamp<int64_t>(mapHeight, 1, std::max<int64_t>(p.rows, 1)));
  p.fusedChannelStats = p.rows >= 8 || p.rows > p.mapH;
  if (!p.fusedChannelStats)
    p.colBlocks = int(std::clamp<int64_t>((p.cols + 65535) / 65536, 1, p.mapW));
  if (!(dataMin <= dataMax)) {
    dataMin = 0;
    dataMax = 1;
  }
  if (dataMin == dataMax) {
    dataMin -= 0.5;
    dataMax += 0.5;
  }
  p.histLo = dataMin;
  p.histHi = dataMax;
  const double a = std::max(std::fabs(dataMin), std::fabs(dataMax));
  p.errRange0 = std::ldexp(1.0, std::max(-140, std::ilogb(a) - 24));
  return p;
}

void tileRange(const AnalysisPlan& p, int64_t tile, int64_t& begin, int64_t& end) {
  if (p.fusedChannelStats) {
    begin = p.cellRowBegin(tile) * p.cols;
    end = p.cellRowBegin(tile + 1) * p.cols;
    return;
  }
  const int64_t row = tile / p.colBlocks, b = tile % p.colBlocks;
  const int64_t j0 = b * p.mapW / p.colBlocks, j1 = (b + 1) * p.mapW / p.colBlocks;
  begin = row * p.cols + p.cellColBegin(j0);
  end = row * p.cols + p.cellColBegin(j1);
}

Accumulator::Accumulator(const AnalysisPlan& plan)
    : plan_(&plan), tileSums_(3 * size_t(std::max<int64_t>(plan.numTiles(), 0)), 0.0),
      histX_(kCopies * size_t(plan.bins + 1), 0), histQ_(kCopies * size_t(plan.bins + 1), 0),
      histE_(kCopies * size_t(plan.bins + 1), 0), errRange_(plan.errRange0) {
  histScale_ = double(plan.bins) / (plan.histHi - plan.histLo);
}

void Accumulator::skipInputAnalysis() {
  inputDone_ = true;
  thrMag_ = HUGE_VALF; // no |x| enters the top-k heap
}

// Counts bins[0, n) into kCopies interleaved copies of a histogram (`stride`
// apart): values cluster on a few bins, and one copy would make every
// increment wait for the previous one to the same counter.
void Accumulator::scatter(const int32_t* bins, int64_t n, int64_t* h, size_t stride) {
  static_assert(kCopies == 4);
  int64_t* h0 = h;
  int64_t* h1 = h + stride;
  int64_t* h2 = h + 2 * stride;
  int64_t* h3 = h + 3 * stride;
  int64_t k = 0;
  for (; k + 4 <= n; k += 4) {
    ++h0[bins[k]];
    ++h1[bins[k + 1]];
    ++h2[bins[k + 2]];
    ++h3[bins[k + 3]];
  }
  for (; k < n; ++k)
    ++h0[bins[k]];
}

int Accumulator::histogramBin(float v) const {
  return binIndex((v - float(plan_->histLo)) * float(histScale_), float(plan_->bins - 1));
}

void Accumulator::pushTop(std::vector<Top>& heap, float& threshold, const Top& t) {
  const size_t K = size_t(plan_->topK);
  if (K == 0)
    return;
  if (heap.size() < K) {
    heap.push_back(t);
    std::push_heap(heap.begin(), heap.end(), worse<Top>);
  } else if (worse(t, heap.front())) {
    std::pop_heap(heap.begin(), heap.end(), worse<Top>);
    heap.back() = t;
    std::push_heap(heap.begin(), heap.end(), worse<Top>);
  }
  if (heap.size() == K)
    threshold = heap.front().value;
}

void Accumulator::growError(double needed, bool strictlyAbove) {
  // Double the symmetric range until it covers `needed` (an error: strictly,
  // since bins are half-open; another accumulator's range: reaching it); bins
  // merge pairwise (old bin j -> new bin bins/4 + j/2), which keeps every count
  // exact. Both scatter copies are remapped; their extra "dropped" bin stays put.
  const int B = plan_->bins;
  while (strictlyAbove ? errRange_ <= needed : errRange_ < needed) {
    for (size_t copy = 0; copy < kCopies; ++copy) {
      int64_t* h = histE_.data() + copy * size_t(B + 1);
      std::vector<int64_t> g(static_cast<size_t>(B), 0);
      for (int j = 0; j < B; ++j)
        g[size_t(B / 4 + j / 2)] += h[j];
      std::copy(g.begin(), g.end(), h);
    }
    errRange_ *= 2;
  }
}

namespace {

// Per-run partial sums in float lanes (a run is one map cell, a few dozen
// values: float is exact enough there); they are added up in double.
struct RunSums {
  float see = 0, sxe = 0, sx2 = 0, sumAbs = 0, sumSigned = 0, maxAbs = 0, maxX = 0;
  int64_t finite = 0;
};

// The twins below keep the same 8 float lanes, FMAs included (std::fma in the
// scalar twins), and reduce them in the same order (simd::hsum): their sums
// are equal bit for bit, which the twin tests check.

// One lane of x and q: |x|, finite, x and e = x - q with non-finite lanes
// zeroed, and |e|.
struct ErrorLane {
  float ax, xf, e, ae;
  bool fin;
};
inline ErrorLane errorLane(float x, float q) {
  ErrorLane l;
  l.ax = std::fabs(x);
  l.fin = l.ax <= FLT_MAX;
  l.xf = l.fin ? x : 0.0f;
  l.e = l.fin ? x - q : 0.0f;
  l.ae = std::fabs(l.e);
  return l;
}

#if QS_HAVE_AVX2
// errorLane for 8 values.
struct ErrorLanes {
  __m256 ax, fin, xf, e, ae;
};
QS_AVX2 inline ErrorLanes errorLanes(const float* x, const float* q) {
  const __m256 xv = _mm256_loadu_ps(x), qv = _mm256_loadu_ps(q);
  ErrorLanes l;
  l.ax = simd::abs(xv);
  l.fin = simd::finiteMask(xv);
  l.xf = _mm256_and_ps(xv, l.fin);
  l.e = _mm256_and_ps(_mm256_sub_ps(xv, qv), l.fin);
  l.ae = simd::abs(l.e);
  return l;
}
#endif

// The values after the full groups of 8 (both twins).
void runTail(const float* x, const float* q, int64_t k, int64_t n, bool sumX, RunSums& r) {
  for (; k < n; ++k) {
    const float xv = x[k];
    if (!simd::isFinite(xv))
      continue;
    const float e = xv - q[k], ae = std::fabs(e);
    r.see += e * e;
    r.sxe += xv * e;
    r.sx2 += xv * xv;
    r.sumAbs += ae;
    r.sumSigned += sumX ? xv : e;
    r.maxAbs = std::max(r.maxAbs, ae);
    r.maxX = std::max(r.maxX, std::fabs(xv));
    ++r.finite;
  }
}

#if QS_HAVE_AVX2
QS_AVX2 RunSums runSumsAvx2(const float* x, const float* q, int64_t n, bool sumX) {
  RunSums r;
  int64_t k = 0;
  __m256 see = _mm256_setzero_ps(), sxe = see, sx2 = see, sAbs = see, sSig = see, mAbs = see, mX = see,
         cnt = see;
  const __m256 one = _mm256_set1_ps(1.0f);
  for (; k + 8 <= n; k += 8) {
    const ErrorLanes l = errorLanes(x + k, q + k);
    see = _mm256_fmadd_ps(l.e, l.e, see);
    sxe = _mm256_fmadd_ps(l.xf, l.e, sxe);
    sx2 = _mm256_fmadd_ps(l.xf, l.xf, sx2);
    sAbs = _mm256_add_ps(sAbs, l.ae);
    sSig = _mm256_add_ps(sSig, sumX ? l.xf : l.e);
    mAbs = _mm256_max_ps(mAbs, l.ae);
    mX = _mm256_max_ps(mX, _mm256_and_ps(l.ax, l.fin));
    cnt = _mm256_add_ps(cnt, _mm256_and_ps(one, l.fin));
  }
  r.see = simd::hsum(see);
  r.sxe = simd::hsum(sxe);
  r.sx2 = simd::hsum(sx2);
  r.sumAbs = simd::hsum(sAbs);
  r.sumSigned = simd::hsum(sSig);
  r.maxAbs = simd::hmax(mAbs);
  r.maxX = simd::hmax(mX);
  r.finite = int64_t(simd::hsum(cnt));
  runTail(x, q, k, n, sumX, r);
  return r;
}
#endif

RunSums runSumsScalar(const float* x, const float* q, int64_t n, bool sumX) {
  RunSums r;
  int64_t k = 0;
  float see[8] = {}, sxe[8] = {}, sx2[8] = {}, sAbs[8] = {}, sSig[8] = {}, mAbs[8] = {}, mX[8] = {},
        cnt[8] = {};
  for (; k + 8 <= n; k += 8)
    for (int i = 0; i < 8; ++i) {
      const ErrorLane l = errorLane(x[k + i], q[k + i]);
      see[i] = std::fma(l.e, l.e, see[i]);
      sxe[i] = std::fma(l.xf, l.e, sxe[i]);
      sx2[i] = std::fma(l.xf, l.xf, sx2[i]);
      sAbs[i] += l.ae;
      sSig[i] += sumX ? l.xf : l.e;
      mAbs[i] = simd::maxLane(mAbs[i], l.ae);
      mX[i] = simd::maxLane(mX[i], l.fin ? l.ax : 0.0f);
      cnt[i] += l.fin ? 1.0f : 0.0f;
    }
  r.see = simd::hsum(see);
  r.sxe = simd::hsum(sxe);
  r.sx2 = simd::hsum(sx2);
  r.sumAbs = simd::hsum(sAbs);
  r.sumSigned = simd::hsum(sSig);
  r.maxAbs = simd::hmax(mAbs);
  r.maxX = simd::hmax(mX);
  r.finite = int64_t(simd::hsum(cnt));
  runTail(x, q, k, n, sumX, r);
  return r;
}

RunSums runSums(const float* x, const float* q, int64_t n, bool sumX = false) {
#if QS_HAVE_AVX2
  if (simd::useAvx2())
    return runSumsAvx2(x, q, n, sumX);
#endif
  return runSumsScalar(x, q, n, sumX);
}

// Pass 1 of addRow: the row's totals (float lanes within the row, double
// across rows) and the map cells' sums.
struct RowTotals {
  double see = 0, sxe = 0, sx2 = 0;
  float maxE = 0, maxX = 0;
  int64_t finite = 0;
};

// Float lanes per cell: 8 each of sum |e|, sum e, max |e| and count. They
// persist across the rows of a tile (flushCells reduces them): one horizontal
// reduction per cell and tile, not per row.
constexpr size_t kLanes = 32;

// The values of cell [k, c1) after its full groups of 8, straight into the
// row totals and the cell (both twins).
template <class Cell>
void cellTail(const float* xr, const float* qr, int64_t k, int64_t c1, RowTotals& t, Cell& cell) {
  if (k == c1)
    return;
  float sAbs = 0, sSig = 0, mAbs = 0;
  int64_t cnt = 0;
  for (; k < c1; ++k) {
    const float xv = xr[k];
    if (!simd::isFinite(xv))
      continue;
    const float e = xv - qr[k], ae = std::fabs(e);
    t.see += double(e) * e;
    t.sxe += double(xv) * e;
    t.sx2 += double(xv) * xv;
    t.maxX = std::max(t.maxX, std::fabs(xv));
    sAbs += ae;
    sSig += e;
    mAbs = std::max(mAbs, ae);
    ++cnt;
    ++t.finite;
  }
  t.maxE = std::max(t.maxE, mAbs);
  cell.maxAbs = std::max(cell.maxAbs, double(mAbs));
  cell.sumAbs += sAbs;
  cell.sumSigned += sSig;
  cell.count += cnt;
}

#if QS_HAVE_AVX2
template <class Cell>
QS_AVX2 void rowSumsAvx2(const AnalysisPlan& p, int64_t j0, int64_t j1, const float* xr, const float* qr,
                         float* cellLanes, std::vector<Cell>& cells, RowTotals& t) {
  const int64_t base = p.cellColBegin(j0);
  const __m256 one = _mm256_set1_ps(1.0f);
  __m256 gsee = _mm256_setzero_ps(), gsxe = gsee, gsx2 = gsee, gmX = gsee, gmE = gsee, gcnt = gsee;
  for (int64_t j = j0; j < j1; ++j) {
    const int64_t c0 = p.cellColBegin(j) - base, c1 = p.cellColBegin(j + 1) - base;
    int64_t k = c0;
    if (c1 - c0 >= 8) {
      float* lanes = cellLanes + size_t(j - j0) * kLanes;
      __m256 vAbs = _mm256_loadu_ps(lanes), vSig = _mm256_loadu_ps(lanes + 8);
      __m256 vMax = _mm256_loadu_ps(lanes + 16), vCnt = _mm256_loadu_ps(lanes + 24);
      for (; k + 8 <= c1; k += 8) {
        const ErrorLanes l = errorLanes(xr + k, qr + k);
        const __m256 f1 = _mm256_and_ps(one, l.fin);
        gsee = _mm256_fmadd_ps(l.e, l.e, gsee);
        gsxe = _mm256_fmadd_ps(l.xf, l.e, gsxe);
        gsx2 = _mm256_fmadd_ps(l.xf, l.xf, gsx2);
        gmX = _mm256_max_ps(gmX, _mm256_and_ps(l.ax, l.fin));
        gmE = _mm256_max_ps(gmE, l.ae);
        gcnt = _mm256_add_ps(gcnt, f1);
        vAbs = _mm256_add_ps(vAbs, l.ae);
        vSig = _mm256_add_ps(vSig, l.e);
        vMax = _mm256_max_ps(vMax, l.ae);
        vCnt = _mm256_add_ps(vCnt, f1);
      }
      _mm256_storeu_ps(lanes, vAbs);
      _mm256_storeu_ps(lanes + 8, vSig);
      _mm256_storeu_ps(lanes + 16, vMax);
      _mm256_storeu_ps(lanes + 24, vCnt);
    }
    cellTail(xr, qr, k, c1, t, cells[size_t(j - j0)]);
  }
  t.see += simd::hsum(gsee);
  t.sxe += simd::hsum(gsxe);
  t.sx2 += simd::hsum(gsx2);
  t.maxX = std::max(t.maxX, simd::hmax(gmX));
  t.maxE = std::max(t.maxE, simd::hmax(gmE));
  t.finite += int64_t(simd::hsum(gcnt));
}
#endif

template <class Cell>
void rowSumsScalar(const AnalysisPlan& p, int64_t j0, int64_t j1, const float* xr, const float* qr,
                   float* cellLanes, std::vector<Cell>& cells, RowTotals& t) {
  const int64_t base = p.cellColBegin(j0);
  float gsee[8] = {}, gsxe[8] = {}, gsx2[8] = {}, gmX[8] = {}, gmE[8] = {}, gcnt[8] = {};
  for (int64_t j = j0; j < j1; ++j) {
    const int64_t c0 = p.cellColBegin(j) - base, c1 = p.cellColBegin(j + 1) - base;
    int64_t k = c0;
    if (c1 - c0 >= 8) {
      float* vAbs = cellLanes + size_t(j - j0) * kLanes;
      float *vSig = vAbs + 8, *vMax = vAbs + 16, *vCnt = vAbs + 24;
      for (; k + 8 <= c1; k += 8)
        for (int i = 0; i < 8; ++i) {
          const ErrorLane l = errorLane(xr[k + i], qr[k + i]);
          const float f1 = l.fin ? 1.0f : 0.0f;
          gsee[i] = std::fma(l.e, l.e, gsee[i]);
          gsxe[i] = std::fma(l.xf, l.e, gsxe[i]);
          gsx2[i] = std::fma(l.xf, l.xf, gsx2[i]);
          gmX[i] = simd::maxLane(gmX[i], l.fin ? l.ax : 0.0f);
          gmE[i] = simd::maxLane(gmE[i], l.ae);
          gcnt[i] += f1;
          vAbs[i] += l.ae;
          vSig[i] += l.e;
          vMax[i] = simd::maxLane(vMax[i], l.ae);
          vCnt[i] += f1;
        }
    }
    cellTail(xr, qr, k, c1, t, cells[size_t(j - j0)]);
  }
  t.see += simd::hsum(gsee);
  t.sxe += simd::hsum(gsxe);
  t.sx2 += simd::hsum(gsx2);
  t.maxX = std::max(t.maxX, simd::hmax(gmX));
  t.maxE = std::max(t.maxE, simd::hmax(gmE));
  t.finite += int64_t(simd::hsum(gcnt));
}

// Pass 2 of addRow: histogram bins of x, e = x - q and q for values [k, n)
// (non-finite x: bin B, an extra bin that is dropped).
struct BinParams {
  float lo, hs, bmax, halfB, es;
  int B;
  bool binX, binQ;
};

void rowBinsScalar(const BinParams& b, const float* xr, const float* qr, int64_t k, int64_t n, int32_t* bx,
                   int32_t* be, int32_t* bq) {
  for (; k < n; ++k) {
    const float xv = xr[k];
    const bool f = simd::isFinite(xv);
    bx[k] = f ? binIndex((xv - b.lo) * b.hs, b.bmax) : b.B;
    be[k] = f ? binIndex(std::floor((xv - qr[k]) * b.es) + b.halfB, b.bmax) : b.B;
    bq[k] = f ? binIndex((qr[k] - b.lo) * b.hs, b.bmax) : b.B;
  }
}

#if QS_HAVE_AVX2
QS_AVX2 void rowBinsAvx2(const BinParams& b, const float* xr, const float* qr, int64_t n, int32_t* bx,
                         int32_t* be, int32_t* bq) {
  const __m256 vlo = _mm256_set1_ps(b.lo), vhs = _mm256_set1_ps(b.hs), vmax = _mm256_set1_ps(b.bmax);
  const __m256 vhalf = _mm256_set1_ps(b.halfB), ves = _mm256_set1_ps(b.es), zero = _mm256_setzero_ps();
  const __m256i dummy = _mm256_set1_epi32(b.B);
  int64_t k = 0;
  for (; k + 8 <= n; k += 8) {
    const __m256 xv = _mm256_loadu_ps(xr + k), qv = _mm256_loadu_ps(qr + k);
    const __m256i finI = _mm256_castps_si256(simd::finiteMask(xv));
    // max(v, 0) with v first: NaN -> 0, as binIndex.
    const __m256 px = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(_mm256_sub_ps(xv, vlo), vhs), zero), vmax);
    const __m256 ye =
        _mm256_round_ps(_mm256_mul_ps(_mm256_sub_ps(xv, qv), ves), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    const __m256 pe = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(ye, vhalf), zero), vmax);
    if (b.binX)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(bx + k),
                          _mm256_blendv_epi8(dummy, _mm256_cvttps_epi32(px), finI));
    if (b.binQ) {
      const __m256 pq = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(_mm256_sub_ps(qv, vlo), vhs), zero), vmax);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(bq + k),
                          _mm256_blendv_epi8(dummy, _mm256_cvttps_epi32(pq), finI));
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(be + k),
                        _mm256_blendv_epi8(dummy, _mm256_cvttps_epi32(pe), finI));
  }
  rowBinsScalar(b, xr, qr, k, n, bx, be, bq);
}
#endif

} // namespace

void Accumulator::addRow(int64_t row, int64_t j0, int64_t j1, const float* x, const float* q,
                         std::vector<Cell>& cells) {
  const AnalysisPlan& p = *plan_;
  const int64_t base = p.cellColBegin(j0);
  const int64_t a = row * p.cols + base;
  const int64_t n = p.cellColBegin(j1) - base;
  const float* xr = x + a;
  const float* qr = q + a;
  const bool avx2 = simd::useAvx2();

  // Pass 1: per-cell sums and the row's global sums.
  RowTotals t;
  static_assert(kCellLanes == kLanes);
#if QS_HAVE_AVX2
  if (avx2)
    rowSumsAvx2(p, j0, j1, xr, qr, cellLanes_.data(), cells, t);
  else
    rowSumsScalar(p, j0, j1, xr, qr, cellLanes_.data(), cells, t);
#else
  rowSumsScalar(p, j0, j1, xr, qr, cellLanes_.data(), cells, t);
#endif
  const float maxE = t.maxE, maxX = t.maxX;
  tileSum_[0] += t.see;
  tileSum_[1] += t.sxe;
  tileSum_[2] += t.sx2;
  maxAbsErr_ = std::max(maxAbsErr_, double(maxE));
  finite_ += t.finite;
  nonFinite_ += n - t.finite;

  // Pass 2: histogram bins (vector), then the scatters (scalar, interleaved
  // copies of each histogram so that equal neighbouring bins do not serialise).
  if (maxE >= errRange_ && maxE <= FLT_MAX)
    growError(maxE, true);
  const int B = plan_->bins;
  // Error bin floor(e * B / 2R) + B/2: with B a power of two the product is
  // exact, so a value binned before a range doubling lands where it would
  // have landed after it (floor(y / 2) == floor(floor(y) / 2)), and the
  // counts do not depend on how the rows were split between threads.
  const BinParams bp{float(plan_->histLo),
                     float(histScale_),
                     float(B - 1),
                     float(B / 2),
                     float(double(B) / (2 * errRange_)),
                     B,
                     !inputDone_,
                     directQ_};
  bx_.resize(size_t(n));
  be_.resize(size_t(n));
  bq_.resize(size_t(n));
#if QS_HAVE_AVX2
  if (avx2)
    rowBinsAvx2(bp, xr, qr, n, bx_.data(), be_.data(), bq_.data());
  else
    rowBinsScalar(bp, xr, qr, 0, n, bx_.data(), be_.data(), bq_.data());
#else
  (void)avx2;
  rowBinsScalar(bp, xr, qr, 0, n, bx_.data(), be_.data(), bq_.data());
#endif
  const size_t stride = size_t(B + 1);
  if (!inputDone_)
    scatter(bx_.data(), n, histX_.data(), stride);
  scatter(be_.data(), n, histE_.data(), stride);
  if (directQ_)
    scatter(bq_.data(), n, histQ_.data(), stride);
  if (maxE > thrErr_ || maxX > thrMag_) [[unlikely]] {
    for (int64_t k = 0; k < n; ++k) {
      const float xv = xr[k];
      if (!simd::isFinite(xv))
        continue;
      const float ae = std::fabs(xv - qr[k]), ax = std::fabs(xv);
      if (ae > thrErr_)
        pushTop(topErr_, thrErr_, {ae, a + k, xv, qr[k]});
      if (ax > thrMag_)
        pushTop(topMag_, thrMag_, {ax, a + k, xv, qr[k]});
    }
  }
}

// Reduces the cells' float lanes (both twins fill them) in the order of the
// AVX2 reduction, and clears them.
void Accumulator::flushCells(std::vector<Cell>& cells) {
  for (size_t c = 0; c < cells.size(); ++c) {
    const float* lanes = cellLanes_.data() + c * kCellLanes;
    Cell& cell = cells[c];
    cell.sumAbs += simd::hsum(lanes);
    cell.sumSigned += simd::hsum(lanes + 8);
    cell.maxAbs = std::max(cell.maxAbs, double(simd::hmax(lanes + 16)));
    cell.count += int64_t(simd::hsum(lanes + 24));
  }
  std::fill(cellLanes_.begin(), cellLanes_.end(), 0.0f);
}

void Accumulator::addTile(int64_t tile, const float* x, const float* q, QuantResult& r) {
  const AnalysisPlan& p = *plan_;
  int64_t cellRow, r0, r1, j0, j1;
  if (p.fusedChannelStats) {
    cellRow = tile;
    r0 = p.cellRowBegin(tile);
    r1 = p.cellRowBegin(tile + 1);
    j0 = 0;
    j1 = p.mapW;
    if (!inputDone_)
      channelStatsRows(x, p.cols, r0, r1, r.channels);
  } else {
    cellRow = tile / p.colBlocks;
    r0 = cellRow;
    r1 = r0 + 1;
    const int64_t b = tile % p.colBlocks;
    j0 = b * p.mapW / p.colBlocks;
    j1 = (b + 1) * p.mapW / p.colBlocks;
  }
  tileSum_ = &tileSums_[3 * size_t(tile)];
  std::vector<Cell> cells(size_t(j1 - j0));
  cellLanes_.assign(cells.size() * kCellLanes, 0.0f);
  for (int64_t row = r0; row < r1; ++row) {
    addRow(row, j0, j1, x, q, cells);
    if ((row - r0) % 64 == 63) // float lanes: flush before they lose precision
      flushCells(cells);
  }
  flushCells(cells);
  ErrorMap& m = r.errorMap;
  for (int64_t j = j0; j < j1; ++j) {
    const Cell& c = cells[size_t(j - j0)];
    const size_t at = size_t(cellRow * p.mapW + j);
    m.maxAbs[at] = float(c.maxAbs);
    m.meanAbs[at] = c.count ? float(c.sumAbs / double(c.count)) : 0.0f;
    m.meanSigned[at] = c.count ? float(c.sumSigned / double(c.count)) : 0.0f;
  }
}

void Accumulator::merge(const Accumulator& o) {
  for (size_t i = 0; i < tileSums_.size(); ++i) // each tile was added by one of the two: exact
    tileSums_[i] += o.tileSums_[i];
  maxAbsErr_ = std::max(maxAbsErr_, o.maxAbsErr_);
  finite_ += o.finite_;
  nonFinite_ += o.nonFinite_;
  for (size_t b = 0; b < histX_.size(); ++b)
    histX_[b] += o.histX_[b];
  for (size_t b = 0; b < histQ_.size(); ++b)
    histQ_[b] += o.histQ_[b];
  // Bring both error histograms to the wider range, then add.
  growError(o.errRange_, false);
  std::vector<int64_t> other = o.histE_;
  const int B = plan_->bins;
  for (double range = o.errRange_; range < errRange_; range *= 2) {
    for (size_t copy = 0; copy < kCopies; ++copy) {
      int64_t* h = other.data() + copy * size_t(B + 1);
      std::vector<int64_t> g(static_cast<size_t>(B), 0);
      for (int k = 0; k < B; ++k)
        g[size_t(B / 4 + k / 2)] += h[k];
      std::copy(g.begin(), g.end(), h);
    }
  }
  for (size_t b = 0; b < histE_.size(); ++b)
    histE_[b] += other[b];
  for (const Top& t : o.topErr_)
    pushTop(topErr_, thrErr_, t);
  for (const Top& t : o.topMag_)
    pushTop(topMag_, thrMag_, t);
}

void Accumulator::finish(QuantResult& r) const {
  Metrics& m = r.metrics;
  m.count = finite_;
  m.nonFinite = nonFinite_;
  // A NaN dequantized value for a finite input (a GGUF block whose fp16 scale
  // overflowed: 0 * inf) is an infinite error, not an undefined one.
  double sumE2 = 0, sumXE = 0, sumX2 = 0;
  for (size_t i = 0; i < tileSums_.size(); i += 3) {
    sumE2 += tileSums_[i];
    sumXE += tileSums_[i + 1];
    sumX2 += tileSums_[i + 2];
  }
  const double see = std::isnan(sumE2) ? HUGE_VAL : sumE2;
  m.mse = finite_ ? see / double(finite_) : 0.0;
  m.rmse = std::sqrt(m.mse);
  m.maxAbsError = std::isnan(sumE2) ? HUGE_VAL : maxAbsErr_;
  if (see == 0)
    m.sqnrDb = HUGE_VAL; // no error: +inf (JSON writes null)
  else
    m.sqnrDb = 10.0 * std::log10(sumX2 / see);
  // With q = x - e: <x,q> = |x|^2 - <x,e> and |q|^2 = |x|^2 - 2<x,e> + |e|^2.
  // Accumulating the small terms <x,e> and |e|^2 directly keeps 1 - cosine
  // accurate; rounding in |x|^2 cancels between numerator and denominator.
  const double sxq = sumX2 - sumXE, sq2 = std::max(0.0, sumX2 - 2 * sumXE + sumE2);
  if (sumX2 > 0 && sq2 > 0)
    m.cosine = std::clamp(sxq / std::sqrt(sumX2 * sq2), -1.0, 1.0);
  else
    m.cosine = (sumX2 == 0 && sq2 == 0) ? 1.0 : 0.0;
  if (std::isnan(m.cosine)) // an overflow to inf (FP16 cast, GGUF fp16 scale) has no angle
    m.cosine = 0.0;

  const AnalysisPlan& p = *plan_;
  // Scatter copies are folded; their extra bin held non-finite inputs.
  auto toHist = [&](const std::vector<int64_t>& c, size_t copies, double lo, double hi) {
    Histogram h;
    h.lo = lo;
    h.hi = hi;
    h.counts.assign(size_t(p.bins), 0.0);
    const size_t stride = size_t(p.bins + 1);
    for (size_t k = 0; k < copies; ++k)
      for (size_t b = 0; b < size_t(p.bins); ++b)
        h.counts[b] += double(c[k * stride + b]);
    return h;
  };
  if (!inputDone_)
    r.histOriginal = toHist(histX_, kCopies, p.histLo, p.histHi);
  r.histDequantized = toHist(histQ_, kCopies, p.histLo, p.histHi);
  r.histError = toHist(histE_, kCopies, -errRange_, errRange_);

  auto toEntries = [&](std::vector<Top> v) {
    std::sort(v.begin(), v.end(), worse<Top>);
    std::vector<TopEntry> out;
    for (const Top& t : v) {
      TopEntry e;
      e.index = p.view.tensorIndex(t.index);
      e.row = p.cols ? t.index / p.cols : 0;
      e.col = p.cols ? t.index % p.cols : 0;
      e.original = t.x;
      e.dequantized = t.q;
      e.error = t.x - t.q;
      out.push_back(e);
    }
    return out;
  };
  r.topErrors = toEntries(topErr_);
  if (!inputDone_)
    r.topMagnitude = toEntries(topMag_);
}

namespace {

// Sums of (x - mean)^2 and (x - mean)^4 over the finite values of a run:
// 8 float lanes, then the tail (both twins).
void centralTail(const float* p, int64_t k, int64_t len, float mean, float& s2, float& s4) {
  for (; k < len; ++k)
    if (simd::isFinite(p[k])) {
      const float d = p[k] - mean, d2 = d * d;
      s2 += d2;
      s4 += d2 * d2;
    }
}

#if QS_HAVE_AVX2
QS_AVX2 void centralSumsAvx2(const float* p, int64_t len, float mean, float& s2, float& s4) {
  const __m256 mu = _mm256_set1_ps(mean);
  __m256 a2 = _mm256_setzero_ps(), a4 = a2;
  int64_t k = 0;
  for (; k + 8 <= len; k += 8) {
    const __m256 v = _mm256_loadu_ps(p + k);
    const __m256 d = _mm256_and_ps(_mm256_sub_ps(v, mu), simd::finiteMask(v));
    const __m256 d2 = _mm256_mul_ps(d, d);
    a2 = _mm256_add_ps(a2, d2);
    a4 = _mm256_fmadd_ps(d2, d2, a4);
  }
  s2 = simd::hsum(a2);
  s4 = simd::hsum(a4);
  centralTail(p, k, len, mean, s2, s4);
}
#endif

void centralSumsScalar(const float* p, int64_t len, float mean, float& s2, float& s4) {
  float a2[8] = {}, a4[8] = {};
  int64_t k = 0;
  for (; k + 8 <= len; k += 8)
    for (int i = 0; i < 8; ++i) {
      const float d = simd::isFinite(p[k + i]) ? p[k + i] - mean : 0.0f, d2 = d * d;
      a2[i] += d2;
      a4[i] = std::fma(d2, d2, a4[i]);
    }
  s2 = simd::hsum(a2);
  s4 = simd::hsum(a4);
  centralTail(p, k, len, mean, s2, s4);
}

} // namespace

void channelStatsRows(const float* x, int64_t cols, int64_t r0, int64_t r1, ChannelStats& out) {
  // Two passes per row (the row stays in cache): mean, then central moments.
  // Float lanes for the partial sums, double for the totals of each block of 1024.
  for (int64_t r = r0; r < r1; ++r) {
    const float* row = x + r * cols;
    double sum = 0;
    float amax = 0;
    int64_t n = 0;
    for (int64_t b = 0; b < cols; b += 1024) {
      const RunSums s = runSums(row + b, row + b, std::min<int64_t>(1024, cols - b), true);
      sum += s.sumSigned; // with q = x the "signed error" slot carries sum x
      amax = std::max(amax, s.maxX);
      n += s.finite;
    }
    const double mean = n ? sum / double(n) : 0.0;
    double m2 = 0, m4 = 0;
    for (int64_t b = 0; b < cols; b += 1024) {
      const int64_t len = std::min<int64_t>(1024, cols - b);
      float s2 = 0, s4 = 0;
#if QS_HAVE_AVX2
      if (simd::useAvx2())
        centralSumsAvx2(row + b, len, float(mean), s2, s4);
      else
        centralSumsScalar(row + b, len, float(mean), s2, s4);
#else
      centralSumsScalar(row + b, len, float(mean), s2, s4);
#endif
      m2 += s2;
      m4 += s4;
    }
    out.absMax[size_t(r)] = amax;
    out.mean[size_t(r)] = float(mean);
    out.stdDev[size_t(r)] = n ? float(std::sqrt(m2 / double(n))) : 0.0f;
    // Excess (Fisher) kurtosis, biased estimator as scipy.stats.kurtosis; 0 for a constant row.
    out.kurtosis[size_t(r)] = m2 > 0 ? float(double(n) * m4 / (m2 * m2) - 3.0) : 0.0f;
  }
}

void markOutlierChannels(ChannelStats& s) {
  s.outlierChannels.clear();
  if (s.absMax.empty())
    return;
  std::vector<float> v = s.absMax;
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + long(mid), v.end());
  double median = v[mid];
  if (v.size() % 2 == 0) {
    const float lower = *std::max_element(v.begin(), v.begin() + long(mid));
    median = 0.5 * (double(lower) + double(v[mid]));
  }
  for (size_t i = 0; i < s.absMax.size(); ++i)
    if (double(s.absMax[i]) > 6.0 * median)
      s.outlierChannels.push_back(int64_t(i));
}

} // namespace qs
