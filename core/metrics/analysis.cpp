#include "core/metrics/analysis.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace qs {

namespace {

inline bool finiteF(float v) {
  return std::fabs(v) <= FLT_MAX;
}

// Heap order: the "worst" kept entry (smallest value, then largest index) on top.
template <class T> bool worse(const T& a, const T& b) {
  return a.value > b.value || (a.value == b.value && a.index < b.index);
}

} // namespace

int64_t AnalysisPlan::numTiles() const {
  if (rows * cols == 0)
    return 0;
  return fusedChannelStats ? mapH : rows * colBlocks;
}

AnalysisPlan makeAnalysisPlan(const Shape& shape, int bins, int mapWidth, int mapHeight, int topK,
                              double dataMin, double dataMax) {
  AnalysisPlan p;
  const View2D v = view2D(shape);
  p.rows = v.rows;
  p.cols = v.cols;
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
    : plan_(&plan), histX_(size_t(plan.bins), 0), histQ_(size_t(plan.bins), 0), histE_(size_t(plan.bins), 0),
      errRange_(plan.errRange0) {
  histScale_ = double(plan.bins) / (plan.histHi - plan.histLo);
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

void Accumulator::growError(double needed) {
  // Double the symmetric range until it covers `needed`; bins merge pairwise
  // (old bin j -> new bin bins/4 + j/2), which keeps every count exact.
  const int B = plan_->bins;
  while (errRange_ < needed) {
    std::vector<int64_t> h(static_cast<size_t>(B), 0);
    for (int j = 0; j < B; ++j)
      h[size_t(B / 4 + j / 2)] += histE_[size_t(j)];
    histE_.swap(h);
    errRange_ *= 2;
  }
}

void Accumulator::addRun(const float* x, const float* q, int64_t n, int64_t flat0, Cell& cell) {
  const int B = plan_->bins;
  const double lo = plan_->histLo;
  const float bmax = float(B - 1);
  double sse = 0, sx2 = 0, sq2 = 0, sxq = 0, cAbs = 0, cSigned = 0;
  float cMax = 0;
  int64_t cnt = 0, nonFinite = 0;
  for (int64_t k = 0; k < n; ++k) {
    const float xv = x[k], qv = q[k];
    if (!finiteF(xv)) [[unlikely]] {
      ++nonFinite;
      continue;
    }
    const float e = xv - qv;
    const float ae = std::fabs(e);
    const double ed = e;
    sse += ed * ed;
    sx2 += double(xv) * xv;
    sq2 += double(qv) * qv;
    sxq += double(xv) * qv;
    cAbs += ae;
    cSigned += e;
    cMax = std::max(cMax, ae);
    ++cnt;
    const float bx = std::clamp(float((xv - lo) * histScale_), 0.0f, bmax);
    const float bq = std::clamp(float((qv - lo) * histScale_), 0.0f, bmax);
    ++histX_[size_t(bx)];
    ++histQ_[size_t(bq)];
    if (ae > errRange_ && ae <= FLT_MAX) [[unlikely]]
      growError(ae);
    const double escale = double(B) / (2 * errRange_);
    const float be = std::clamp(float((e + errRange_) * escale), 0.0f, bmax);
    ++histE_[size_t(be)];
    if (ae > thrErr_) [[unlikely]]
      pushTop(topErr_, thrErr_, {ae, flat0 + k, xv, qv});
    const float ax = std::fabs(xv);
    if (ax > thrMag_) [[unlikely]]
      pushTop(topMag_, thrMag_, {ax, flat0 + k, xv, qv});
  }
  sumSqErr_ += sse;
  sumX2_ += sx2;
  sumQ2_ += sq2;
  sumXQ_ += sxq;
  maxAbsErr_ = std::max(maxAbsErr_, double(cMax));
  finite_ += cnt;
  nonFinite_ += nonFinite;
  cell.maxAbs = std::max(cell.maxAbs, double(cMax));
  cell.sumAbs += cAbs;
  cell.sumSigned += cSigned;
  cell.count += cnt;
}

void Accumulator::addRow(int64_t row, int64_t j0, int64_t j1, const float* x, const float* q,
                         std::vector<Cell>& cells) {
  const AnalysisPlan& p = *plan_;
  for (int64_t j = j0; j < j1; ++j) {
    const int64_t c0 = p.cellColBegin(j), c1 = p.cellColBegin(j + 1);
    const int64_t off = row * p.cols + c0;
    addRun(x + off, q + off, c1 - c0, off, cells[size_t(j - j0)]);
  }
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
    channelStatsRows(x, p.cols, r0, r1, r.channels);
  } else {
    cellRow = tile / p.colBlocks;
    r0 = cellRow;
    r1 = r0 + 1;
    const int64_t b = tile % p.colBlocks;
    j0 = b * p.mapW / p.colBlocks;
    j1 = (b + 1) * p.mapW / p.colBlocks;
  }
  std::vector<Cell> cells(size_t(j1 - j0));
  for (int64_t row = r0; row < r1; ++row)
    addRow(row, j0, j1, x, q, cells);
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
  sumSqErr_ += o.sumSqErr_;
  sumX2_ += o.sumX2_;
  sumQ2_ += o.sumQ2_;
  sumXQ_ += o.sumXQ_;
  maxAbsErr_ = std::max(maxAbsErr_, o.maxAbsErr_);
  finite_ += o.finite_;
  nonFinite_ += o.nonFinite_;
  for (size_t b = 0; b < histX_.size(); ++b) {
    histX_[b] += o.histX_[b];
    histQ_[b] += o.histQ_[b];
  }
  // Bring both error histograms to the wider range, then add.
  growError(o.errRange_);
  std::vector<int64_t> other = o.histE_;
  const int B = plan_->bins;
  for (double range = o.errRange_; range < errRange_; range *= 2) {
    std::vector<int64_t> h(static_cast<size_t>(B), 0);
    for (int j = 0; j < B; ++j)
      h[size_t(B / 4 + j / 2)] += other[size_t(j)];
    other.swap(h);
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
  m.mse = finite_ ? sumSqErr_ / double(finite_) : 0.0;
  m.rmse = std::sqrt(m.mse);
  m.maxAbsError = maxAbsErr_;
  if (sumSqErr_ == 0)
    m.sqnrDb = HUGE_VAL; // no error: +inf (JSON writes null)
  else
    m.sqnrDb = 10.0 * std::log10(sumX2_ / sumSqErr_);
  if (sumX2_ > 0 && sumQ2_ > 0)
    m.cosine = sumXQ_ / std::sqrt(sumX2_ * sumQ2_);
  else
    m.cosine = (sumX2_ == 0 && sumQ2_ == 0) ? 1.0 : 0.0;

  const AnalysisPlan& p = *plan_;
  auto toHist = [](const std::vector<int64_t>& c, double lo, double hi) {
    Histogram h;
    h.lo = lo;
    h.hi = hi;
    h.counts.assign(c.begin(), c.end());
    return h;
  };
  r.histOriginal = toHist(histX_, p.histLo, p.histHi);
  r.histDequantized = toHist(histQ_, p.histLo, p.histHi);
  r.histError = toHist(histE_, -errRange_, errRange_);

  auto toEntries = [&](std::vector<Top> v) {
    std::sort(v.begin(), v.end(), worse<Top>);
    std::vector<TopEntry> out;
    for (const Top& t : v) {
      TopEntry e;
      e.index = t.index;
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
  r.topMagnitude = toEntries(topMag_);
}

void channelStatsRows(const float* x, int64_t cols, int64_t r0, int64_t r1, ChannelStats& out) {
  for (int64_t r = r0; r < r1; ++r) {
    const float* row = x + r * cols;
    double sum = 0;
    float amax = 0;
    int64_t n = 0;
    for (int64_t c = 0; c < cols; ++c) {
      const float v = row[c];
      if (finiteF(v)) {
        sum += v;
        amax = std::max(amax, std::fabs(v));
        ++n;
      }
    }
    const double mean = n ? sum / double(n) : 0.0;
    double m2 = 0, m4 = 0;
    for (int64_t c = 0; c < cols; ++c) {
      const float v = row[c];
      if (finiteF(v)) {
        const double d = double(v) - mean, d2 = d * d;
        m2 += d2;
        m4 += d2 * d2;
      }
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
