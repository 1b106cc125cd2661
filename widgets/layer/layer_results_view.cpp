#include "widgets/layer/layer_results_view.h"

#include "core/layer/layer_compare.h"
#include "widgets/layer/layer_plots.h"
#include "widgets/plots/plot_style.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace qs {

namespace {

QString pct(double v) {
  return QString::number(100.0 * v, 'f', 3);
}

} // namespace

LayerResultsView::LayerResultsView(QWidget* parent) : QWidget(parent) {
  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  buildTable();
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(summary_);
  layout->addWidget(table_, 1);
}

void LayerResultsView::buildTable() {
  table_ = new QTableWidget(0, 9, this);
  table_->setHorizontalHeaderLabels({tr("Method"), tr("out MSE"), tr("SQNR dB"), tr("cosine"),
                                     tr("max |err|"), tr("W MSE"), tr("W SQNR dB"), tr("X clip %"),
                                     tr("ms")});
  const char* keys[9] = {"",    "mse",    "sqnrDb",          "cosine", "maxAbsError",
                         "mse", "sqnrDb", "clippedFraction", ""};
  for (int c = 0; c < 9; ++c)
    if (keys[c][0])
      table_->horizontalHeaderItem(c)->setToolTip(plotstyle::metricDefinition(keys[c]));
  table_->horizontalHeaderItem(1)->setToolTip(tr("Output Y vs the float output on held-out tokens. ") +
                                              plotstyle::metricDefinition("mse"));
  table_->horizontalHeaderItem(5)->setToolTip(tr("Effective weight Q(W s)/s vs W. ") +
                                              plotstyle::metricDefinition("mse"));
  table_->horizontalHeaderItem(7)->setToolTip(
      tr("Held-out activation values outside the static range calibrated on the calibration tokens"));
  table_->verticalHeader()->setVisible(false);
  // Rows one text line high, so five methods fit without taking the plots' room at 1366 × 768.
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  // The method names give way (elided, full text in the tooltip) before the numbers do.
  table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  table_->setMinimumHeight(table_->horizontalHeader()->sizeHint().height() +
                           5 * table_->verticalHeader()->defaultSectionSize() + 2 * table_->frameWidth());
}

void LayerResultsView::showReport(const LayerReport& r, const QString& source, const QString& how) {
  QString outliers;
  for (size_t i = 0; i < r.calibration.outlierChannels.size() && i < 10; ++i)
    outliers += (i ? ", " : "") + QString::number(r.calibration.outlierChannels[i]);
  if (r.calibration.outlierChannels.size() > 10)
    outliers += ", …";
  summary_->setText(tr("<b>%1</b>: W [%2, %3], X %4<br>%5 calibration / %6 held-out tokens · weights %7 · "
                       "activations %8 · outlier channels: %9")
                        .arg(source.toHtmlEscaped())
                        .arg(r.outFeatures)
                        .arg(r.inFeatures)
                        .arg(how.toHtmlEscaped())
                        .arg(r.calibrationTokens)
                        .arg(r.evaluationTokens)
                        .arg(QString::fromStdString(r.weightLabel).toHtmlEscaped())
                        .arg(QString::fromStdString(r.activationLabel).toHtmlEscaped())
                        .arg(outliers.isEmpty() ? tr("none") : outliers));
  fillTable(r);
}

void LayerResultsView::fillTable(const LayerReport& r) {
  table_->setRowCount(int(r.methods.size()));
  double best = -1e300;
  for (const auto& m : r.methods)
    if (m.error.empty())
      best = std::max(best, m.output.sqnrDb);
  for (int i = 0; i < int(r.methods.size()); ++i) {
    const LayerMethodResult& m = r.methods[size_t(i)];
    if (!m.error.empty()) {
      auto* name = new QTableWidgetItem(QString::fromStdString(m.label));
      name->setForeground(methodColor(m.method));
      name->setToolTip(name->text());
      table_->setItem(i, 0, name);
      auto* err = new QTableWidgetItem(tr("cannot run: %1").arg(QString::fromStdString(m.error)));
      err->setToolTip(err->text());
      table_->setItem(i, 1, err);
      table_->setSpan(i, 1, 1, 8);
      continue;
    }
    table_->setSpan(i, 1, 1, 1);
    const QString cells[9] = {QString::fromStdString(m.label),
                              plotstyle::num(m.output.mse),
                              QString::number(m.output.sqnrDb, 'f', 2),
                              QString::number(m.output.cosine, 'f', 6),
                              plotstyle::num(m.output.maxAbsError),
                              plotstyle::num(m.weight.mse),
                              QString::number(m.weight.sqnrDb, 'f', 2),
                              m.actCount ? pct(double(m.actClipped) / double(m.actCount)) : QString("–"),
                              QString::number(m.ms, 'f', 0)};
    for (int c = 0; c < 9; ++c) {
      auto* item = new QTableWidgetItem(cells[c]);
      if (c > 0)
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      if (c == 0) {
        item->setForeground(methodColor(m.method));
        item->setToolTip(cells[c]);
      }
      if (c == 2 && m.output.sqnrDb == best) {
        QFont f = item->font();
        f.setBold(true);
        item->setFont(f);
      }
      table_->setItem(i, c, item);
    }
  }
}

} // namespace qs
