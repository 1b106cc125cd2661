#include "widgets/plots/histogram_view.h"

#include "widgets/plots/plot_data.h"
#include "widgets/plots/plot_placement.h"
#include "widgets/plots/plot_style.h"
#include "widgets/plots/rotation_overlay.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace qs {

namespace {
constexpr double kLogFloor = 0.5;   // below the 1-count line, so empty bins drop out of view
constexpr double kTickStart = 0.94; // level ticks span the top 6 % of the plot
} // namespace

HistogramView::HistogramView(QWidget* parent) : PlotViewBase(parent) {
  logY_ = new QCheckBox(tr("Log count axis"), this);
  logY_->setToolTip(tr("Logarithmic y axis: shows the sparse tails and outliers next to the dense centre."));
  controls()->addWidget(logY_);
  connect(logY_, &QCheckBox::toggled, this, [this] { rebuild(); });
  showLegend();
  // Heavy-tailed weights squeeze the bulk into a few bins: let the user zoom along x.
  plot()->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot()->axisRect()->setRangeDrag(Qt::Horizontal);
  plot()->axisRect()->setRangeZoom(Qt::Horizontal);
  plot()->setToolTip(tr("Wheel zooms and drag pans along the value axis; right-click to export."));
  installExport();
  rebuild();
}

void HistogramView::setResult(std::shared_ptr<const QuantResult> result, std::shared_ptr<const Tensor>) {
  result_ = std::move(result);
  rebuild();
}

void HistogramView::releaseResults() {
  result_.reset();
  pinned_.clear();
}

void HistogramView::setPinned(const std::vector<PinnedResult>& pinned) {
  pinned_ = pinned;
  rebuild();
}

void HistogramView::setLogY(bool on) {
  logY_->setChecked(on);
}
bool HistogramView::logY() const {
  return logY_->isChecked();
}

