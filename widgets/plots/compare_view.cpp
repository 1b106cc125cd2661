#include "widgets/plots/compare_view.h"

#include "widgets/metric_rows.h"
#include "widgets/plots/plot_export.h"
#include "widgets/plots/plot_style.h"

#include <QHeaderView>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace qs {

CompareView::CompareView(QWidget* parent) : PlotViewBase(parent) {
  table_ = new QTableWidget(this);
  table_->setObjectName(QStringLiteral("metrics"));
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  table_->setToolTip(tr("Hover a metric's name for its definition; bold marks the best value of a row"));
  plotexport::installExportMenu(table_, tr("Compare metrics"));
  QCustomPlot* p = plot();
  p->xAxis->setScaleType(QCPAxis::stLogarithmic);
  p->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog));
  p->xAxis->setLabel(tr("|x − q| (tensor units, log scale)"));
  p->yAxis->setLabel(tr("share of elements with |error| ≤ value"));
  p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  p->axisRect()->setRangeDrag(Qt::Horizontal);
  p->axisRect()->setRangeZoom(Qt::Horizontal);
  showLegend();
  auto* splitter = new QSplitter(Qt::Vertical, this);
  mainLayout()->removeWidget(p);
  splitter->addWidget(table_);
  splitter->addWidget(p);
  splitter->setStretchFactor(0, 2);
  splitter->setStretchFactor(1, 3);
  mainLayout()->addWidget(splitter, 1);
  installExport();
  rebuild();
}

QList<QWidget*> CompareView::exportables() {
  return {plot(), table_};
}

void CompareView::setResult(std::shared_ptr<const QuantResult> result, std::shared_ptr<const Tensor>) {
  result_ = std::move(result);
  rebuild();
}

void CompareView::releaseResults() {
  result_.reset();
  pinned_.clear();
}

void CompareView::setPinned(const std::vector<PinnedResult>& pinned) {
  pinned_ = pinned;
  rebuild();
}

std::vector<std::pair<double, double>> CompareView::absErrorCdf(const Histogram& h) {
  std::vector<std::pair<double, double>> bins; // (largest |error| in the bin, count)
  double total = 0;
  const double w = h.binWidth();
  for (size_t i = 0; i < h.counts.size(); ++i) {
    if (h.counts[i] <= 0)
      continue;
    const double a = h.lo + double(i) * w, b = a + w;
    bins.emplace_back(std::max(std::fabs(a), std::fabs(b)), h.counts[i]);
    total += h.counts[i];
  }
  std::sort(bins.begin(), bins.end());
  std::vector<std::pair<double, double>> cdf;
  double running = 0;
  for (const auto& [e, c] : bins) {
    running += c;
    if (!cdf.empty() && cdf.back().first == e)
      cdf.back().second = running / total;
    else
      cdf.emplace_back(e, running / total);
  }
  return cdf;
}

