#include "widgets/imatrix_stats_table.h"

#include "widgets/plots/plot_style.h"

#include <QHeaderView>

#include <cmath>
#include <limits>

namespace qs {

namespace {

constexpr int kSortRole = Qt::UserRole;

// Sorts by the number behind the text; text cells (names, roles) by text.
class Cell : public QTableWidgetItem {
public:
  Cell(const QString& text, double value) : QTableWidgetItem(text) {
    setData(kSortRole, value);
    setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  }
  explicit Cell(const QString& text) : QTableWidgetItem(text) {}
  bool operator<(const QTableWidgetItem& other) const override {
    const QVariant a = data(kSortRole), b = other.data(kSortRole);
    if (!a.isValid() || !b.isValid())
      return QTableWidgetItem::operator<(other);
    const double x = a.toDouble(), y = b.toDouble();
    if (std::isnan(x) || std::isnan(y)) // "–" (no previous block) sorts first
      return std::isnan(x) && !std::isnan(y);
    return x < y;
  }
};

struct ColumnText {
  const char* header;
  const char* tooltip;
};

// The definitions of llama.cpp's --show-statistics, on a = E[x²] per input column.
const ColumnText kColumns[ImatrixStatsTable::ColumnCount] = {
    {"tensor", "the weight tensor the imatrix entry belongs to"},
    {"role", "what the tensor is in its block (from its name)"},
    {"block", "the transformer block (– outside blocks)"},
    {"N", "values a: input columns × experts that saw tokens; a = E[x²], the mean square of the column's "
          "activation over the calibration tokens"},
    {"Σ(act²)", "Σ a: the total mean square activation of the tensor's inputs"},
    {"min", "the smallest a"},
    {"max", "the largest a"},
    {"mean", "Σ a / N"},
    {"std", "population standard deviation of a"},
    {"% active", "share of a above 1e-5: columns that carried signal"},
    {"entropy", "−Σ p log2 p with p = a / Σ a, in bits: how evenly the activation energy spreads over the "
                "columns"},
    {"E(norm)", "entropy / log2 N: 1 when every column carries the same energy, small when a few dominate"},
    {"ZD", "share of a more than one standard deviation above the mean (Z-score distribution)"},
    {"cos prev", "cosine of the raw sums Σx² with those of the same tensor in the previous block (– when "
                 "there is none or its size differs): near 1, the blocks see alike inputs"},
};

} // namespace

ImatrixStatsTable::ImatrixStatsTable(std::vector<ImatrixTensorStats> stats, QWidget* parent)
    : QTableWidget(parent) {
  setObjectName(QStringLiteral("imatrixStats"));
  setColumnCount(ColumnCount);
  for (int c = 0; c < ColumnCount; ++c) {
    auto* item = new QTableWidgetItem(tr(kColumns[c].header));
    item->setToolTip(tr(kColumns[c].tooltip));
    setHorizontalHeaderItem(c, item);
  }
  verticalHeader()->setVisible(false);
  setEditTriggers(QAbstractItemView::NoEditTriggers);
  setSelectionBehavior(QAbstractItemView::SelectRows);
  setAlternatingRowColors(true);
  horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  horizontalHeader()->setSectionResizeMode(Name, QHeaderView::Interactive);
  horizontalHeader()->setStretchLastSection(true);
  setSortingEnabled(true);
  setStats(std::move(stats));
}

double ImatrixStatsTable::sortValue(const QTableWidgetItem* item) {
  const QVariant v = item ? item->data(kSortRole) : QVariant();
  return v.isValid() ? v.toDouble() : std::numeric_limits<double>::quiet_NaN();
}

void ImatrixStatsTable::setStats(std::vector<ImatrixTensorStats> stats) {
  stats_ = std::move(stats);
  setSortingEnabled(false); // rows stay put while they are filled
  clearContents();
  setRowCount(int(stats_.size()));
  for (int r = 0; r < int(stats_.size()); ++r) {
    const ImatrixTensorStats& s = stats_[size_t(r)];
    auto* name = new Cell(QString::fromStdString(s.name));
    name->setToolTip(QString::fromStdString(s.name));
    setItem(r, Name, name);
    setItem(r, Role, new Cell(QString::fromStdString(s.role.role)));
    setItem(r, Block,
            new Cell(s.role.block < 0 ? QStringLiteral("–") : QString::number(s.role.block),
                     double(s.role.block)));
    setItem(r, Elements, new Cell(QString::number(s.elements), double(s.elements)));
    const std::pair<Column, double> numbers[] = {{SumSquares, s.sumSquares},
                                                 {Min, s.min},
                                                 {Max, s.max},
                                                 {Mean, s.mean},
                                                 {StdDev, s.stdDev},
                                                 {Entropy, s.entropy},
                                                 {EntropyNorm, s.entropyNormalised}};
    for (const auto& [column, value] : numbers)
      setItem(r, column, new Cell(plotstyle::num(value, 5), value));
    setItem(r, Active, new Cell(QString::number(100 * s.activeFraction, 'f', 2), 100 * s.activeFraction));
    setItem(r, Zd, new Cell(QString::number(100 * s.zdScore, 'f', 2) + QStringLiteral("%"), 100 * s.zdScore));
    auto* cos = new Cell(s.previous.empty() ? QStringLiteral("–") : QString::number(s.cosinePrevious, 'f', 4),
                         s.previous.empty() ? std::numeric_limits<double>::quiet_NaN() : s.cosinePrevious);
    if (!s.previous.empty())
      cos->setToolTip(tr("against %1").arg(QString::fromStdString(s.previous)));
    setItem(r, CosinePrevious, cos);
  }
  setSortingEnabled(true);
  resizeColumnToContents(Name);
}

} // namespace qs