void HistogramView::rebuild() {
  QCustomPlot* p = plot();
  clearPlot();
  const bool log = logY();
  p->yAxis->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
  p->yAxis->setTicker(log ? QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog)
                          : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
  p->yAxis2->setVisible(false);
  p->xAxis->setLabel(tr("value x (tensor units)"));
  if (!result_ || result_->histOriginal.counts.empty()) {
    setPlotTitle(tr("Histogram"));
    p->yAxis->setLabel(tr("elements per bin"));
    plotstyle::setEmptyMessage(p, result_ ? tr("no histogram in this result") : emptyText());
    p->replot(QCustomPlot::rpQueuedReplot);
    return;
  }
  const QuantResult& r = *result_;
  setPlotTitle(QStringLiteral("%1 — %2").arg(QString::fromStdString(r.tensorName),
                                             QString::fromStdString(r.formatLabel)));
  p->yAxis->setLabel(tr("elements per bin (bin width %1)").arg(plotstyle::num(r.histOriginal.binWidth(), 3)));
  const double floor = log ? kLogFloor : 0.0;

  QCPGraph* orig = p->addGraph();
  orig->setObjectName(QStringLiteral("original"));
  orig->setName(tr("original x"));
  orig->setLineStyle(QCPGraph::lsStepLeft);
  QColor fill = plotstyle::original();
  fill.setAlpha(70);
  // A 1 px outline and a fill without antialiasing (its edges are vertical
  // and horizontal anyway) halve the drawing time: wider pens are stroked.
  orig->setPen(QPen(plotstyle::original(), 1.0));
  orig->setBrush(fill);
  orig->setAntialiasedFill(false);
  plotdata::setStepData(orig, r.histOriginal, 1.0, floor);

  QCPGraph* deq = p->addGraph();
  deq->setObjectName(QStringLiteral("dequantized"));
  deq->setName(tr("dequantized q(x)"));
  deq->setLineStyle(QCPGraph::lsImpulse);
  deq->setPen(QPen(plotstyle::dequantized(), 1.6));
  plotdata::setImpulseData(deq, r.histDequantized);

  double yMax = std::max(plotdata::maxCount(r.histOriginal), plotdata::maxCount(r.histDequantized));
  yMax = std::max(yMax, addRotatedInputHistogram(p, r, floor));
  // Levels and clip ranges belong to the rotated tensor when there is one.
  const QString basis = r.rotation.applied ? tr(" of R·x") : QString();
  for (const PinnedResult& pin : pinned_) {
    if (!pin.result)
      continue;
    QCPGraph* g = p->addGraph();
    g->setObjectName(QStringLiteral("pin"));
    g->setName(tr("%1: dequantized").arg(pin.label));
    g->setLineStyle(QCPGraph::lsImpulse);
    QColor c = pin.color;
    c.setAlpha(200);
    g->setPen(QPen(c, 1.3));
    plotdata::setImpulseData(g, pin.result->histDequantized);
    yMax = std::max(yMax, plotdata::maxCount(pin.result->histDequantized));
  }

  // x range: the data plus the clip range, with a small margin.
  double xLo = r.histOriginal.lo, xHi = r.histOriginal.hi, clipLo = 0, clipHi = 0;
  const bool frameClip = plotdata::clipNearData(r, clipLo, clipHi);
  if (frameClip) {
    xLo = std::min(xLo, clipLo);
    xHi = std::max(xHi, clipHi);
  }
  const double margin = std::max((xHi - xLo) * 0.04, 1e-12);
  p->xAxis->setRange(xLo - margin, xHi + margin);
  if (log)
    p->yAxis->setRange(0.7, std::max(yMax, 1.0) * 3.0);
  else
    p->yAxis->setRange(0, std::max(yMax, 1.0) * 1.1);

  // Levels: one short tick per level along the top, or a density when too many.
  const auto& levels = r.levels;
  QColor levelColor = plotstyle::levels();
  levelColor.setAlpha(170); // hundreds of ticks may touch; keep the histogram visible through them
  const QPen levelPen(levelColor, 1.0);
  if (!levels.empty() && levels.size() <= size_t(kMaxDrawnLevels)) {
    // One impulse graph on the hidden right axis instead of an item per level:
    // impulses rise from 0 to 1, and the range puts 0 at kTickStart of the
    // axis rect's height, so every tick spans the top (1 - kTickStart).
    p->yAxis2->setScaleType(QCPAxis::stLinear);
    p->yAxis2->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    p->yAxis2->setRange(-kTickStart / (1.0 - kTickStart), 1.0);
    QCPGraph* ticks = p->addGraph(p->xAxis, p->yAxis2);
    ticks->setObjectName(QStringLiteral("levels"));
    ticks->setName(tr("quantization levels (%1, group 0)%2").arg(levels.size()).arg(basis));
    ticks->setSelectable(QCP::stNone);
    ticks->setLineStyle(QCPGraph::lsImpulse);
    ticks->setPen(levelPen);
    ticks->setAdaptiveSampling(false); // never merge neighbouring ticks
    QVector<double> keys(qsizetype(levels.size())), ones(qsizetype(levels.size()), 1.0);
    std::copy(levels.begin(), levels.end(), keys.begin());
    ticks->setData(keys, ones, std::is_sorted(keys.begin(), keys.end()));
  } else if (!levels.empty()) {
    // Levels per histogram bin on the right axis: where the grid is fine or coarse.
    const Histogram& h = r.histOriginal;
    Histogram density{h.lo, h.hi, std::vector<double>(h.counts.size(), 0.0)};
    const double w = h.binWidth();
    for (float level : levels) {
      const double b = std::floor((double(level) - h.lo) / w);
      if (b >= 0 && b < double(h.counts.size()))
        density.counts[size_t(b)] += 1;
    }
    p->yAxis2->setVisible(true);
    p->yAxis2->setScaleType(QCPAxis::stLogarithmic);
    p->yAxis2->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog));
    p->yAxis2->setLabel(tr("levels per bin"));
    p->yAxis2->setRange(0.7, std::max(plotdata::maxCount(density), 1.0) * 3.0);
    QCPGraph* dg = p->addGraph(p->xAxis, p->yAxis2);
    dg->setObjectName(QStringLiteral("levelDensity"));
    dg->setName(tr("level density (right axis)"));
    dg->setLineStyle(QCPGraph::lsStepLeft);
    dg->setPen(QPen(plotstyle::levels(), 1.0, Qt::DashLine));
    plotdata::setStepData(dg, density, 1.0, kLogFloor);
    auto* note = new QCPItemText(p);
    note->setObjectName(QStringLiteral("levelsTooDense"));
    note->position->setType(QCPItemPosition::ptAxisRectRatio);
    note->position->setCoords(0.5, 0.08);
    note->setPositionAlignment(Qt::AlignHCenter | Qt::AlignTop);
    QColor noteBg = p->palette().color(QPalette::Base);
    noteBg.setAlpha(210);
    note->setBrush(noteBg);
    note->setPadding(QMargins(4, 2, 4, 2));
    note->setText(tr("%1 levels: too dense to draw").arg(levels.size()));
    note->setColor(plotstyle::levels());
  }

  // Clip thresholds of the first scale group (the tensor's when per-tensor).
  if (!r.clipLo.empty() && !r.clipHi.empty()) {
    const bool perTensor = r.clipLo.size() == 1;
    QPen clipPen(plotstyle::clip(), 1.5, Qt::DashLine);
    const double xs[2] = {r.clipLo.front(), r.clipHi.front()};
    const QString names[2] = {perTensor ? tr("clip lo") : tr("clip lo (group 0)"),
                              perTensor ? tr("clip hi") : tr("clip hi (group 0)")};
    for (int i = 0; i < 2; ++i) {
      plotdata::addVerticalLine(p, xs[i], clipPen, QStringLiteral("clip"));
      auto* label = new QCPItemText(p);
      label->setObjectName(QStringLiteral("clipLabel"));
      label->position->setTypeX(QCPItemPosition::ptPlotCoords);
      label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
      label->position->setCoords(xs[i], 0.01);
      // Outside of the clip range first; the guard steps it aside or down when that is taken.
      label->setText(QStringLiteral("%1 = %2").arg(names[i], plotstyle::num(xs[i])));
      label->setColor(plotstyle::clip());
      plotplace::setMovable(label, plotplace::LabelSpots::BesideLine, i == 0);
    }
    plotdata::addLegendEntry(p,
                             frameClip ? tr("clip range%1").arg(basis)
                                       : tr("clip range%3 [%1, %2] (off scale)")
                                             .arg(plotstyle::num(xs[0]), plotstyle::num(xs[1]), basis),
                             clipPen);
  }
  plotstyle::setEmptyMessage(p, QString());
  p->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace qs
