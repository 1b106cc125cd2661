#include "widgets/model/pareto_plot.h"

#include "widgets/plots/plot_placement.h"
#include "widgets/plots/plot_style.h"

#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace qs {

ParetoPlot::ParetoPlot(QWidget* parent) : QCustomPlot(parent) {
  setObjectName(QStringLiteral("pareto"));
  plotLayout()->insertRow(0);
  title_ = new QCPTextElement(this, QString(), QFont(font().family(), 10, QFont::Bold));
  plotLayout()->addElement(0, 0, title_);
  plotstyle::applyBase(this);
  setMinimumSize(260, 200);
  xAxis->setLabel(tr("bits per weight"));
  yAxis->setLabel(tr("total error Σ (x − q)²"));
  yAxis->setScaleType(QCPAxis::stLogarithmic);
  QSharedPointer<QCPAxisTickerLog> ticker(new QCPAxisTickerLog);
  yAxis->setTicker(ticker);
  yAxis->setNumberFormat(QStringLiteral("eb"));
  yAxis->setNumberPrecision(0);
  legend->setVisible(true);
  plotplace::install(this);
  setToolTip(tr("Click to set the budget there"));
  connect(this, &QCustomPlot::mousePress, this, &ParetoPlot::onMousePress);
  connect(this, &QCustomPlot::mouseMove, this, &ParetoPlot::onMouseMove);
  clearPlan(tr("Open a model (File ▸ Open model…)"));
}

void ParetoPlot::clearPlan(const QString& message) {
  plan_.reset();
  clearPlottables();
  clearItems();
  legend->setVisible(false);
  plotplace::setTitle(this, title_, tr("Error against size"));
  plotstyle::setEmptyMessage(this, message);
  xAxis->setRange(2, 9);
  yAxis->setRange(1e-2, 1e2);
  replot(rpQueuedReplot);
}

void ParetoPlot::setPlan(std::shared_ptr<const ModelPlan> plan) {
  if (!plan || plan->pareto.empty()) {
    clearPlan(tr("no plan"));
    return;
  }
  plan_ = std::move(plan);
  clearPlottables();
  clearItems();
  plotstyle::setEmptyMessage(this, QString());
  legend->setVisible(true);
  plotplace::setTitle(this, title_,
                      tr("Error against size — %1 bits/weight, error %2")
                          .arg(plan_->bitsPerWeight, 0, 'f', 2)
                          .arg(plotstyle::num(plan_->totalError, 3)));

  QVector<double> x, y;
  double yMin = 1e300, yMax = 0;
  auto extend = [&](double v) {
    if (v > 0 && std::isfinite(v)) {
      yMin = std::min(yMin, v);
      yMax = std::max(yMax, v);
    }
  };
  for (const ParetoPoint& p : plan_->pareto)
    if (p.error > 0 && std::isfinite(p.error)) { // a lossless plan has no place on a log axis
      x << p.bits;
      y << p.error;
      extend(p.error);
    }
  QCPGraph* frontier = addGraph();
  frontier->setObjectName(QStringLiteral("frontier"));
  frontier->setName(tr("Pareto frontier"));
  frontier->setPen(QPen(QColor(0, 114, 178), 1.6));
  frontier->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(0, 114, 178), 4));
  frontier->setData(x, y, true);

  if (plan_->greedyError > 0 && plan_->greedyError > plan_->totalError * (1 + 1e-9)) {
    QCPGraph* greedy = addGraph();
    greedy->setObjectName(QStringLiteral("greedy"));
    greedy->setName(tr("greedy"));
    greedy->setLineStyle(QCPGraph::lsNone);
    greedy->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCross, QPen(QColor(120, 120, 120), 2), Qt::NoBrush, 9));
    greedy->setData(QVector<double>{plan_->bitsPerWeight}, QVector<double>{plan_->greedyError});
    extend(plan_->greedyError);
  }
  QCPGraph* current = addGraph();
  current->setObjectName(QStringLiteral("current"));
  current->setName(tr("this plan"));
  current->setLineStyle(QCPGraph::lsNone);
  current->setScatterStyle(
      QCPScatterStyle(QCPScatterStyle::ssStar, QPen(plotstyle::dequantized(), 2.5), Qt::NoBrush, 16));
  current->setData(QVector<double>{plan_->bitsPerWeight}, QVector<double>{plan_->totalError});
  extend(plan_->totalError);

  const double xLo = x.isEmpty() ? plan_->bitsPerWeight : std::min(x.front(), plan_->bitsPerWeight);
  const double xHi = x.isEmpty() ? plan_->bitsPerWeight : std::max(x.back(), plan_->bitsPerWeight);
  const double pad = std::max(0.25, 0.05 * (xHi - xLo));
  xAxis->setRange(xLo - pad, xHi + pad);
  if (yMin <= yMax)
    yAxis->setRange(yMin / 1.6, yMax * 1.6);
  replot(rpQueuedReplot);
}

void ParetoPlot::onMousePress(QMouseEvent* event) {
  if (!plan_ || event->button() != Qt::LeftButton || !axisRect()->rect().contains(event->pos()))
    return;
  emit budgetPicked(xAxis->pixelToCoord(event->position().x()));
}

void ParetoPlot::onMouseMove(QMouseEvent* event) {
  if (!plan_ || event->buttons() != Qt::NoButton)
    return;
  const ParetoPoint* best = nullptr;
  double bestDist = 10.0; // pixels
  for (const ParetoPoint& p : plan_->pareto) {
    if (p.error <= 0)
      continue;
    const double d = std::hypot(xAxis->coordToPixel(p.bits) - event->position().x(),
                                yAxis->coordToPixel(p.error) - event->position().y());
    if (d < bestDist) {
      bestDist = d;
      best = &p;
    }
  }
  if (best)
    QToolTip::showText(event->globalPosition().toPoint(),
                       tr("%1 bits per weight\ntotal error %2\nclick to plan there")
                           .arg(best->bits, 0, 'f', 3)
                           .arg(plotstyle::num(best->error, 4)),
                       this);
}

} // namespace qs
