#pragma once
// ImatrixStatsTable: what `llama-imatrix --show-statistics` prints, one row
// per imatrix entry (core/model/imatrix_stats.h), sortable by any column,
// each column's definition in its header tooltip. Self-contained: it shows
// the statistics it is given, so any view can embed it.
#include "core/model/imatrix_stats.h"

#include <QTableWidget>

#include <vector>

namespace qs {

class ImatrixStatsTable : public QTableWidget {
  Q_OBJECT
public:
  enum Column {
    Name,
    Role,
    Block,
    Elements,
    SumSquares,
    Min,
    Max,
    Mean,
    StdDev,
    Active,
    Entropy,
    EntropyNorm,
    Zd,
    CosinePrevious,
    ColumnCount
  };

  explicit ImatrixStatsTable(std::vector<ImatrixTensorStats> stats = {}, QWidget* parent = nullptr);
  void setStats(std::vector<ImatrixTensorStats> stats);
  const std::vector<ImatrixTensorStats>& stats() const { return stats_; }
  // The value a cell sorts by (the number behind its text; NaN for "–").
  static double sortValue(const QTableWidgetItem* item);

private:
  std::vector<ImatrixTensorStats> stats_;
};

} // namespace qs
