#include "widgets/layer/layer_plots.h"

#include "core/layer/layer_compare.h"
#include "widgets/plots/plot_placement.h"
#include "widgets/plots/plot_style.h"

#include <QGridLayout>
#include <qcustomplot.h>

#include <algorithm>

namespace qs {

namespace {

// Small enough that three columns fit the Layer tab at 1366x768; the
// arrangement switches to two columns below kThreeColumnWidth.
constexpr int kMinPlotWidth = 200;
constexpr int kThreeColumnWidth = 3 * 280;

QCustomPlot* makePlot(const QString& title, QWidget* parent) {
  auto* plot = new QCustomPlot(parent);
  plotstyle::applyBase(plot);
  plot->setMinimumSize(kMinPlotWidth, 209); // room for the axis above a legend of five methods
  plot->plotLayout()->insertRow(0);
  auto* t = new QCPTextElement(plot, title, QFont(plot->font().family(), 9, QFont::Bold));
  plot->plotLayout()->addElement(0, 0, t);
  // The title fits the narrow plot; the legend goes where it covers no data.
  plotplace::setTitle(plot, t, title);
  plot->legend->setVisible(false);
  QFont lf = plot->font();
  lf.setPointSize(8);
  plot->legend->setFont(lf);
  plot->legend->setRowSpacing(0);
  plotstyle::setEmptyMessage(plot, QObject::tr("Run the comparison"));
  return plot;
}

void resetPlot(QCustomPlot* plot) {
  plot->clearPlottables();
  plot->clearItems();
  plot->legend->clearItems();
  plot->yAxis->setScaleType(QCPAxis::stLinear);
  plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
}

void logY(QCustomPlot* plot) {
  plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
  plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
  plot->yAxis->setNumberFormat("eb");
  plot->yAxis->setNumberPrecision(0);
}

QCPGraph* addLine(QCustomPlot* plot, const QVector<double>& x, const QVector<double>& y, const QColor& color,
                  const QString& name, double width = 1.2) {
  QCPGraph* g = plot->addGraph();
  g->setData(x, y, true);
  g->setPen(QPen(color, width));
  g->setName(name);
  return g;
}

} // namespace

QColor methodColor(LayerMethod m) {
  switch (m) {
  case LayerMethod::Rtn:
    return QColor(120, 120, 120);
  case LayerMethod::SmoothQuant:
    return QColor(40, 110, 200);
  case LayerMethod::Awq:
    return QColor(30, 150, 70);
  case LayerMethod::Gptq:
    return QColor(220, 120, 20);
  case LayerMethod::Hadamard:
    return QColor(170, 60, 170);
  }
  return Qt::black;
}

LayerPlots::LayerPlots(QWidget* parent) : QWidget(parent) {
  auto* grid = new QGridLayout(this);
  grid->setContentsMargins(0, 0, 0, 0);
  errorHist_ = makePlot(tr("Output error y_q − y (held-out)"), this);
  channelError_ = makePlot(tr("Per-output-channel MSE"), this);
  actAbsMax_ = makePlot(tr("Activation absmax per channel"), this);
  tokenRange_ = makePlot(tr("Per-token range (held-out)"), this);
  awqGrid_ = makePlot(tr("AWQ search: output MSE vs α"), this);
  // Exported as layer_<name>.png/svg/pdf.
  errorHist_->setObjectName(QStringLiteral("output_error"));
  channelError_->setObjectName(QStringLiteral("channel_mse"));
  actAbsMax_->setObjectName(QStringLiteral("activation_absmax"));
  tokenRange_->setObjectName(QStringLiteral("token_range"));
  awqGrid_->setObjectName(QStringLiteral("awq_search"));
  arrange(3);
}

void LayerPlots::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  arrange(width() >= kThreeColumnWidth ? 3 : 2);
}

