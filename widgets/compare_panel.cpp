#include "widgets/compare_panel.h"

#include "widgets/document.h"
#include "widgets/metric_rows.h"
#include "widgets/plots/plot_style.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace qs {

namespace {

QIcon swatch(const QColor& color) {
  QPixmap pixmap(12, 12);
  pixmap.fill(Qt::transparent);
  QPainter painter(&pixmap);
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setBrush(color);
  painter.setPen(color.darker(140));
  painter.drawRoundedRect(QRectF(0.5, 0.5, 11, 11), 2, 2);
  return QIcon(pixmap);
}

} // namespace

QColor ComparePanel::currentColor() {
  return plotstyle::dequantized();
}

ComparePanel::ComparePanel(Document* document, QWidget* parent)
    : QWidget(parent), document_(document), table_(new QTableWidget(this)), note_(new QLabel(this)),
      pin_(new QPushButton(tr("Pin current"), this)), unpin_(new QPushButton(tr("Unpin"), this)),
      clear_(new QPushButton(tr("Clear"), this)) {
  pin_->setToolTip(
      tr("Keep the current config to compare against (up to %1), Ctrl+P").arg(Document::kMaxPins));
  unpin_->setToolTip(tr("Remove the selected pinned column"));
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectColumns);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  table_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->setWordWrap(true);
  note_->setWordWrap(true);
  note_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  note_->setForegroundRole(QPalette::PlaceholderText);
  note_->hide();
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(pin_);
  buttons->addWidget(unpin_);
  buttons->addWidget(clear_);
  buttons->addStretch();
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(buttons);
  layout->addWidget(table_);
  layout->addWidget(note_);
  layout->addStretch();

  connect(pin_, &QPushButton::clicked, document_, &Document::pinCurrent);
  connect(clear_, &QPushButton::clicked, document_, &Document::clearPins);
  connect(unpin_, &QPushButton::clicked, this, [this] {
    const int column = table_->currentColumn();
    if (column >= 1)
      document_->unpin(column - 1);
  });
  connect(table_, &QTableWidget::currentCellChanged, this, &ComparePanel::updateButtons);
  connect(document_, &Document::pinsChanged, this, &ComparePanel::updateButtons);
  connect(document_, &Document::configChanged, this, &ComparePanel::updateButtons);
  setColumns({}, {});
}

void ComparePanel::updateButtons() {
  const auto& pins = document_->pins();
  bool pinned = false;
  for (const PinnedConfig& pin : pins)
    pinned = pinned || pin.config == document_->config();
  pin_->setEnabled(static_cast<int>(pins.size()) < Document::kMaxPins && !pinned);
  unpin_->setEnabled(table_->currentColumn() >= 1);
  clear_->setEnabled(!pins.empty());
}

void ComparePanel::setColumns(const CompareColumn& current, const std::vector<CompareColumn>& pinned) {
  const auto& rows = metricRows();
  const auto& pins = document_->pins();
  const int rowCount = static_cast<int>(rows.size());
  const int columns = 1 + static_cast<int>(pins.size());
  // Items are created once per cell and then only their text changes: this
  // runs on every config change.
  if (table_->rowCount() != rowCount) {
    table_->setRowCount(rowCount);
    for (int r = 0; r < rowCount; ++r) {
      auto* header = new QTableWidgetItem(rows[size_t(r)].label);
      header->setToolTip(rows[size_t(r)].tooltip);
      table_->setVerticalHeaderItem(r, header);
    }
  }
  fitTableHeight(table_);
  const int oldColumns = table_->columnCount();
  table_->setColumnCount(columns);
  for (int c = oldColumns; c < columns; ++c) {
    table_->setHorizontalHeaderItem(c, new QTableWidgetItem);
    for (int r = 0; r < rowCount; ++r) {
      auto* item = new QTableWidgetItem;
      item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      table_->setItem(r, c, item);
    }
  }

  std::vector<CompareColumn> all{current};
  QStringList notes;
  QTableWidgetItem* head = table_->horizontalHeaderItem(0);
  if (head->text().isEmpty()) {
    head->setIcon(swatch(currentColor()));
    head->setText(tr("Current"));
  }
  head->setToolTip(current.result ? QString::fromStdString(current.result->formatLabel)
                                  : current.notApplicable);
  if (!current.notApplicable.isEmpty())
    notes << tr("Current config refused: %1").arg(current.notApplicable);
  for (size_t p = 0; p < pins.size(); ++p) {
    all.push_back(p < pinned.size() ? pinned[p] : CompareColumn{nullptr, QString(), true});
    const QString& refusal = all.back().notApplicable;
    QTableWidgetItem* item = table_->horizontalHeaderItem(static_cast<int>(p) + 1);
    const QString text = pins[p].shortLabel();
    const QString tip =
        refusal.isEmpty() ? pins[p].label : tr("%1\nnot applicable: %2").arg(pins[p].label, refusal);
    if (item->text() != text || item->toolTip() != tip) {
      item->setIcon(swatch(refusal.isEmpty() ? pins[p].color : palette().color(QPalette::PlaceholderText)));
      item->setText(text);
      item->setToolTip(tip);
    }
    if (!refusal.isEmpty())
      notes << tr("%1 not applicable: %2").arg(text, refusal);
  }
  const QBrush normal = palette().brush(QPalette::Text);
  const QBrush greyed = palette().brush(QPalette::PlaceholderText);
  for (int r = 0; r < rowCount; ++r) {
    const MetricRow& row = rows[size_t(r)];
    // The best value of the row is bold when there is more than one column.
    double best = std::nan("");
    for (const CompareColumn& column : all) {
      if (!column.result || row.better == MetricRow::Better::None)
        continue;
      const double v = row.value(*column.result);
      if (std::isnan(best) || (row.better == MetricRow::Better::Lower ? v < best : v > best))
        best = v;
    }
    for (int c = 0; c < columns; ++c) {
      const CompareColumn& column = all[size_t(c)];
      const QuantResult* result = column.result.get();
      QTableWidgetItem* item = table_->item(r, c);
      const bool refused = !result && !column.notApplicable.isEmpty();
      item->setText(result             ? row.display(*result)
                    : refused          ? tr("n/a")
                    : column.computing ? QStringLiteral("…")
                                       : QStringLiteral("–"));
      const QString why = result && row.notApplicable ? row.notApplicable(*result) : QString();
      item->setToolTip(refused ? tr("not applicable: %1").arg(column.notApplicable)
                               : (why.isEmpty() ? row.tooltip : why));
      item->setForeground(refused ? greyed : normal);
      const bool bold = result && columns > 1 && row.value(*result) == best;
      if (item->font().bold() != bold) {
        QFont font = item->font();
        font.setBold(bold);
        item->setFont(font);
      }
    }
  }
  note_->setText(notes.join(QLatin1Char('\n')));
  note_->setVisible(!notes.isEmpty());
  updateButtons();
}

} // namespace qs
