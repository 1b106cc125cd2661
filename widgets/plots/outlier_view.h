#pragma once
// OutlierView: per-channel statistics as bars (abs max, std or kurtosis) with
// the outlier channels (abs max > 6 x median) in a contrasting colour, and a
// top-k table of the largest errors or magnitudes. Clicking a bar or a row
// emits locateRequested(row, col) so the error map centres there. With an
// imatrix, the per-input-column panel (imatrix_columns_panel.h) sits between.
#include "core/io/imatrix.h"
#include "widgets/plots/plot_view_base.h"

class QComboBox;
class QSplitter;
class QCPBars;
class QCPGraph;
class QTableWidget;

namespace qs {

class ImatrixColumnsPanel;

class OutlierView : public PlotViewBase {
  Q_OBJECT
public:
  enum class Stat { AbsMax, StdDev, Kurtosis };
  enum class TopList { Errors, Magnitudes };
  // The core's outlier rule, drawn as a dashed line in abs-max mode.
  static constexpr double kOutlierFactor = 6.0;
  // More channels than this are drawn as 1 px lines instead of bars (bars
  // cost per channel: 3 ms for 4096, more for embeddings).
  static constexpr int kMaxBars = 1024;

  explicit OutlierView(QWidget* parent = nullptr);
  QString title() const override { return tr("Outliers"); }
  void setResult(std::shared_ptr<const QuantResult> result, std::shared_ptr<const Tensor> original) override;
  void releaseResults() override;
  QList<QWidget*> exportables() override;
  // The imatrix panel computes on its own worker: caught up when it is idle.
  bool isCaughtUp() const override;

  // The loaded imatrix (null: none); the panel shows the current tensor's entry.
  void setImatrix(std::shared_ptr<const Imatrix> imatrix);
  ImatrixColumnsPanel* imatrixPanel() const { return imatrix_; }

  void setStat(Stat stat);
  void setTopList(TopList list);
  // With QuantConfig::rotation: the channel statistics of the rotated input.
  void setRotatedBasis(bool rotated);
  QTableWidget* table() const { return table_; }
  QCPBars* channelBars() const { return bars_; }
  QCPGraph* channelLines() const { return lines_; } // the channels beyond kMaxBars
  QCPBars* outlierBars() const { return outliers_; }
  // What a click on channel `channel`'s bar locates: that channel's worst
  // listed element, or (channel, -1) when the top-k lists have none.
  std::pair<qint64, qint64> locateForChannel(qint64 channel) const;

private:
  void rebuildPlot();
  void rebuildTable();
  const std::vector<TopEntry>* currentList() const;

  QComboBox* statBox_ = nullptr;
  QComboBox* listBox_ = nullptr;
  QComboBox* basisBox_ = nullptr; // channel statistics of x or of the rotated R·x
  QTableWidget* table_ = nullptr;
  QCPBars* bars_ = nullptr;
  QCPBars* outliers_ = nullptr;
  QCPGraph* lines_ = nullptr;
  QSplitter* splitter_ = nullptr;
  ImatrixColumnsPanel* imatrix_ = nullptr;
  bool imatrixShown_ = false; // the panel shows its plot (else one line)
  std::shared_ptr<const QuantResult> result_;
};

} // namespace qs