void LayerPlots::arrange(int columns) {
  if (columns == columns_)
    return;
  columns_ = columns;
  auto* grid = static_cast<QGridLayout*>(layout());
  const QList<QWidget*> plots = exportables();
  for (QWidget* plot : plots)
    grid->removeWidget(plot);
  for (int i = 0; i < int(plots.size()); ++i)
    grid->addWidget(plots[i], i / columns, i % columns);
}

void LayerPlots::showReport(const LayerReport& report) {
  plotErrorHistogram(report);
  plotChannelError(report);
  plotActivationAbsMax(report);
  plotTokenRange(report);
  plotAwqGrid(report);
}

void LayerPlots::plotErrorHistogram(const LayerReport& report) {
  QCustomPlot* p = errorHist_;
  resetPlot(p);
  plotstyle::setEmptyMessage(p, {});
  for (const auto& m : report.methods) {
    if (!m.error.empty())
      continue;
    const Histogram& h = m.outputError;
    QVector<double> x, y;
    const double w = h.binWidth();
    double total = 0;
    for (double c : h.counts)
      total += c;
    for (size_t b = 0; b < h.counts.size(); ++b) {
      x.push_back(h.lo + (double(b) + 0.5) * w);
      y.push_back(total > 0 ? h.counts[b] / total : 0.0);
    }
    QCPGraph* g = addLine(p, x, y, methodColor(m.method), QString::fromStdString(m.label));
    g->setLineStyle(QCPGraph::lsStepCenter);
  }
  logY(p);
  p->xAxis->setLabel(tr("error"));
  p->yAxis->setLabel(tr("share of outputs"));
  p->legend->setVisible(true);
  p->rescaleAxes();
  p->yAxis->setRangeLower(std::max(p->yAxis->range().lower, 1e-7));
  p->replot();
}

void LayerPlots::plotChannelError(const LayerReport& report) {
  QCustomPlot* p = channelError_;
  resetPlot(p);
  plotstyle::setEmptyMessage(p, {});
  for (const auto& m : report.methods) {
    if (!m.error.empty())
      continue;
    QVector<double> x, y;
    for (size_t o = 0; o < m.channelMse.size(); ++o) {
      x.push_back(double(o));
      y.push_back(std::max(double(m.channelMse[o]), 1e-30));
    }
    addLine(p, x, y, methodColor(m.method), QString::fromStdString(m.label), 1.0);
  }
  logY(p);
  p->xAxis->setLabel(tr("output channel"));
  p->yAxis->setLabel(tr("MSE"));
  p->legend->setVisible(true);
  p->rescaleAxes();
  p->replot();
}

void LayerPlots::plotActivationAbsMax(const LayerReport& r) {
  QCustomPlot* p = actAbsMax_;
  resetPlot(p);
  plotstyle::setEmptyMessage(p, {});
  const auto& before = r.calibration.channelAbsMax;
  QVector<double> x, y;
  for (size_t j = 0; j < before.size(); ++j) {
    x.push_back(double(j));
    y.push_back(std::max(double(before[j]), 1e-12));
  }
  QCPGraph* g = addLine(p, x, y, QColor(90, 90, 90), tr("before (X)"), 1.0);
  g->setLineStyle(QCPGraph::lsImpulse);
  for (const auto& m : r.methods) {
    if (m.method != LayerMethod::SmoothQuant && m.method != LayerMethod::Awq &&
        m.method != LayerMethod::Hadamard)
      continue;
    if (m.smoothedAbsMax.empty())
      continue;
    QVector<double> ya;
    for (float v : m.smoothedAbsMax)
      ya.push_back(std::max(double(v), 1e-12));
    QColor c = methodColor(m.method);
    c.setAlpha(170);
    const QString how = m.method == LayerMethod::Hadamard ? tr("X R^T") : tr("X / s");
    addLine(p, x, ya, c, tr("after %1 (%2)").arg(QString::fromStdString(m.label), how), 1.0);
  }
  QVector<double> ox, oy;
  for (int64_t j : r.calibration.outlierChannels) {
    ox.push_back(double(j));
    oy.push_back(std::max(double(before[size_t(j)]), 1e-12));
  }
  QCPGraph* o = addLine(p, ox, oy, plotstyle::outlier(), tr("outlier channels"));
  o->setLineStyle(QCPGraph::lsNone);
  o->setScatterStyle(
      QCPScatterStyle(QCPScatterStyle::ssCircle, plotstyle::outlier(), plotstyle::outlier(), 6));
  logY(p);
  p->xAxis->setLabel(tr("input channel"));
  p->yAxis->setLabel(tr("max |x|"));
  p->legend->setVisible(true);
  p->rescaleAxes();
  p->yAxis->setRangeUpper(p->yAxis->range().upper * 3.0); // room for the outlier markers
  p->replot();
}

