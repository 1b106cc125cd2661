#include "widgets/plots/scale_map_view.h"

#include "widgets/plots/axis_text.h"

#include "widgets/plots/plot_style.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QMouseEvent>
#include <QToolTip>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace qs {

namespace {

// (min, max) of a non-empty vector over eight independent lanes, which the
// compiler turns into vector min/max (minmax_element, one dependent chain,
// took 1.6 ms for 524 k scales).
std::pair<float, float> valueRange(const std::vector<float>& v) {
  constexpr size_t kLanes = 8;
  float lo[kLanes], hi[kLanes];
  std::fill(std::begin(lo), std::end(lo), v.front());
  std::fill(std::begin(hi), std::end(hi), v.front());
  const size_t whole = v.size() / kLanes * kLanes;
  for (size_t i = 0; i < whole; i += kLanes)
    for (size_t k = 0; k < kLanes; ++k) {
      lo[k] = v[i + k] < lo[k] ? v[i + k] : lo[k];
      hi[k] = v[i + k] > hi[k] ? v[i + k] : hi[k];
    }
  for (size_t i = whole; i < v.size(); ++i) {
    lo[0] = v[i] < lo[0] ? v[i] : lo[0];
    hi[0] = v[i] > hi[0] ? v[i] : hi[0];
  }
  return {*std::min_element(std::begin(lo), std::end(lo)), *std::max_element(std::begin(hi), std::end(hi))};
}

// Block granularity: "tile row (128 × output channel (axis 0))", "tile column (128 × in (axis 1))".
QString tileAxisText(const QuantResult& r, bool rows) {
  const Granularity& g = r.granularity;
  return rows ? QCoreApplication::translate("qs::ScaleMapView", "tile row (%1 × %2)")
                    .arg(g.blockRows)
                    .arg(axistext::rows(r))
              : QCoreApplication::translate("qs::ScaleMapView", "tile column (%1 × %2)")
                    .arg(g.blockCols)
                    .arg(axistext::columns(r));
}

// NVFP4's per-block E4M3 scale: the stored code decoded (E4M3FN: bias 7, 3 mantissa bits).
float e4m3CodeValue(int32_t code) {
  const int e = (code >> 3) & 15, m = code & 7;
  return e == 0 ? std::ldexp(float(m) / 8.0f, -6) : std::ldexp(1.0f + float(m) / 8.0f, e - 7);
}

bool hasStoredScales(const QuantResult& r) {
  return !r.storedScales.fitted.empty() && r.storedScales.fitted.size() == r.scales.size();
}

// "E4M3 block scales × FP32 tensor scale 1.2e-4", "stored as ue8m0-ceil", "int8dq (offset …, 16 absmax)".
QString storageText(const QuantResult& r) {
  const StoredScales& st = r.storedScales;
  if (st.tensorScale > 0)
    return QObject::tr("E4M3 block scales × FP32 tensor scale %1").arg(plotstyle::num(st.tensorScale, 6));
  if (!st.absmax.empty())
    return QObject::tr("stored as int8dq: offset %1, %2 FP32 absmax of 256 scales")
        .arg(plotstyle::num(st.offset, 5))
        .arg(st.absmax.size());
  return QObject::tr("stored as %1").arg(QString::fromStdString(st.format));
}

} // namespace

ScaleMapView::ScaleMapView(QWidget* parent) : PlotViewBase(parent) {
  log_ = new QCheckBox(tr("Log scale"), this);
  log_->setToolTip(
      tr("Scales often span orders of magnitude across channels; a log scale shows all of them."));
  controls()->addWidget(log_);
  connect(log_, &QCheckBox::toggled, this, [this] { rebuild(); });
  show_ = new QComboBox(this);
  show_->setObjectName(QStringLiteral("scaleShow"));
  show_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  show_->setToolTip(tr("Stored: the scale the elements are multiplied by. Stored / fitted: what storing "
                       "the scale in its format did to it. NVFP4: the E4M3 block scale alone"));
  controls()->addWidget(show_);
  connect(show_, &QComboBox::activated, this, [this] { rebuild(); });
  QCustomPlot* p = plot();
  p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  map_ = new QCPColorMap(p->xAxis, p->yAxis);
  map_->setObjectName(QStringLiteral("scaleMap"));
  map_->setInterpolate(false);
  scale_ = new QCPColorScale(p);
  p->plotLayout()->addElement(1, 1, scale_);
  scale_->setBarWidth(14);
  map_->setColorScale(scale_);
  auto* margins = new QCPMarginGroup(p);
  p->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
  scale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
  plotstyle::applyPalette(p);
  connect(p, &QCustomPlot::mouseMove, this, &ScaleMapView::onMouseMove);
  installExport();
  rebuild();
}

