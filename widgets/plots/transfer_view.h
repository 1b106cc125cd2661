#pragma once
// TransferView (teaching): the quantizer's transfer function, input x ->
// dequantized q(x), of the first scale group over its clip range plus
// margins, with y = x as reference and the error q(x) - x on a second axis.
#include "widgets/plots/plot_view_base.h"

#include <vector>

namespace qs {

class TransferView : public PlotViewBase {
  Q_OBJECT
public:
  explicit TransferView(QWidget* parent = nullptr);
  QString title() const override { return tr("Transfer function"); }
  QString tabTitle() const override { return tr("Transfer"); }
  void setResult(std::shared_ptr<const QuantResult> result, std::shared_ptr<const Tensor> original) override;
  void releaseResults() override;

  // The grid of the first scale group: for uniform integer formats computed
  // as s * (k - zp) for every code k, otherwise result.levels. Sorted.
  static std::vector<double> transferLevels(const QuantResult& result);
  // Round-to-nearest onto `levels` (sorted) for x in [a, b], as step points
  // for QCPGraph::lsStepLeft: the value of point i holds until point i + 1.
  static std::vector<std::pair<double, double>> staircase(const std::vector<double>& levels, double a,
                                                          double b);

private:
  void rebuild();
  void addClampNotes(const QuantResult& r, const std::vector<double>& levels,
                     const std::vector<std::pair<double, double>>& steps);
  std::shared_ptr<const QuantResult> result_;
};

} // namespace qs