void LayerPlots::plotTokenRange(const LayerReport& r) {
  QCustomPlot* p = tokenRange_;
  resetPlot(p);
  plotstyle::setEmptyMessage(p, {});
  QVector<double> x, lo, hi;
  for (size_t t = 0; t < r.tokenMin.size(); ++t) {
    x.push_back(double(t));
    lo.push_back(r.tokenMin[t]);
    hi.push_back(r.tokenMax[t]);
  }
  QCPGraph* gh = addLine(p, x, hi, plotstyle::original(), tr("max"), 1.0);
  QCPGraph* gl = addLine(p, x, lo, plotstyle::original().lighter(130), tr("min"), 1.0);
  gh->setBrush(QColor(70, 110, 160, 60));
  gh->setChannelFillGraph(gl);
  for (const auto& m : r.methods)
    if (m.actHi > m.actLo) { // the static range every token is clipped to
      addLine(p, {0.0, double(x.size())}, {m.actHi, m.actHi}, plotstyle::clip(), tr("static range (RTN)"),
              1.0)
          ->setPen(QPen(plotstyle::clip(), 1.0, Qt::DashLine));
      addLine(p, {0.0, double(x.size())}, {m.actLo, m.actLo}, plotstyle::clip(), QString(), 1.0)
          ->setPen(QPen(plotstyle::clip(), 1.0, Qt::DashLine));
      p->legend->removeItem(p->legend->itemCount() - 1);
      break;
    }
  p->xAxis->setLabel(tr("held-out token"));
  p->yAxis->setLabel(tr("value"));
  p->legend->setVisible(true);
  p->rescaleAxes();
  p->yAxis->scaleRange(1.1);
  p->replot();
}

void LayerPlots::plotAwqGrid(const LayerReport& report) {
  QCustomPlot* p = awqGrid_;
  resetPlot(p);
  const LayerMethodResult* awq = nullptr;
  for (const auto& m : report.methods)
    if (m.method == LayerMethod::Awq && m.error.empty())
      awq = &m;
  if (!awq) {
    plotstyle::setEmptyMessage(p, tr("AWQ not run"));
    p->replot();
    return;
  }
  plotstyle::setEmptyMessage(p, {});
  QVector<double> x(awq->gridAlpha.begin(), awq->gridAlpha.end()),
      y(awq->gridLoss.begin(), awq->gridLoss.end());
  QCPGraph* g = addLine(p, x, y, methodColor(LayerMethod::Awq), tr("output MSE"));
  g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
  const auto best = std::min_element(y.begin(), y.end());
  QCPGraph* b = addLine(p, {x[int(best - y.begin())]}, {*best}, plotstyle::error(), tr("chosen α"));
  b->setLineStyle(QCPGraph::lsNone);
  b->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, plotstyle::error(), 9));
  p->xAxis->setLabel(tr("α"));
  p->yAxis->setLabel(tr("MSE"));
  p->legend->setVisible(true);
  p->rescaleAxes();
  p->xAxis->scaleRange(1.06);
  p->yAxis->scaleRange(1.12);
  p->replot();
}

QList<QWidget*> LayerPlots::exportables() const {
  return {errorHist_, channelError_, actAbsMax_, tokenRange_, awqGrid_};
}

} // namespace qs
