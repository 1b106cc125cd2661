#pragma once
// CompareView: the current config and the pinned ones side by side: a metric
// table (definitions as tooltips, the best value of each row in bold) and
// their |error| distributions overlaid as cumulative curves, so "which config
// keeps 99 % of the elements below 0.01" reads straight off the plot.
#include "widgets/plots/plot_view_base.h"

class QTableWidget;

namespace qs {

class CompareView : public PlotViewBase {
  Q_OBJECT
public:
  explicit CompareView(QWidget* parent = nullptr);
  QString title() const override { return tr("Compare"); }
  void setResult(std::shared_ptr<const QuantResult> result, std::shared_ptr<const Tensor> original) override;
  void releaseResults() override;
  void setPinned(const std::vector<PinnedResult>& pinned) override;
  QList<QWidget*> exportables() override;
  QTableWidget* table() const { return table_; }

  // Fraction of elements with |x - q| <= e, from an error histogram: each
  // bin counts at its largest |error| (exact to one bin width). Points are
  // (e, fraction), e ascending, fraction ending at 1.
  static std::vector<std::pair<double, double>> absErrorCdf(const Histogram& errorHistogram);

private:
  void rebuild();
  QTableWidget* table_ = nullptr;
  std::shared_ptr<const QuantResult> result_;
  std::vector<PinnedResult> pinned_;
};

} // namespace qs
