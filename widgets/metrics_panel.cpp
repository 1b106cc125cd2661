#include "widgets/metrics_panel.h"

#include "widgets/metric_rows.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace qs {

MetricsPanel::MetricsPanel(QWidget* parent)
    : QWidget(parent), title_(new QLabel(this)), table_(new QTableWidget(this)) {
  const auto& rows = metricRows();
  title_->setWordWrap(true);
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  table_->setColumnCount(1);
  table_->setRowCount(static_cast<int>(rows.size()));
  table_->horizontalHeader()->hide();
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  table_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionMode(QAbstractItemView::ContiguousSelection);
  for (size_t i = 0; i < rows.size(); ++i) {
    auto* header = new QTableWidgetItem(rows[i].label);
    header->setToolTip(rows[i].tooltip);
    table_->setVerticalHeaderItem(static_cast<int>(i), header);
    auto* value = new QTableWidgetItem(QStringLiteral("–"));
    value->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    value->setToolTip(rows[i].tooltip);
    table_->setItem(static_cast<int>(i), 0, value);
  }
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(title_);
  layout->addWidget(table_);
  layout->addStretch();
  setResult(nullptr);
  fitTableHeight(table_);
}

void MetricsPanel::setResult(const std::shared_ptr<const QuantResult>& result) {
  const auto& rows = metricRows();
  title_->setText(result ? QStringLiteral("<b>%1</b><br>%2")
                               .arg(QString::fromStdString(result->tensorName).toHtmlEscaped(),
                                    QString::fromStdString(result->formatLabel).toHtmlEscaped())
                         : tr("No tensor selected"));
  for (size_t i = 0; i < rows.size(); ++i) {
    QTableWidgetItem* item = table_->item(static_cast<int>(i), 0);
    item->setText(result ? rows[i].display(*result) : QStringLiteral("–"));
    const QString why = result && rows[i].notApplicable ? rows[i].notApplicable(*result) : QString();
    item->setToolTip(why.isEmpty() ? rows[i].tooltip : why); // "n/a" says why on hover
  }
}

} // namespace qs
