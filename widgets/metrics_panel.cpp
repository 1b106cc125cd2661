#include "widgets/metrics_panel.h"

#include "widgets/metric_rows.h"
#include "widgets/plots/rotation_overlay.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace qs {

MetricsPanel::MetricsPanel(QWidget* parent)
    : QWidget(parent), title_(new QLabel(this)), note_(new QLabel(this)), table_(new QTableWidget(this)) {
  const auto& rows = metricRows();
  title_->setWordWrap(true);
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  note_->setObjectName(QStringLiteral("metricsNote"));
  note_->setWordWrap(true);
  note_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  note_->setForegroundRole(QPalette::PlaceholderText);
  note_->hide();
  rotation_ = new QLabel(this);
  rotation_->setObjectName(QStringLiteral("rotationSummary"));
  rotation_->setWordWrap(true);
  rotation_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  rotation_->setToolTip(tr("The format quantized the rotated tensor R·x; the metrics above compare x with "
                           "R^T·q(R·x), in the original basis"));
  rotation_->hide();
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
  layout->addWidget(note_);
  layout->addWidget(table_);
  layout->addWidget(rotation_);
  layout->addStretch();
  setResult(nullptr);
  fitTableHeight(table_);
}

void MetricsPanel::setResult(const std::shared_ptr<const QuantResult>& result, const QString& refusal) {
  const auto& rows = metricRows();
  title_->setText(result ? QStringLiteral("<b>%1</b><br>%2")
                               .arg(QString::fromStdString(result->tensorName).toHtmlEscaped(),
                                    QString::fromStdString(result->formatLabel).toHtmlEscaped())
                  : refusal.isEmpty() ? tr("No tensor selected")
                                      : tr("Config refused: %1").arg(refusal).toHtmlEscaped());
  const QString note = result ? smallTensorNote(*result) : QString();
  note_->setText(note);
  note_->setVisible(!note.isEmpty());
  const QString rotation = result ? rotationSummary(*result) : QString();
  rotation_->setText(rotation);
  rotation_->setVisible(!rotation.isEmpty());
  fitNote();
  for (size_t i = 0; i < rows.size(); ++i) {
    QTableWidgetItem* item = table_->item(static_cast<int>(i), 0);
    item->setText(result ? rows[i].display(*result) : QStringLiteral("–"));
    const QString why = result && rows[i].notApplicable ? rows[i].notApplicable(*result) : QString();
    item->setToolTip(why.isEmpty() ? rows[i].tooltip : why); // "n/a" says why on hover
  }
}

void MetricsPanel::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  fitNote();
}

void MetricsPanel::fitNote() {
  // A wrapped label's minimum height ignores its wrapping: ask for the lines it
  // takes at this width, so the dock makes room instead of hiding table rows.
  const int width = note_->width() > 0 ? note_->width() : contentsRect().width() - 8;
  note_->setMinimumHeight(note_->isVisibleTo(this) ? note_->heightForWidth(width) : 0);
  rotation_->setMinimumHeight(rotation_->isVisibleTo(this) ? rotation_->heightForWidth(width) : 0);
}

QString MetricsPanel::smallTensorNote(const QuantResult& result) {
  // Biases and norm weights: a few values each, usually left in high precision.
  constexpr int64_t kSmall = 65536;
  const int64_t n = shapeNumel(result.shape);
  if (result.shape.size() > 1 || n > kSmall)
    return {};
  const double scaleBits = result.metrics.bitsPerElement - result.codeBits;
  const QString what = tr("1-D tensor of %1 values").arg(n);
  if (result.codeBits > 0 && scaleBits >= result.codeBits)
    return tr("%1: scales cost more bits than the values (%2 of %3 bits per element); biases and "
              "norms are usually kept in high precision")
        .arg(what)
        .arg(scaleBits, 0, 'f', 1)
        .arg(result.metrics.bitsPerElement, 0, 'f', 1);
  return tr("%1: biases and norms like this are usually kept in high precision, and metrics over so "
            "few values say little about the model")
      .arg(what);
}

} // namespace qs