void ScaleMapView::setResult(std::shared_ptr<const QuantResult> result, std::shared_ptr<const Tensor>) {
  result_ = std::move(result);
  fillShowCombo();
  rebuild();
}

void ScaleMapView::setShow(Show show) {
  const int at = show_->findData(int(show));
  if (at >= 0)
    show_->setCurrentIndex(at);
  rebuild();
}

// The choices the result has, keeping the current one where it still applies.
void ScaleMapView::fillShowCombo() {
  const QVariant current = show_->currentData();
  show_->clear();
  show_->addItem(tr("Stored scale"), int(Show::Stored));
  if (result_ && hasStoredScales(*result_)) {
    show_->addItem(tr("Stored / fitted"), int(Show::Ratio));
    if (result_->storedScales.tensorScale > 0)
      show_->addItem(tr("E4M3 block scale"), int(Show::BlockScale));
  }
  const int at = show_->findData(current);
  show_->setCurrentIndex(at >= 0 ? at : 0);
  show_->setVisible(show_->count() > 1);
}

std::vector<float> ScaleMapView::shownValues(QString& name) const {
  const QuantResult& r = *result_;
  const Show show = Show(show_->currentData().toInt());
  const StoredScales& st = r.storedScales;
  if (show == Show::Ratio && hasStoredScales(r)) {
    name = tr("stored / fitted scale");
    std::vector<float> v(r.scales.size());
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = st.fitted[i] > 0 ? r.scales[i] / st.fitted[i] : 1.0f;
    return v;
  }
  if (show == Show::BlockScale && st.tensorScale > 0 && st.codes.size() == r.scales.size()) {
    name = tr("E4M3 block scale s_block");
    std::vector<float> v(r.scales.size());
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = e4m3CodeValue(st.codes[i]);
    return v;
  }
  name = tr("scale s");
  return r.scales;
}

void ScaleMapView::releaseResults() {
  result_.reset();
  fillShowCombo();
}

void ScaleMapView::setLogColor(bool on) {
  log_->setChecked(on);
}

QString ScaleMapView::groupTooltip(qint64 row, qint64 col) const {
  if (!result_ || row < 0 || col < 0 || row >= rows_ || col >= cols_)
    return {};
  const size_t at = size_t(row * cols_ + col);
  if (at >= result_->scales.size())
    return {};
  QString text = tr("scale group [%1, %2] (#%3)\nscale s = %4")
                     .arg(row)
                     .arg(col)
                     .arg(at)
                     .arg(plotstyle::num(result_->scales[at], 6));
  const Granularity& g = result_->granularity;
  if (g.kind == GranularityKind::Block) { // edge tiles end with the view
    const ChannelView view = channelView(result_->shape, result_->shape.empty() ? 0 : result_->viewAxis);
    text += tr("\ntile: channels %1–%2, columns %3–%4")
                .arg(row * g.blockRows)
                .arg(std::min<int64_t>((row + 1) * g.blockRows, view.rows()) - 1)
                .arg(col * g.blockCols)
                .arg(std::min<int64_t>((col + 1) * g.blockCols, view.cols()) - 1);
  }
  const StoredScales& st = result_->storedScales;
  if (at < st.fitted.size() && at < st.codes.size()) {
    text += tr("\nfitted %1, stored %2 (code %3, ×%4)")
                .arg(plotstyle::num(st.fitted[at], 6), QString::fromStdString(st.format))
                .arg(st.codes[at])
                .arg(plotstyle::num(st.fitted[at] > 0 ? result_->scales[at] / st.fitted[at] : 1.0f, 5));
    if (st.tensorScale > 0)
      text += tr("\ns_block %1 × s_tensor %2")
                  .arg(plotstyle::num(e4m3CodeValue(st.codes[at]), 5), plotstyle::num(st.tensorScale, 6));
  }
  if (at < result_->zeroPoints.size())
    text += tr("\nzero point = %1").arg(result_->zeroPoints[at]);
  if (at < result_->realZeroPoints.size())
    text += tr("\nzero point = %1 (HQQ)").arg(plotstyle::num(result_->realZeroPoints[at], 6));
  if (at < result_->clipLo.size() && at < result_->clipHi.size())
    text += tr("\nclip range [%1, %2]")
                .arg(plotstyle::num(result_->clipLo[at]), plotstyle::num(result_->clipHi[at]));
  return text;
}

