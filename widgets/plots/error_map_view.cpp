#include "widgets/plots/error_map_view.h"

#include "widgets/plots/axis_text.h"

#include "core/error.h"
#include "core/metrics/pool_magnitude.h"
#include "core/pipeline/quantize.h"
#include "widgets/plots/plot_style.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QTimer>
#include <QToolTip>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace qs {

namespace {

constexpr int kMaxCells = 2048;     // per axis, whatever the screen
constexpr qint64 kCentreSpan = 128; // rows/cols shown around a located element

QString modeLabel(ErrorMapView::Mode mode) {
  switch (mode) {
  case ErrorMapView::Mode::MaxAbs:
    return QObject::tr("max |x − q| per cell");
  case ErrorMapView::Mode::MeanAbs:
    return QObject::tr("mean |x − q| per cell");
  case ErrorMapView::Mode::MeanSigned:
    return QObject::tr("mean (x − q) per cell");
  case ErrorMapView::Mode::Relative:
    return QObject::tr("mean |x − q| / mean |x| per cell");
  }
  return {};
}

} // namespace

ErrorMapView::ErrorMapView(QWidget* parent) : PlotViewBase(parent) {
  modeBox_ = new QComboBox(this);
  const struct {
    Mode mode;
    QString text, tip;
  } modes[] = {
      {Mode::MaxAbs, tr("Max |error|"),
       tr("The largest |x − q| of the elements pooled into each cell: finds single bad elements.")},
      {Mode::MeanAbs, tr("Mean |error|"), tr("The mean |x − q| of each cell: where the error mass is.")},
      {Mode::MeanSigned, tr("Signed mean error"),
       tr("The mean of x − q per cell: a bias (red: q below x, blue: q above x) that does not average out.")},
      {Mode::Relative, tr("Relative error"),
       tr("Mean |x − q| divided by mean |x| per cell: small-magnitude regions that lose most of their "
          "signal.")},
  };
  for (const auto& m : modes) {
    modeBox_->addItem(m.text, int(m.mode));
    modeBox_->setItemData(modeBox_->count() - 1, m.tip, Qt::ToolTipRole);
  }
  modeBox_->setToolTip(tr("What each heat-map cell shows"));
  controls()->addWidget(new QLabel(tr("Show:"), this));
  controls()->addWidget(modeBox_);
  status_ = new QLabel(this);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  controls()->addWidget(status_);

  QCustomPlot* p = plot();
  p->yAxis->setRangeReversed(true); // row 0 at the top, as a matrix is written
  p->xAxis->setLabel(tr("column (dims 1…n flattened)"));
  p->yAxis->setLabel(tr("row (dim 0)"));
  p->axisRect()->setupFullAxesBox(false);
  p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  p->setToolTip(QString());
  map_ = new QCPColorMap(p->xAxis, p->yAxis);
  map_->setObjectName(QStringLiteral("errorMap"));
  map_->setInterpolate(false);
  map_->setSelectable(QCP::stNone);
  scale_ = new QCPColorScale(p);
  p->plotLayout()->addElement(1, 1, scale_);
  scale_->setType(QCPAxis::atRight);
  scale_->setBarWidth(14);
  map_->setColorScale(scale_);
  auto* margins = new QCPMarginGroup(p);
  p->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
  scale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
  plotstyle::applyPalette(p);

  marker_ = new QCPItemEllipse(p);
  marker_->setObjectName(QStringLiteral("locateMarker"));
  marker_->setPen(QPen(QColor(0, 160, 255), 2));
  marker_->setVisible(false);
  marker_->setSelectable(false);

  debounce_ = new QTimer(this);
  debounce_->setSingleShot(true);
  debounce_->setInterval(kDebounceMs);
  connect(debounce_, &QTimer::timeout, this, &ErrorMapView::startRepool);
  connect(modeBox_, &QComboBox::currentIndexChanged, this, [this] {
    showPooled();
    if (mode() == Mode::Relative && shown_.meanAbsOriginal.empty())
      startRepool();
  });
  auto rangeMoved = [this] {
    if (settingRanges_)
      return;
    clampRanges();
    scheduleRepool();
  };
  connect(p->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, rangeMoved);
  connect(p->yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, rangeMoved);
  connect(p, &QCustomPlot::mouseMove, this, &ErrorMapView::onMouseMove);
  connect(p, &QCustomPlot::mouseDoubleClick, this, &ErrorMapView::onDoubleClick);
  installExport();
  setResult(nullptr, nullptr);
}

