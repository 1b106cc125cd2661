#pragma once
// HistogramView: the histogram of the original values with the quantization
// levels as ticks, the clip thresholds as dashed lines and the dequantized
// histogram as impulses (the spikes sit on the levels); pinned configs add
// their dequantized histograms in their colours.
#include "widgets/plots/plot_view_base.h"

class QCheckBox;

namespace qs {

class HistogramView : public PlotViewBase {
  Q_OBJECT
public:
  // More levels than this (FP16, BF16, INT16) are shown as a density instead.
  static constexpr int kMaxDrawnLevels = 300;

  explicit HistogramView(QWidget* parent = nullptr);
  QString title() const override { return tr("Histogram"); }
  void setResult(std::shared_ptr<const QuantResult> result, std::shared_ptr<const Tensor> original) override;
  void releaseResults() override;
  void setPinned(const std::vector<PinnedResult>& pinned) override;

  void setLogY(bool on);
  bool logY() const;

private:
  void rebuild();

  QCheckBox* logY_ = nullptr;
  std::shared_ptr<const QuantResult> result_;
  std::vector<PinnedResult> pinned_;
};

} // namespace qs