void CompareView::rebuild() {
  struct Column {
    QString name, tip;
    QColor color;
    const QuantResult* result; // null: the config does not apply to this tensor
  };
  std::vector<Column> columns;
  if (result_)
    columns.push_back({tr("Current"), QString::fromStdString(result_->formatLabel), plotstyle::dequantized(),
                       result_.get()});
  for (const PinnedResult& pin : pinned_)
    if (pin.result || !pin.notApplicable.isEmpty())
      columns.push_back(
          {pin.label.section(QLatin1Char(' '), 0, 0),
           pin.result ? pin.label : tr("%1\nnot applicable: %2").arg(pin.label, pin.notApplicable), pin.color,
           pin.result.get()});

  // Metric table: rows = metrics, columns = configs.
  const auto& rows = metricRows();
  table_->clear();
  table_->setRowCount(int(rows.size()) + 1);
  table_->setColumnCount(int(columns.size()));
  QStringList header;
  for (const Column& c : columns)
    header << c.name;
  table_->setHorizontalHeaderLabels(header);
  QStringList rowNames{tr("Format")};
  for (const MetricRow& m : rows)
    rowNames << m.label;
  table_->setVerticalHeaderLabels(rowNames);
  for (size_t r = 0; r < rows.size(); ++r)
    table_->verticalHeaderItem(int(r) + 1)->setToolTip(rows[r].tooltip);
  for (size_t c = 0; c < columns.size(); ++c) {
    const QuantResult* result = columns[c].result;
    table_->horizontalHeaderItem(int(c))->setForeground(result ? columns[c].color.darker(110)
                                                               : palette().color(QPalette::PlaceholderText));
    table_->horizontalHeaderItem(int(c))->setToolTip(columns[c].tip);
    auto* format =
        new QTableWidgetItem(result ? QString::fromStdString(result->formatLabel) : tr("not applicable"));
    format->setToolTip(columns[c].tip);
    table_->setItem(0, int(c), format);
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    const MetricRow& m = rows[r];
    std::vector<double> values;
    for (const Column& c : columns)
      values.push_back(c.result ? m.value(*c.result) : std::nan(""));
    double best = 0;
    bool haveBest = false;
    for (double v : values)
      if (!std::isnan(v) && m.better != MetricRow::Better::None) {
        if (!haveBest || (m.better == MetricRow::Better::Lower ? v < best : v > best))
          best = v;
        haveBest = true;
      }
    // Bold only where there is a difference to point at.
    haveBest = haveBest && std::any_of(values.begin(), values.end(), [&](double v) { return v != best; });
    for (size_t c = 0; c < columns.size(); ++c) {
      auto* item = new QTableWidgetItem(columns[c].result ? m.display(*columns[c].result) : tr("n/a"));
      item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      item->setToolTip(columns[c].result ? m.tooltip : columns[c].tip);
      if (haveBest && columns.size() > 1 && values[c] == best) {
        QFont bold = item->font();
        bold.setBold(true);
        item->setFont(bold);
      }
      table_->setItem(int(r) + 1, int(c), item);
    }
  }

  // |error| CDF curves.
  QCustomPlot* p = plot();
  clearPlot();
  double eMin = 1e300, eMax = 0;
  for (const Column& c : columns) {
    if (!c.result)
      continue;
    const auto cdf = absErrorCdf(c.result->histError);
    QVector<double> k, v;
    for (const auto& [e, f] : cdf)
      if (e > 0) {
        k << e;
        v << f;
        eMin = std::min(eMin, e);
        eMax = std::max(eMax, e);
      }
    if (k.isEmpty())
      continue;
    QCPGraph* g = p->addGraph();
    g->setObjectName(c.result == result_.get() ? QStringLiteral("current") : QStringLiteral("pin"));
    g->setName(QStringLiteral("%1: %2").arg(c.name, QString::fromStdString(c.result->formatLabel)));
    g->setLineStyle(QCPGraph::lsStepLeft);
    g->setPen(QPen(c.color, c.result == result_.get() ? 2.0 : 1.6));
    g->setData(k, v, true);
  }
  const auto withResult =
      std::find_if(columns.begin(), columns.end(), [](const Column& c) { return c.result; });
  if (withResult == columns.end() || eMax <= 0) {
    setPlotTitle(tr("Compare"));
    plotstyle::setEmptyMessage(p, withResult == columns.end()
                                      ? emptyText()
                                      : tr("no error: every config reproduces the tensor exactly"));
    p->xAxis->setRange(1e-4, 1);
  } else {
    setPlotTitle(tr("%1 — cumulative |error| (from the error histograms)")
                     .arg(QString::fromStdString(withResult->result->tensorName)));
    plotstyle::setEmptyMessage(p, QString());
    p->xAxis->setRange(eMin / 1.5, eMax * 1.5);
  }
  p->yAxis->setRange(0, 1.02);
  p->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace qs