ErrorMapView::~ErrorMapView() = default; // job_ waits for a pooling in progress

void ErrorMapView::setMode(Mode mode) {
  modeBox_->setCurrentIndex(modeBox_->findData(int(mode)));
}

ErrorMapView::Mode ErrorMapView::mode() const {
  return Mode(modeBox_->currentData().toInt());
}

void ErrorMapView::setResult(std::shared_ptr<const QuantResult> result,
                             std::shared_ptr<const Tensor> original) {
  ++generation_;
  result_ = std::move(result);
  original_ = std::move(original);
  marker_->setVisible(false);
  shown_ = Pooled{};
  if (result_) {
    shown_.map = result_->errorMap;
    shown_.r1 = result_->errorMap.rows;
    shown_.c1 = result_->errorMap.cols;
    shown_.generation = generation_;
    setPlotTitle(QStringLiteral("%1 — %2").arg(QString::fromStdString(result_->tensorName),
                                               QString::fromStdString(result_->formatLabel)));
    plot()->xAxis->setLabel(axistext::columns(*result_));
    plot()->yAxis->setLabel(axistext::rows(*result_));
  } else {
    setPlotTitle(tr("Error map"));
  }
  settingRanges_ = true;
  plot()->xAxis->setRange(0, std::max<qint64>(shown_.c1, 1));
  plot()->yAxis->setRange(0, std::max<qint64>(shown_.r1, 1));
  settingRanges_ = false;
  showPooled();
  // The core pooled for a default size; match the widget's pixels (and get |x| for relative mode).
  if (result_ && original_)
    scheduleRepool();
}

void ErrorMapView::releaseResults() {
  ++generation_; // a re-pool still running is dropped
  debounce_->stop();
  pending_ = false;
  result_.reset();
  original_.reset();
}

void ErrorMapView::showPooled() {
  QCustomPlot* p = plot();
  const ErrorMap& m = shown_.map;
  const Mode md = mode();
  const std::vector<float>* source = nullptr;
  switch (md) {
  case Mode::MaxAbs:
    source = &m.maxAbs;
    break;
  case Mode::MeanAbs:
  case Mode::Relative:
    source = &m.meanAbs;
    break;
  case Mode::MeanSigned:
    source = &m.meanSigned;
    break;
  }
  const size_t cells = size_t(std::max(m.width, 0)) * size_t(std::max(m.height, 0));
  const bool relativeReady = md != Mode::Relative || shown_.meanAbsOriginal.size() == cells;
  if (!result_ || cells == 0 || source->size() != cells || !relativeReady) {
    map_->data()->clear();
    map_->setVisible(false);
    scale_->setVisible(false);
    plotstyle::setEmptyMessage(p, !result_                      ? emptyText()
                                  : cells == 0                  ? tr("no error map in this result")
                                  : !relativeReady && original_ ? tr("computing the relative error map…")
                                  : !relativeReady ? tr("relative mode needs the original tensor")
                                                   : tr("this result has no %1").arg(modeLabel(md)));
    status_->clear();
    p->replot(QCustomPlot::rpQueuedReplot);
    return;
  }
  plotstyle::setEmptyMessage(p, QString());
  map_->setVisible(true);
  scale_->setVisible(true);
  // A 1-cell axis is drawn as two half cells: QCPColorMap needs two cells to size one.
  const int nx = std::max(m.width, 2), ny = std::max(m.height, 2);
  const double cw = double(shown_.c1 - shown_.c0) / m.width, ch = double(shown_.r1 - shown_.r0) / m.height;
  const double inset = m.width == 1 ? cw / 4 : cw / 2, insetY = m.height == 1 ? ch / 4 : ch / 2;
  map_->data()->setSize(nx, ny);
  map_->data()->setRange(QCPRange(double(shown_.c0) + inset, double(shown_.c1) - inset),
                         QCPRange(double(shown_.r0) + insetY, double(shown_.r1) - insetY));
  double lo = 0, hi = 0;
  for (int j = 0; j < ny; ++j) {
    const int sj = std::min(j, m.height - 1);
    for (int i = 0; i < nx; ++i) {
      const size_t at = size_t(sj) * size_t(m.width) + size_t(std::min(i, m.width - 1));
      double v = (*source)[at];
      if (md == Mode::Relative) {
        const double mag = shown_.meanAbsOriginal[at];
        v = mag > 0 ? v / mag : 0.0;
      }
      if (!std::isfinite(v))
        v = 0;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      map_->data()->setCell(i, j, v);
    }
  }
  if (md == Mode::MeanSigned) {
    const double a = std::max({std::fabs(lo), std::fabs(hi), 1e-30});
    map_->setGradient(plotstyle::divergingGradient());
    map_->setDataRange(QCPRange(-a, a));
  } else {
    map_->setGradient(plotstyle::sequentialGradient());
    map_->setDataRange(QCPRange(0, hi > 0 ? hi : 1));
  }
  scale_->axis()->setLabel(modeLabel(md));
  const qint64 perRow = (shown_.r1 - shown_.r0 + m.height - 1) / m.height;
  const qint64 perCol = (shown_.c1 - shown_.c0 + m.width - 1) / m.width;
  status_->setText(tr("rows %1–%2, cols %3–%4 · one cell ≤ %5 × %6 elements")
                       .arg(shown_.r0)
                       .arg(shown_.r1 - 1)
                       .arg(shown_.c0)
                       .arg(shown_.c1 - 1)
                       .arg(perRow)
                       .arg(perCol));
  p->replot(QCustomPlot::rpQueuedReplot);
}

