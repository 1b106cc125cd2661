#include "widgets/plots/imatrix_columns_panel.h"

#include "widgets/plots/plot_export.h"
#include "widgets/plots/plot_placement.h"
#include "widgets/plots/plot_style.h"

#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollBar>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace qs {

namespace {

QCPGraph* makeGraph(QCustomPlot* plot, QCPAxis* valueAxis, const QString& objectName, const QString& name) {
  QCPGraph* g = plot->addGraph(plot->xAxis, valueAxis);
  g->setObjectName(objectName);
  g->setName(name);
  g->setSelectable(QCP::stNone);
  return g;
}

// A log axis over `range`: decades as 10^k when it spans several; plain
// numbers between when it spans less (10^k labels would repeat there).
void setLogRange(QCPAxis* axis, const QCPRange& range) {
  axis->setScaleType(QCPAxis::stLogarithmic);
  axis->setRange(range);
  if (range.upper / range.lower >= 100) {
    QSharedPointer<QCPAxisTickerLog> ticker(new QCPAxisTickerLog);
    ticker->setSubTickCount(8);
    axis->setTicker(ticker);
    axis->setNumberFormat(QStringLiteral("eb"));
    axis->setNumberPrecision(0);
  } else {
    axis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    axis->setNumberFormat(QStringLiteral("g"));
    axis->setNumberPrecision(3);
  }
}

// A log axis spanning the positive values (a decade of air at each end, so
// the line never sits on the frame).
QCPRange logRange(const std::vector<float>& v) {
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (float x : v)
    if (x > 0 && std::isfinite(x)) {
      lo = std::min(lo, double(x));
      hi = std::max(hi, double(x));
    }
  if (!(hi > 0))
    return {0.1, 10};
  return {lo / 3, hi * 3};
}

QTableWidgetItem* numberItem(const QString& text) {
  auto* item = new QTableWidgetItem(text);
  item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return item;
}

} // namespace

ImatrixColumnsPanel::ImatrixColumnsPanel(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("imatrixColumns"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 2, 0, 0);
  layout->setSpacing(2);
  status_ = new QLabel(this);
  status_->setObjectName(QStringLiteral("imatrixStatus"));
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(status_);

  body_ = new QWidget(this);
  auto* row = new QHBoxLayout(body_);
  row->setContentsMargins(0, 0, 0, 0);
  auto* left = new QVBoxLayout;
  error_ = new QLabel(body_);
  error_->setObjectName(QStringLiteral("imatrixError"));
  error_->setWordWrap(true);
  error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  error_->setToolTip(tr("Σ_j w_j Σ_i e_ij²: the squared rounding error of input column j weighted by the "
                        "imatrix weight w_j = E[x_j²] — what llama-quantize minimises with an imatrix. "
                        "The ratio to the plain SSE is the error's mean importance: above the mean imatrix "
                        "weight, the error sits on the columns the activations use most."));
  left->addWidget(error_);

  plot_ = new QCustomPlot(body_);
  plot_->setObjectName(QStringLiteral("imatrixPlot"));
  plot_->setMinimumHeight(170);
  plotstyle::applyBase(plot_);
  setLogRange(plot_->yAxis, {0.1, 10});
  setLogRange(plot_->yAxis2, {0.1, 10});
  plot_->yAxis2->setVisible(true);
  plot_->yAxis->setLabel(tr("E[x²]"));
  plot_->yAxis2->setLabel(tr("max |W|"));
  plot_->xAxis->setLabel(tr("input column (last axis)"));
  // The weight's columns first, light: the imatrix line is drawn over them.
  absMax_ =
      makeGraph(plot_, plot_->yAxis2, QStringLiteral("weightAbsMax"), tr("column max |W| (right axis)"));
  QColor amber = plotstyle::dequantized();
  amber.setAlpha(110);
  absMax_->setPen(QPen(amber, 1.0));
  importance_ = makeGraph(plot_, plot_->yAxis, QStringLiteral("importance"), tr("imatrix E[x²]"));
  importance_->setPen(QPen(plotstyle::original().darker(115), 1.2));
  hits_ = makeGraph(plot_, plot_->yAxis, QStringLiteral("hits"), tr("hit (both large)"));
  hits_->setLineStyle(QCPGraph::lsNone);
  hits_->setScatterStyle(
      QCPScatterStyle(QCPScatterStyle::ssCircle, plotstyle::outlier(), plotstyle::outlier(), 6));
  plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot_->axisRect()->setRangeDrag(Qt::Horizontal);
  plot_->axisRect()->setRangeZoom(Qt::Horizontal);
  plot_->legend->setVisible(true);
  plotplace::install(plot_);
  plotexport::installExportMenu(plot_, tr("Imatrix columns"));
  left->addWidget(plot_, 1);
  row->addLayout(left, 1);

  table_ = new QTableWidget(body_);
  table_->setObjectName(QStringLiteral("imatrixHits"));
  table_->setColumnCount(5);
  table_->setHorizontalHeaderLabels({tr("column"), tr("E[x²]"), tr("× med"), tr("max |W|"), tr("× med")});
  table_->horizontalHeaderItem(2)->setToolTip(tr("E[x²] ÷ the median E[x²]"));
  table_->horizontalHeaderItem(4)->setToolTip(tr("max |W| ÷ the median column max |W|"));
  table_->horizontalHeaderItem(0)->setToolTip(tr("input column (expert e: e · columns + j)"));
  table_->horizontalHeaderItem(1)->setToolTip(tr("the imatrix weight: mean square activation of the column"));
  table_->horizontalHeaderItem(3)->setToolTip(tr("max_i |W_ij|: the weight column's largest magnitude"));
  table_->verticalHeader()->setVisible(false);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->setToolTip(tr("Activation outliers hit these weight columns: large inputs meet larger-than-typical "
                        "weights, so the rounding error of these columns counts most"));
  table_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  plotexport::installExportMenu(table_, tr("Imatrix hits"));
  row->addWidget(table_);
  layout->addWidget(body_, 1);

  setImatrix(nullptr);
}

