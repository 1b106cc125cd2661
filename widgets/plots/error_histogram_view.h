#pragma once
// ErrorHistogramView: the distribution of the error x - q, as a probability
// density so pinned configurations with other bin widths overlay fairly.
#include "widgets/plots/plot_view_base.h"

class QCheckBox;

namespace qs {

class ErrorHistogramView : public PlotViewBase {
  Q_OBJECT
public:
  explicit ErrorHistogramView(QWidget* parent = nullptr);
  QString title() const override { return tr("Error histogram"); }
  QString tabTitle() const override { return tr("Error hist."); }
  void setResult(std::shared_ptr<const QuantResult> result, std::shared_ptr<const Tensor> original) override;
  void releaseResults() override;
  void setPinned(const std::vector<PinnedResult>& pinned) override;
  void setLogY(bool on);

private:
  void rebuild();

  QCheckBox* logY_ = nullptr;
  std::shared_ptr<const QuantResult> result_;
  std::vector<PinnedResult> pinned_;
};

} // namespace qs
