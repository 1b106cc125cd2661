#include "widgets/plots/error_histogram_view.h"

#include "widgets/plots/plot_data.h"
#include "widgets/plots/plot_style.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <numeric>

namespace qs {

namespace {

// counts / (total * bin width): integrates to 1 whatever the binning.
double densityScale(const Histogram& h) {
  const double total = std::accumulate(h.counts.begin(), h.counts.end(), 0.0);
  const double w = h.binWidth();
  return total > 0 && w > 0 ? 1.0 / (total * w) : 0.0;
}

} // namespace

ErrorHistogramView::ErrorHistogramView(QWidget* parent) : PlotViewBase(parent) {
  logY_ = new QCheckBox(tr("Log density axis"), this);
  logY_->setToolTip(tr("Logarithmic y axis: shows the rare large errors (clipping, outliers)."));
  controls()->addWidget(logY_);
  connect(logY_, &QCheckBox::toggled, this, [this] { rebuild(); });
  showLegend();
  plot()->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot()->axisRect()->setRangeDrag(Qt::Horizontal);
  plot()->axisRect()->setRangeZoom(Qt::Horizontal);
  installExport();
  rebuild();
}

void ErrorHistogramView::setResult(std::shared_ptr<const QuantResult> result, std::shared_ptr<const Tensor>) {
  result_ = std::move(result);
  rebuild();
}

void ErrorHistogramView::releaseResults() {
  result_.reset();
  pinned_.clear();
}

void ErrorHistogramView::setPinned(const std::vector<PinnedResult>& pinned) {
  pinned_ = pinned;
  rebuild();
}

void ErrorHistogramView::setLogY(bool on) {
  logY_->setChecked(on);
}

void ErrorHistogramView::rebuild() {
  QCustomPlot* p = plot();
  clearPlot();
  const bool log = logY_->isChecked();
  p->yAxis->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
  p->yAxis->setTicker(log ? QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog)
                          : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
  p->xAxis->setLabel(tr("error x − q (tensor units)"));
  p->yAxis->setLabel(tr("probability density (1 / tensor unit)"));
  if (!result_ || result_->histError.counts.empty()) {
    setPlotTitle(tr("Error histogram"));
    plotstyle::setEmptyMessage(p, result_ ? tr("no error histogram in this result") : emptyText());
    p->replot(QCustomPlot::rpQueuedReplot);
    return;
  }
  const QuantResult& r = *result_;
  setPlotTitle(tr("%1 — %2\nRMSE %3, max |error| %4")
                   .arg(QString::fromStdString(r.tensorName), QString::fromStdString(r.formatLabel),
                        plotstyle::num(r.metrics.rmse, 3), plotstyle::num(r.metrics.maxAbsError, 3)));

  double lo = r.histError.lo, hi = r.histError.hi, peak = 0, smallest = 1e300;
  auto addCurve = [&](const Histogram& h, const QString& name, const QColor& color, bool filled) {
    const double scale = densityScale(h);
    for (double c : h.counts)
      if (c > 0)
        smallest = std::min(smallest, c * scale);
    QCPGraph* g = p->addGraph();
    g->setObjectName(filled ? QStringLiteral("error") : QStringLiteral("pin"));
    g->setName(name);
    g->setLineStyle(QCPGraph::lsStepLeft);
    g->setPen(QPen(color, filled ? 1.0 : 1.6)); // 1 px: wider pens are stroked (slow)
    if (filled) {
      QColor fill = color;
      fill.setAlpha(60);
      g->setBrush(fill);
      g->setAntialiasedFill(false); // a step outline: nothing to smooth
    }
    plotdata::setStepData(g, h, scale, 0.0);
    peak = std::max(peak, plotdata::maxCount(h) * scale);
    lo = std::min(lo, h.lo);
    hi = std::max(hi, h.hi);
  };
  addCurve(r.histError, tr("current: x − q"), plotstyle::error(), true);
  for (const PinnedResult& pin : pinned_)
    if (pin.result && !pin.result->histError.counts.empty())
      addCurve(pin.result->histError, pin.label, pin.color, false);

  const double margin = std::max((hi - lo) * 0.03, 1e-12);
  p->xAxis->setRange(lo - margin, hi + margin);
  if (log) {
    // Empty bins go below the axis; the floor sits under the smallest non-zero density.
    const double floor = smallest < 1e300 ? smallest * 0.3 : 1e-6;
    for (int i = 0; i < p->graphCount(); ++i)
      for (auto it = p->graph(i)->data()->begin(); it != p->graph(i)->data()->end(); ++it)
        it->value = std::max(it->value, floor);
    p->yAxis->setRange(smallest < 1e300 ? smallest * 0.5 : 1e-6, std::max(peak, 1e-300) * 3.0);
  } else {
    p->yAxis->setRange(0, std::max(peak, 1e-300) * 1.1);
  }
  plotdata::addVerticalLine(p, 0.0, QPen(plotstyle::reference(), 1, Qt::DotLine), QStringLiteral("zero"));
  plotstyle::setEmptyMessage(p, QString());
  p->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace qs