ImatrixColumnsPanel::~ImatrixColumnsPanel() = default; // the job cancels and waits

QString ImatrixColumnsPanel::statusText() const {
  return status_->text();
}

QString ImatrixColumnsPanel::tensorName() const {
  return result_ ? QString::fromStdString(result_->tensorName) : QString();
}

QString ImatrixColumnsPanel::errorText() const {
  return error_->text();
}

void ImatrixColumnsPanel::setImatrix(std::shared_ptr<const Imatrix> imatrix) {
  imatrix_ = std::move(imatrix);
  recompute();
}

void ImatrixColumnsPanel::setTensor(std::shared_ptr<const QuantResult> result,
                                    std::shared_ptr<const Tensor> original) {
  result_ = std::move(result);
  original_ = std::move(original);
  recompute();
}

void ImatrixColumnsPanel::release() {
  job_.discard();
  result_.reset();
  original_.reset();
}

void ImatrixColumnsPanel::showStatus(const QString& text) {
  columns_.reset();
  status_->setText(text);
  status_->setVisible(!text.isEmpty());
  body_->hide();
  fitCollapsed();
}

void ImatrixColumnsPanel::fitCollapsed() {
  if (body_->isVisibleTo(this))
    return;
  // Just the wrapped line(s): the splitter must not hand the panel more.
  const int w = std::max(100, width());
  const int h = status_->text().isEmpty() ? 0 : status_->heightForWidth(w) + 6;
  setMaximumHeight(h);
  // A splitter keeps the slot it gave the panel: hand what the line does not
  // need to the other widgets, in proportion to their heights.
  auto* splitter = qobject_cast<QSplitter*>(parentWidget());
  if (!splitter)
    return;
  const int self = splitter->indexOf(this);
  QList<int> sizes = splitter->sizes();
  if (self < 0 || sizes[self] <= h)
    return;
  int freed = sizes[self] - h, others = 0;
  for (int i = 0; i < sizes.size(); ++i)
    others += i == self ? 0 : sizes[i];
  sizes[self] = h;
  for (int i = 0, left = freed; i < sizes.size(); ++i) {
    if (i == self)
      continue;
    const int share = others > 0 ? int(qint64(freed) * sizes[i] / others) : 0;
    sizes[i] += std::min(share, left);
    left -= std::min(share, left);
  }
  splitter->setSizes(sizes);
}

void ImatrixColumnsPanel::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  fitCollapsed();
}

void ImatrixColumnsPanel::recompute() {
  job_.discard();
  if (!imatrix_) {
    showStatus(tr("Imatrix: none loaded (File ▸ Open imatrix…) — it would show which input columns the "
                  "activations use most."));
    emit updated();
    return;
  }
  if (!result_ || !original_) {
    showStatus(QString());
    emit updated();
    return;
  }
  const QString file = QFileInfo(QString::fromStdString(imatrix_->path.string())).fileName();
  const ImatrixMatch match = matchImatrix(*imatrix_, result_->tensorName, original_->shape);
  if (!match.entry) {
    showStatus(tr("Imatrix %1: %2.").arg(file, QString::fromStdString(match.problem)));
    emit updated();
    return;
  }
  showStatus(tr("Imatrix %1: computing the input columns of %2…")
                 .arg(file, QString::fromStdString(result_->tensorName)));
  JobHandlers<ImatrixColumns> handlers;
  handlers.done = [this, file](ImatrixColumns columns) {
    columns_ = std::move(columns);
    const ImatrixColumns& c = *columns_;
    status_->setText(tr("Imatrix %1, entry %2: %3 column(s) where activation outliers hit large weight "
                        "columns (E[x²] > %4 × median %5 and max |W| > median %6).")
                         .arg(file, QString::fromStdString(c.entry))
                         .arg(c.hits.size())
                         .arg(kHitImportanceFactor)
                         .arg(plotstyle::num(c.importanceMedian), plotstyle::num(c.absMaxMedian)));
    draw();
    emit updated();
  };
  handlers.failed = [this](const QString& message) {
    showStatus(tr("Imatrix: %1").arg(message));
    emit updated();
  };
  handlers.cancelled = [this] { emit updated(); };
  const std::shared_ptr<const Imatrix> imatrix = imatrix_;
  const std::shared_ptr<const Tensor> tensor = original_;
  const QuantConfig config = result_->config;
  const std::string entry = match.entry->name;
  job_.start<ImatrixColumns>(
      [imatrix, tensor, config, entry](JobControl& job) {
        return imatrixColumns(*tensor, *imatrix->find(entry), config, job.cancelFlag());
      },
      std::move(handlers));
}