void ErrorMapView::clampRanges() {
  if (!result_)
    return;
  const double rows = double(std::max<int64_t>(result_->errorMap.rows, 1));
  const double cols = double(std::max<int64_t>(result_->errorMap.cols, 1));
  auto clamp = [](QCPRange r, double n) {
    const double span = std::clamp(r.size(), std::min(4.0, n), n);
    double lo = std::clamp(r.center() - span / 2, 0.0, n - span);
    return QCPRange(lo, lo + span);
  };
  settingRanges_ = true;
  plot()->xAxis->setRange(clamp(plot()->xAxis->range(), cols));
  plot()->yAxis->setRange(clamp(plot()->yAxis->range(), rows));
  settingRanges_ = false;
}

void ErrorMapView::scheduleRepool() {
  if (result_ && original_)
    debounce_->start();
}

void ErrorMapView::startRepool() {
  if (!result_ || !original_)
    return;
  if (job_.isBusy()) {
    pending_ = true; // poolErrorMap cannot be interrupted; run the latest request next
    return;
  }
  const int64_t rows = result_->errorMap.rows, cols = result_->errorMap.cols;
  if (rows <= 0 || cols <= 0 || original_->numel() != rows * cols)
    return;
  const QCPRange xr = plot()->xAxis->range(), yr = plot()->yAxis->range();
  const int64_t c0 = std::clamp<int64_t>(int64_t(std::floor(xr.lower)), 0, cols - 1);
  const int64_t c1 = std::clamp<int64_t>(int64_t(std::ceil(xr.upper)), c0 + 1, cols);
  const int64_t r0 = std::clamp<int64_t>(int64_t(std::floor(yr.lower)), 0, rows - 1);
  const int64_t r1 = std::clamp<int64_t>(int64_t(std::ceil(yr.upper)), r0 + 1, rows);
  const QRect px = plot()->axisRect()->rect();
  const int w = int(std::clamp<int64_t>(std::min<int64_t>(std::max(px.width(), 16), kMaxCells), 1, c1 - c0));
  const int h = int(std::clamp<int64_t>(std::min<int64_t>(std::max(px.height(), 16), kMaxCells), 1, r1 - r0));
  if (shown_.map.width == w && shown_.map.height == h && shown_.r0 == r0 && shown_.r1 == r1 &&
      shown_.c0 == c0 && shown_.c1 == c1 && (mode() != Mode::Relative || !shown_.meanAbsOriginal.empty()))
    return; // already on screen
  const bool relative = mode() == Mode::Relative;
  JobHandlers<Pooled> handlers;
  handlers.done = [this](Pooled pooled) { pooledArrived(std::move(pooled)); };
  job_.start<Pooled>(
      [result = result_, original = original_, w, h, r0, r1, c0, c1, relative,
       generation = generation_](JobControl&) {
        Pooled out;
        out.r0 = r0;
        out.r1 = r1;
        out.c0 = c0;
        out.c1 = c1;
        out.generation = generation;
        try {
          out.map = poolErrorMap(*original, *result, w, h, r0, r1, c0, c1);
          if (relative)
            out.meanAbsOriginal =
                poolMeanAbs(*original, out.map.width, out.map.height, r0, r1, c0, c1, result->viewAxis);
        } catch (const Error&) {
          out.map = ErrorMap{}; // dropped by the receiver; the previous map stays
        }
        return out;
      },
      std::move(handlers));
}