void ScaleMapView::rebuild() {
  QCustomPlot* p = plot();
  for (int i = p->graphCount() - 1; i >= 0; --i)
    p->removeGraph(i);
  map_->data()->clear();
  map_->setVisible(false);
  scale_->setVisible(false);
  // An invisible colour scale still takes its column; take it out of the layout
  // (unless an earlier rebuild already did: take() would complain).
  if (scale_->layout() == p->plotLayout() && p->plotLayout()->take(scale_))
    p->plotLayout()->simplify();
  p->yAxis->setRangeReversed(false);
  p->yAxis->setScaleType(QCPAxis::stLinear);
  p->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
  rows_ = cols_ = 0;
  if (!result_ || result_->scales.empty()) {
    setPlotTitle(tr("Scales"));
    p->xAxis->setLabel(QString());
    p->yAxis->setLabel(QString());
    plotstyle::setEmptyMessage(p, result_ ? tr("this format stores no scales (a plain cast)") : emptyText());
    p->replot(QCustomPlot::rpQueuedReplot);
    return;
  }
  const QuantResult& r = *result_;
  const Shape& shape = r.scaleShape;
  rows_ = shape.empty() ? 1 : shape[0];
  cols_ = 1;
  for (size_t i = 1; i < shape.size(); ++i)
    cols_ *= shape[i];
  if (rows_ * cols_ != qint64(r.scales.size())) { // a shape the producer did not fill in: one row
    rows_ = 1;
    cols_ = qint64(r.scales.size());
  }
  QString valueName;
  const std::vector<float> values = shownValues(valueName);
  QString title = tr("%1 — %2 — %3 scales %4")
                      .arg(QString::fromStdString(r.tensorName), QString::fromStdString(r.formatLabel))
                      .arg(r.scales.size())
                      .arg(QString::fromStdString(shapeToString(shape)));
  if (hasStoredScales(r))
    title += QStringLiteral(" — ") + storageText(r);
  setPlotTitle(title);
  const auto [mn, mx] = valueRange(values);
  if (r.scales.size() == 1) {
    p->xAxis->setLabel(QString());
    p->yAxis->setLabel(QString());
    plotstyle::setEmptyMessage(p, tr("one scale for the whole tensor: s = %1").arg(plotstyle::num(mn, 6)));
    p->replot(QCustomPlot::rpQueuedReplot);
    return;
  }
  plotstyle::setEmptyMessage(p, QString());
  const bool log = log_->isChecked() && mn > 0;
  if (rows_ == 1 || cols_ == 1) {
    // A vector of scales (per channel / per token): a line reads better than a 1-pixel strip.
    QCPGraph* g = p->addGraph();
    g->setObjectName(QStringLiteral("scales"));
    g->setLineStyle(QCPGraph::lsStepCenter);
    // Beyond a hundred or so scales the line is jagged and drawn 1 px wide: Qt
    // strokes wider pens as outlines, which took 300 ms for 4096 channels.
    g->setPen(QPen(plotstyle::original(), r.scales.size() <= 128 ? 1.3 : 1.0));
    QVector<double> k(qsizetype(values.size())), v(qsizetype(values.size()));
    for (size_t i = 0; i < values.size(); ++i) {
      k[qsizetype(i)] = double(i);
      v[qsizetype(i)] = values[i];
    }
    g->setData(k, v, true);
    if (r.granularity.kind == GranularityKind::Block)
      p->xAxis->setLabel(rows_ == 1 ? tileAxisText(r, false) : tileAxisText(r, true));
    else
      p->xAxis->setLabel(r.granularity.kind == GranularityKind::Group ? axistext::groups(r)
                                                                      : axistext::rows(r));
    p->yAxis->setLabel(valueName == tr("scale s") ? tr("scale s (tensor units per code step)") : valueName);
    p->yAxis->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (log)
      p->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog));
    p->xAxis->setRange(-0.5, double(r.scales.size()) - 0.5);
    if (log)
      p->yAxis->setRange(mn / 1.5, mx * 1.5);
    else
      p->yAxis->setRange(0, mx * 1.08);
    p->replot(QCustomPlot::rpQueuedReplot);
    return;
  }
  // Heat map; grids bigger than kMaxCells per axis are max-pooled.
  const qint64 fy = (rows_ + kMaxCells - 1) / kMaxCells, fx = (cols_ + kMaxCells - 1) / kMaxCells;
  const int ny = int((rows_ + fy - 1) / fy), nx = int((cols_ + fx - 1) / fx);
  // One pass over the scales in memory order, then one setCell per cell.
  std::vector<float> cells(size_t(nx) * size_t(ny), 0.0f);
  for (qint64 rr = 0; rr < rows_; ++rr) {
    float* cell = cells.data() + size_t(rr / fy) * size_t(nx);
    const float* scale = values.data() + rr * cols_;
    if (fx == 1)
      for (qint64 cc = 0; cc < cols_; ++cc)
        cell[cc] = std::max(cell[cc], scale[cc]);
    else
      for (qint64 cc = 0; cc < cols_; ++cc)
        cell[cc / fx] = std::max(cell[cc / fx], scale[cc]);
  }
  map_->data()->setSize(nx, ny);
  map_->data()->setRange(QCPRange(0.5 * double(fx), double(cols_) - 0.5 * double(fx)),
                         QCPRange(0.5 * double(fy), double(rows_) - 0.5 * double(fy)));
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i)
      map_->data()->setCell(i, j, cells[size_t(j) * size_t(nx) + size_t(i)]);
  map_->setVisible(true);
  scale_->setVisible(true);
  p->plotLayout()->addElement(1, 1, scale_);
  map_->setGradient(plotstyle::viridisGradient());
  map_->setDataScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
  scale_->axis()->setTicker(log ? QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog)
                                : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
  map_->setDataRange(QCPRange(log ? mn : std::min(0.0f, mn), mx > mn ? mx : mn + 1));
  scale_->axis()->setLabel(fx * fy > 1 ? tr("%1 (max of %2 × %3 groups)").arg(valueName).arg(fy).arg(fx)
                                       : valueName);
  p->yAxis->setRangeReversed(true);
  // Groups are [channels, groups], or [groups, channels] when the channels are the last axis.
  const bool channelsAcross = r.viewAxis > 0 && r.viewAxis == int(r.shape.size()) - 1;
  if (r.granularity.kind == GranularityKind::Block) { // tiles: [bands of channels, tiles along the row]
    p->xAxis->setLabel(tileAxisText(r, false));
    p->yAxis->setLabel(tileAxisText(r, true));
  } else {
    p->xAxis->setLabel(channelsAcross ? axistext::rows(r) : axistext::groups(r));
    p->yAxis->setLabel(channelsAcross ? axistext::groups(r) : axistext::rows(r));
  }
  p->xAxis->setRange(0, double(cols_));
  p->yAxis->setRange(0, double(rows_));
  p->replot(QCustomPlot::rpQueuedReplot);
}

void ScaleMapView::onMouseMove(QMouseEvent* event) {
  if (event->buttons() != Qt::NoButton || !map_->visible())
    return;
  const QPointF pos = event->position();
  const qint64 col = qint64(std::floor(plot()->xAxis->pixelToCoord(pos.x())));
  const qint64 row = qint64(std::floor(plot()->yAxis->pixelToCoord(pos.y())));
  const QString text = groupTooltip(row, col);
  if (text.isEmpty())
    QToolTip::hideText();
  else
    QToolTip::showText(event->globalPosition().toPoint(), text, plot());
}

} // namespace qs