void ImatrixColumnsPanel::draw() {
  const ImatrixColumns& c = *columns_;
  const int n = int(c.importance.size());
  QVector<double> keys, values, absKeys, absValues, hitKeys, hitValues;
  keys.reserve(n);
  values.reserve(n);
  for (int k = 0; k < n; ++k) {
    // A log axis has no zero: dead columns leave a gap.
    if (c.importance[size_t(k)] > 0) {
      keys << double(k);
      values << double(c.importance[size_t(k)]);
    }
    if (c.weightAbsMax[size_t(k)] > 0) {
      absKeys << double(k);
      absValues << double(c.weightAbsMax[size_t(k)]);
    }
  }
  std::vector<int64_t> hits = c.hits;
  std::sort(hits.begin(), hits.end());
  for (int64_t k : hits) {
    hitKeys << double(k);
    hitValues << double(c.importance[size_t(k)]);
  }
  importance_->setData(keys, values, true);
  absMax_->setData(absKeys, absValues, true);
  hits_->setData(hitKeys, hitValues, true);

  plot_->clearItems();
  const double threshold = kHitImportanceFactor * c.importanceMedian;
  if (threshold > 0) {
    auto* line = new QCPItemStraightLine(plot_);
    line->setObjectName(QStringLiteral("threshold"));
    line->point1->setCoords(0, threshold);
    line->point2->setCoords(1, threshold);
    line->setPen(QPen(plotstyle::outlier(), 1, Qt::DashLine));
    line->setSelectable(false);
  }
  for (int64_t e = 1; e < c.experts; ++e) { // expert boundaries
    auto* line = new QCPItemStraightLine(plot_);
    line->point1->setCoords(double(e * c.columns) - 0.5, 1);
    line->point2->setCoords(double(e * c.columns) - 0.5, 2);
    line->setPen(QPen(plotstyle::reference(), 1, Qt::DotLine));
    line->setSelectable(false);
  }
  plot_->xAxis->setLabel(c.experts > 1 ? tr("input column of expert e at e · %1 + column").arg(c.columns)
                                       : tr("input column (last axis)"));
  plot_->xAxis->setRange(-0.5 - 0.01 * n, n - 0.5 + 0.01 * n);
  QCPRange yr = logRange(c.importance);
  if (threshold > 0)
    yr.upper = std::max(yr.upper, threshold * 3);
  setLogRange(plot_->yAxis, yr);
  setLogRange(plot_->yAxis2, logRange(c.weightAbsMax));

  const double ratio = c.sse > 0 ? c.weightedSse / c.sse : 0.0;
  error_->setText(
      tr("Importance-weighted error Σ_j w_j Σ_i e_ij² = <b>%1</b> · plain SSE Σ e² = %2 · ratio %3 "
         "(median weight %4)")
          .arg(plotstyle::num(c.weightedSse), plotstyle::num(c.sse), plotstyle::num(ratio),
               plotstyle::num(c.importanceMedian)));

  const int rows = int(std::min<size_t>(c.hits.size(), size_t(kMaxListed)));
  table_->setRowCount(rows);
  for (int r = 0; r < rows; ++r) {
    const size_t k = size_t(c.hits[size_t(r)]);
    const QString column = c.experts > 1
                               ? tr("e%1 · %2").arg(int64_t(k) / c.columns).arg(int64_t(k) % c.columns)
                               : QString::number(k);
    const double w = c.importance[k], a = c.weightAbsMax[k];
    table_->setItem(r, 0, numberItem(column));
    table_->setItem(r, 1, numberItem(plotstyle::num(w)));
    table_->setItem(r, 2, numberItem(plotstyle::num(c.importanceMedian > 0 ? w / c.importanceMedian : 0, 3)));
    table_->setItem(r, 3, numberItem(plotstyle::num(a)));
    table_->setItem(r, 4, numberItem(plotstyle::num(c.absMaxMedian > 0 ? a / c.absMaxMedian : 0, 3)));
  }
  // As wide as its columns: the plot takes the rest.
  table_->resizeColumnsToContents();
  int width = 2 * table_->frameWidth() + table_->verticalScrollBar()->sizeHint().width();
  for (int col = 0; col < table_->columnCount(); ++col)
    width += table_->columnWidth(col);
  table_->setFixedWidth(width);
  setMaximumHeight(QWIDGETSIZE_MAX);
  body_->show();
  status_->show();
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace qs