void ErrorMapView::pooledArrived(Pooled pooled) {
  if (pooled.generation == generation_ && pooled.map.width > 0) {
    shown_ = std::move(pooled);
    showPooled();
    emit repooled();
  }
  if (pending_) {
    pending_ = false;
    startRepool();
  }
}

QString ErrorMapView::elementTooltip(qint64 row, qint64 col) const {
  if (!result_ || row < 0 || col < 0 || row >= result_->errorMap.rows || col >= result_->errorMap.cols)
    return {};
  const qint64 index = row * result_->errorMap.cols + col;
  QString text = tr("row %1, column %2 (flat index %3)").arg(row).arg(col).arg(index);
  if (original_ && index < original_->numel() && size_t(index) < result_->dequantized.size()) {
    const float x = original_->values[size_t(index)], q = result_->dequantized[size_t(index)];
    text += tr("\noriginal x = %1\nquantized q = %2\nerror x − q = %3")
                .arg(plotstyle::num(x, 7), plotstyle::num(q, 7), plotstyle::num(double(x) - double(q), 5));
  }
  if (map_->visible()) {
    const double v = map_->data()->data(double(col) + 0.5, double(row) + 0.5);
    text += tr("\ncell: %1 = %2").arg(modeLabel(mode()), plotstyle::num(v, 4));
  }
  return text;
}

void ErrorMapView::onMouseMove(QMouseEvent* event) {
  if (event->buttons() != Qt::NoButton || !result_)
    return;
  const QPointF pos = event->position();
  if (!plot()->axisRect()->rect().contains(pos.toPoint())) {
    QToolTip::hideText();
    return;
  }
  const qint64 col = qint64(std::floor(plot()->xAxis->pixelToCoord(pos.x())));
  const qint64 row = qint64(std::floor(plot()->yAxis->pixelToCoord(pos.y())));
  const QString text = elementTooltip(row, col);
  if (text.isEmpty())
    QToolTip::hideText();
  else
    QToolTip::showText(event->globalPosition().toPoint(), text, plot());
}

void ErrorMapView::onDoubleClick(QMouseEvent* event) {
  if (!result_)
    return;
  const qint64 col = qint64(std::floor(plot()->xAxis->pixelToCoord(event->position().x())));
  const qint64 row = qint64(std::floor(plot()->yAxis->pixelToCoord(event->position().y())));
  if (row >= 0 && col >= 0 && row < result_->errorMap.rows && col < result_->errorMap.cols)
    emit locateRequested(row, col);
}

void ErrorMapView::centreOn(qint64 row, qint64 col) {
  if (!result_ || result_->errorMap.rows <= 0 || result_->errorMap.cols <= 0)
    return;
  const double rows = double(result_->errorMap.rows), cols = double(result_->errorMap.cols);
  QCPRange xr = plot()->xAxis->range(), yr = plot()->yAxis->range();
  const double cx = col >= 0 ? double(col) + 0.5 : xr.center();
  const double cy = double(std::clamp<qint64>(row, 0, result_->errorMap.rows - 1)) + 0.5;
  const double spanX = xr.size() > double(2 * kCentreSpan) ? std::min(double(kCentreSpan), cols) : xr.size();
  const double spanY = yr.size() > double(2 * kCentreSpan) ? std::min(double(kCentreSpan), rows) : yr.size();
  settingRanges_ = true;
  plot()->xAxis->setRange(cx, spanX, Qt::AlignCenter);
  plot()->yAxis->setRange(cy, spanY, Qt::AlignCenter);
  settingRanges_ = false;
  clampRanges();
  const double rx = std::max(0.5, spanX / 60), ry = std::max(0.5, spanY / 60);
  marker_->topLeft->setCoords(cx - 0.5 - rx, cy - 0.5 - ry);
  marker_->bottomRight->setCoords(cx + 0.5 + rx, cy + 0.5 + ry);
  marker_->setVisible(col >= 0);
  plot()->replot(QCustomPlot::rpQueuedReplot);
  scheduleRepool();
}

void ErrorMapView::resizeEvent(QResizeEvent* event) {
  PlotViewBase::resizeEvent(event);
  scheduleRepool();
}

} // namespace qs
