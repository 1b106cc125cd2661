#pragma once
// Hand-built QuantResults for the plot view tests: a symmetric per-tensor
// INT4 quantization of a deterministic 64 x 128 tensor, computed here with
// plain loops (independent of the core), with a planted outlier channel and
// a planted error so the tests know where the views must point.
#include "core/quant/quant_result.h"
#include "core/tensor.h"

#include <QApplication>
#include <QDir>
#include <QString>
#include <QWidget>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

namespace qs::testfx {

constexpr int64_t kRows = 64, kCols = 128;
constexpr int64_t kOutlierChannel = 17;
constexpr int64_t kErrRow = 40, kErrCol = 100;
constexpr float kPlantedError = 0.9f;

inline std::shared_ptr<Tensor> makeTensor() {
  auto t = std::make_shared<Tensor>();
  t->name = "layer0.weight";
  t->shape = {kRows, kCols};
  t->values.resize(size_t(kRows * kCols));
  for (int64_t r = 0; r < kRows; ++r)
    for (int64_t c = 0; c < kCols; ++c) {
      // A smooth bell-ish spread in [-1, 1], channel 17 ten times larger.
      const double u = std::sin(0.37 * double(r * kCols + c)) * std::cos(0.011 * double(c * r + 3));
      t->values[size_t(r * kCols + c)] = float(u * (r == kOutlierChannel ? 10.0 : 1.0));
    }
  return t;
}

inline Histogram histogramOf(const std::vector<float>& v, double lo, double hi, int bins) {
  Histogram h{lo, hi, std::vector<double>(size_t(bins), 0.0)};
  for (float x : v) {
    int b = int(std::floor((double(x) - lo) / (hi - lo) * bins));
    h.counts[size_t(std::clamp(b, 0, bins - 1))] += 1;
  }
  return h;
}

// Symmetric INT4 over the whole tensor with a clip at `clip` (levels s*k, k in [-8, 7]).
inline std::shared_ptr<QuantResult> makeInt4Result(const Tensor& t, float clip = 6.0f) {
  auto r = std::make_shared<QuantResult>();
  r->tensorName = t.name;
  r->shape = t.shape;
  r->config.format = "int4";
  r->granularity.kind = GranularityKind::Tensor;
  r->formatLabel = "INT4 sym · per tensor";
  r->codeBits = 4;
  const float s = clip / 7.0f;
  r->scaleShape = {1};
  r->scales = {s};
  r->clipLo = {-clip};
  r->clipHi = {clip};
  for (int k = -8; k <= 7; ++k)
    r->levels.push_back(s * float(k));
  r->dequantized.resize(t.values.size());
  for (size_t i = 0; i < t.values.size(); ++i) {
    const float k = std::clamp(std::nearbyint(t.values[i] / s), -8.0f, 7.0f);
    r->dequantized[i] = k * s;
  }
  // The planted error: one element off by kPlantedError more than rounding allows.
  r->dequantized[size_t(kErrRow * kCols + kErrCol)] =
      t.values[size_t(kErrRow * kCols + kErrCol)] - kPlantedError;

  std::vector<float> err(t.values.size());
  double se = 0, sx = 0, dot = 0, sq = 0, maxErr = 0;
  for (size_t i = 0; i < err.size(); ++i) {
    err[i] = t.values[i] - r->dequantized[i];
    se += double(err[i]) * err[i];
    sx += double(t.values[i]) * t.values[i];
    sq += double(r->dequantized[i]) * r->dequantized[i];
    dot += double(t.values[i]) * r->dequantized[i];
    maxErr = std::max(maxErr, double(std::fabs(err[i])));
  }
  const auto [mn, mx] = std::minmax_element(t.values.begin(), t.values.end());
  r->histOriginal = histogramOf(t.values, *mn, *mx, 200);
  r->histDequantized = histogramOf(r->dequantized, *mn, *mx, 200);
  const auto [emn, emx] = std::minmax_element(err.begin(), err.end());
  r->histError = histogramOf(err, *emn, *emx, 100);
  r->metrics.count = t.numel();
  r->metrics.mse = se / double(err.size());
  r->metrics.rmse = std::sqrt(r->metrics.mse);
  r->metrics.maxAbsError = maxErr;
  r->metrics.sqnrDb = 10.0 * std::log10(sx / se);
  r->metrics.cosine = dot / std::sqrt(sx * sq);
  r->metrics.bitsPerElement = 4.0 + 32.0 / double(t.numel());
  int64_t clipped = 0;
  for (float x : t.values)
    clipped += (x < -clip || x > clip);
  r->metrics.clippedFraction = double(clipped) / double(t.numel());

  // Channel statistics over rows.
  ChannelStats& ch = r->channels;
  for (int64_t row = 0; row < kRows; ++row) {
    double m = 0, am = 0;
    for (int64_t c = 0; c < kCols; ++c) {
      const double x = t.values[size_t(row * kCols + c)];
      m += x;
      am = std::max(am, std::fabs(x));
    }
    m /= kCols;
    double m2 = 0, m4 = 0;
    for (int64_t c = 0; c < kCols; ++c) {
      const double d = t.values[size_t(row * kCols + c)] - m;
      m2 += d * d;
      m4 += d * d * d * d;
    }
    m2 /= kCols;
    m4 /= kCols;
    ch.absMax.push_back(float(am));
    ch.mean.push_back(float(m));
    ch.stdDev.push_back(float(std::sqrt(m2)));
    ch.kurtosis.push_back(float(m4 / (m2 * m2) - 3.0));
  }
  std::vector<float> sorted = ch.absMax;
  std::nth_element(sorted.begin(), sorted.begin() + kRows / 2, sorted.end());
  const float median = sorted[size_t(kRows / 2)];
  for (int64_t row = 0; row < kRows; ++row)
    if (ch.absMax[size_t(row)] > 6.0f * median)
      ch.outlierChannels.push_back(row);

  // Top-k by |error| and by |x|.
  std::vector<int64_t> idx(t.values.size());
  std::iota(idx.begin(), idx.end(), 0);
  auto entry = [&](int64_t i) {
    return TopEntry{i, i / kCols, i % kCols, t.values[size_t(i)], r->dequantized[size_t(i)], err[size_t(i)]};
  };
  std::partial_sort(idx.begin(), idx.begin() + 10, idx.end(), [&](int64_t a, int64_t b) {
    return std::fabs(err[size_t(a)]) > std::fabs(err[size_t(b)]);
  });
  for (int i = 0; i < 10; ++i)
    r->topErrors.push_back(entry(idx[size_t(i)]));
  std::partial_sort(idx.begin(), idx.begin() + 10, idx.end(), [&](int64_t a, int64_t b) {
    return std::fabs(t.values[size_t(a)]) > std::fabs(t.values[size_t(b)]);
  });
  for (int i = 0; i < 10; ++i)
    r->topMagnitude.push_back(entry(idx[size_t(i)]));

  // Error map pooled 2 x 2 elements per cell: 32 rows x 64 cols.
  ErrorMap& map = r->errorMap;
  map.rows = kRows;
  map.cols = kCols;
  map.height = 32;
  map.width = 64;
  map.maxAbs.assign(size_t(map.width * map.height), 0.0f);
  map.meanAbs.assign(size_t(map.width * map.height), 0.0f);
  map.meanSigned.assign(size_t(map.width * map.height), 0.0f);
  for (int64_t row = 0; row < kRows; ++row)
    for (int64_t c = 0; c < kCols; ++c) {
      const size_t cell = size_t((row / 2) * map.width + c / 2);
      const float e = err[size_t(row * kCols + c)];
      map.maxAbs[cell] = std::max(map.maxAbs[cell], std::fabs(e));
      map.meanAbs[cell] += std::fabs(e) / 4.0f;
      map.meanSigned[cell] += e / 4.0f;
    }
  return r;
}

// Saves a screenshot of `widget` at `size` into the test output dir.
inline QString saveShot(QWidget& widget, const QString& name, QSize size = QSize(900, 560)) {
  widget.resize(size);
  widget.show();
  QApplication::processEvents();
  for (QCustomPlot* plot : widget.findChildren<QCustomPlot*>())
    plot->replot();
  const QString path = QDir(QStringLiteral(QS_TEST_OUT_DIR)).filePath(name + QStringLiteral(".png"));
  widget.grab().save(path);
  return path;
}

} // namespace qs::testfx
