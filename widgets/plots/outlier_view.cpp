#include "widgets/plots/outlier_view.h"

#include "widgets/plots/axis_text.h"
#include "widgets/plots/imatrix_columns_panel.h"
#include "widgets/plots/plot_export.h"
#include "widgets/plots/plot_style.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace qs {

namespace {

QCPBars* makeBars(QCustomPlot* plot, const QString& objectName, const QColor& color) {
  auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
  bars->setObjectName(objectName);
  bars->setWidthType(QCPBars::wtPlotCoords);
  bars->setWidth(0.8);
  bars->setBrush(color);
  bars->setPen(Qt::NoPen);
  bars->setSelectable(QCP::stNone);
  return bars;
}

} // namespace

OutlierView::OutlierView(QWidget* parent) : PlotViewBase(parent) {
  statBox_ = new QComboBox(this);
  statBox_->addItem(tr("Abs max"), int(Stat::AbsMax));
  statBox_->setItemData(0, tr("max |x| of each channel: one large value stretches a per-tensor scale"),
                        Qt::ToolTipRole);
  statBox_->addItem(tr("Std deviation"), int(Stat::StdDev));
  statBox_->setItemData(1, tr("standard deviation of each channel"), Qt::ToolTipRole);
  statBox_->addItem(tr("Kurtosis"), int(Stat::Kurtosis));
  statBox_->setItemData(2, tr("excess kurtosis (Fisher, 0 for a Gaussian): heavy tails are hard to quantize"),
                        Qt::ToolTipRole);
  listBox_ = new QComboBox(this);
  listBox_->addItem(tr("Largest errors"), int(TopList::Errors));
  listBox_->addItem(tr("Largest magnitudes"), int(TopList::Magnitudes));
  controls()->addWidget(new QLabel(tr("Per channel:"), this));
  controls()->addWidget(statBox_);
  basisBox_ = new QComboBox(this);
  basisBox_->addItem(tr("of x"));
  basisBox_->addItem(tr("of rotated R·x"));
  basisBox_->setToolTip(
      tr("With a rotation (Config ▸ Rotation): the channels of the tensor the format quantized"));
  basisBox_->setEnabled(false);
  controls()->addWidget(basisBox_);
  controls()->addWidget(new QLabel(tr("Table:"), this));
  controls()->addWidget(listBox_);

  QCustomPlot* p = plot();
  // Created first so that the outlier bars are drawn over it.
  // 1 px impulses: at under a pixel per channel they read as bars, and
  // adaptive sampling bounds their cost by the plot's width (a filled step
  // outline of 4096 jagged channels took 40 ms, 4096 bars 3-6 ms).
  lines_ = p->addGraph();
  lines_->setObjectName(QStringLiteral("channelLines"));
  lines_->setLineStyle(QCPGraph::lsImpulse);
  lines_->setPen(QPen(plotstyle::original(), 1.0));
  lines_->setSelectable(QCP::stNone);
  lines_->removeFromLegend();
  bars_ = makeBars(p, QStringLiteral("channels"), plotstyle::original());
  bars_->setName(tr("channels"));
  outliers_ = makeBars(p, QStringLiteral("outliers"), plotstyle::outlier());
  outliers_->setName(tr("outlier channels (abs max > 6 × median)"));
  p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  p->axisRect()->setRangeDrag(Qt::Horizontal);
  p->axisRect()->setRangeZoom(Qt::Horizontal);
  p->xAxis->setLabel(tr("channel (row of the 2-D view, dim 0)"));
  p->setToolTip(
      tr("Click a bar to locate the channel's worst element in the error map; wheel zooms channels."));
  showLegend();

  table_ = new QTableWidget(this);
  table_->setObjectName(QStringLiteral("topk"));
  table_->setColumnCount(7);
  table_->setHorizontalHeaderLabels({tr("#"), tr("row"), tr("column"), tr("original x"), tr("dequantized q"),
                                     tr("error x − q"), tr("flat index")});
  table_->horizontalHeaderItem(5)->setToolTip(
      tr("x − q: positive when the quantized value is below the original"));
  table_->verticalHeader()->setVisible(false);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setToolTip(tr("Click a row to centre the error map on that element"));
  plotexport::installExportMenu(table_, tr("Top-k"));

  // The plot, the imatrix panel and the table share the view's height; the
  // user can move the splits. Without an imatrix plot the panel is one line.
  imatrix_ = new ImatrixColumnsPanel(this);
  splitter_ = new QSplitter(Qt::Vertical, this);
  mainLayout()->removeWidget(p);
  splitter_->addWidget(p);
  splitter_->addWidget(imatrix_);
  splitter_->addWidget(table_);
  splitter_->setStretchFactor(0, 3);
  splitter_->setStretchFactor(1, 0);
  splitter_->setStretchFactor(2, 2);
  splitter_->setChildrenCollapsible(false);
  mainLayout()->addWidget(splitter_, 1);
  connect(imatrix_, &ImatrixColumnsPanel::updated, this, [this] {
    const bool shown = imatrix_->hasColumns();
    if (shown != imatrixShown_) {
      imatrixShown_ = shown;
      const int h = std::max(splitter_->height(), 300);
      const int line = imatrix_->sizeHint().height();
      splitter_->setSizes(shown ? QList<int>{h * 3 / 10, h * 9 / 20, h / 4}
                                : QList<int>{(h - line) * 3 / 5, line, (h - line) * 2 / 5});
    }
    emit caughtUp();
  });

  connect(statBox_, &QComboBox::currentIndexChanged, this, [this] { rebuildPlot(); });
  connect(listBox_, &QComboBox::currentIndexChanged, this, [this] { rebuildTable(); });
  connect(basisBox_, &QComboBox::currentIndexChanged, this, [this] { rebuildPlot(); });
  connect(table_, &QTableWidget::cellClicked, this, [this](int row, int) {
    const auto* list = currentList();
    if (list && row >= 0 && size_t(row) < list->size())
      emit locateRequested((*list)[size_t(row)].row, (*list)[size_t(row)].col);
  });
  connect(p, &QCustomPlot::plottableClick, this,
          [this](QCPAbstractPlottable* plottable, int index, QMouseEvent*) {
            // A bar or a channel line: its key is the channel.
            QCPPlottableInterface1D* data = plottable ? plottable->interface1D() : nullptr;
            if (!data || index < 0 || index >= data->dataCount())
              return;
            const auto [row, col] = locateForChannel(qint64(std::llround(data->dataMainKey(index))));
            emit locateRequested(row, col);
          });
  installExport();
  setResult(nullptr, nullptr);
}

QList<QWidget*> OutlierView::exportables() {
  if (imatrix_->hasColumns())
    return {plot(), imatrix_->plot(), imatrix_->hitTable(), table_};
  return {plot(), table_};
}

bool OutlierView::isCaughtUp() const {
  return !imatrix_->isBusy();
}

void OutlierView::setImatrix(std::shared_ptr<const Imatrix> imatrix) {
  imatrix_->setImatrix(std::move(imatrix));
}

void OutlierView::setStat(Stat stat) {
  statBox_->setCurrentIndex(statBox_->findData(int(stat)));
}

void OutlierView::setTopList(TopList list) {
  listBox_->setCurrentIndex(listBox_->findData(int(list)));
}

void OutlierView::setRotatedBasis(bool rotated) {
  basisBox_->setCurrentIndex(rotated ? 1 : 0);
}

void OutlierView::setResult(std::shared_ptr<const QuantResult> result,
                            std::shared_ptr<const Tensor> original) {
  imatrix_->setTensor(result, std::move(original));
  result_ = std::move(result);
  basisBox_->setEnabled(result_ && result_->rotation.applied);
  rebuildPlot();
  rebuildTable();
}

void OutlierView::releaseResults() {
  imatrix_->release();
  result_.reset();
}

const std::vector<TopEntry>* OutlierView::currentList() const {
  if (!result_)
    return nullptr;
  return TopList(listBox_->currentData().toInt()) == TopList::Errors ? &result_->topErrors
                                                                     : &result_->topMagnitude;
}

std::pair<qint64, qint64> OutlierView::locateForChannel(qint64 channel) const {
  if (!result_)
    return {channel, -1};
  const TopEntry* best = nullptr;
  for (const auto* list : {&result_->topErrors, &result_->topMagnitude})
    for (const TopEntry& e : *list)
      if (e.row == channel && (!best || std::fabs(e.error) > std::fabs(best->error)))
        best = &e;
  return {channel, best ? best->col : -1};
}

void OutlierView::rebuildPlot() {
  QCustomPlot* p = plot();
  bars_->data()->clear();
  outliers_->data()->clear();
  lines_->data()->clear();
  for (int i = p->itemCount() - 1; i >= 0; --i)
    if (p->item(i)->objectName() == QLatin1String("threshold"))
      p->removeItem(i);
  const Stat stat = Stat(statBox_->currentData().toInt());
  const bool rotated = result_ && result_->rotation.applied && basisBox_->currentIndex() == 1;
  const ChannelStats* ch = !result_  ? nullptr
                           : rotated ? &result_->rotation.channelsRotated
                                     : &result_->channels;
  const std::vector<float>* values = nullptr;
  if (ch)
    values = stat == Stat::AbsMax ? &ch->absMax : stat == Stat::StdDev ? &ch->stdDev : &ch->kurtosis;
  p->yAxis->setLabel(stat == Stat::AbsMax   ? tr("max |x| per channel")
                     : stat == Stat::StdDev ? tr("standard deviation per channel")
                                            : tr("excess kurtosis per channel"));
  if (!values || values->empty()) {
    setPlotTitle(tr("Outliers"));
    plotstyle::setEmptyMessage(p, result_ ? tr("no per-channel statistics in this result") : emptyText());
    p->replot(QCustomPlot::rpQueuedReplot);
    return;
  }
  plotstyle::setEmptyMessage(p, QString());
  std::vector<bool> isOutlier(values->size(), false);
  for (int64_t c : ch->outlierChannels)
    if (c >= 0 && size_t(c) < isOutlier.size())
      isOutlier[size_t(c)] = true;
  // Many channels: a line per channel (the outlier bars cover theirs); few: a
  // bar per channel that is not an outlier.
  const bool dense = values->size() > size_t(kMaxBars);
  QVector<double> k, v, ok, ov;
  double lo = 0, hi = 0;
  for (size_t i = 0; i < values->size(); ++i) {
    const double value = std::isfinite((*values)[i]) ? (*values)[i] : 0.0;
    if (isOutlier[i]) {
      ok << double(i);
      ov << value;
    }
    if (dense || !isOutlier[i]) {
      k << double(i);
      v << (isOutlier[i] ? 0.0 : value); // the outlier bar stands there
    }
    lo = std::min(lo, value);
    hi = std::max(hi, value);
  }
  if (dense)
    lines_->setData(k, v, true);
  else
    bars_->setData(k, v, true);
  outliers_->setData(ok, ov, true);
  // Among thousands of channels a bar is a fraction of a pixel: keep outliers visible.
  outliers_->setWidthType(dense ? QCPBars::wtAbsolute : QCPBars::wtPlotCoords);
  outliers_->setWidth(dense ? 3.0 : 0.8);
  // Thin bars touch when there are many channels; a pen would blot them out.
  bars_->setPen(values->size() <= 256 ? QPen(plotstyle::original().darker(130)) : QPen(Qt::NoPen));
  p->xAxis->setLabel(axistext::rows(*result_));
  setPlotTitle(tr("%1%4 — %2 channels, %3 outlier channel(s)")
                   .arg(QString::fromStdString(result_->tensorName))
                   .arg(values->size())
                   .arg(ch->outlierChannels.size())
                   .arg(rotated ? tr(", rotated R·x") : QString()));
  if (stat == Stat::AbsMax) {
    std::vector<float> sorted = *values;
    std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(sorted.size() / 2), sorted.end());
    const double threshold = kOutlierFactor * sorted[sorted.size() / 2];
    auto* line = new QCPItemStraightLine(p);
    line->setObjectName(QStringLiteral("threshold"));
    line->point1->setCoords(0, threshold);
    line->point2->setCoords(1, threshold);
    line->setPen(QPen(plotstyle::outlier(), 1, Qt::DashLine));
    line->setSelectable(false);
    hi = std::max(hi, threshold);
  }
  p->xAxis->setRange(-0.5 - 0.01 * double(values->size()),
                     double(values->size()) - 0.5 + 0.01 * double(values->size()));
  p->yAxis->setRange(lo < 0 ? lo * 1.08 : 0, hi > 0 ? hi * 1.08 : 1);
  p->replot(QCustomPlot::rpQueuedReplot);
}

void OutlierView::rebuildTable() {
  table_->setRowCount(0);
  const auto* list = currentList();
  if (!list)
    return;
  table_->setRowCount(int(list->size()));
  for (size_t i = 0; i < list->size(); ++i) {
    const TopEntry& e = (*list)[i];
    const QString cells[7] = {QString::number(i + 1),           QString::number(e.row),
                              QString::number(e.col),           plotstyle::num(e.original, 7),
                              plotstyle::num(e.dequantized, 7), plotstyle::num(e.error, 6),
                              QString::number(e.index)};
    for (int c = 0; c < 7; ++c) {
      auto* item = new QTableWidgetItem(cells[c]);
      item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      table_->setItem(int(i), c, item);
    }
  }
}

} // namespace qs
