#pragma once
// ScaleMapView: the quantization scales, one per scale group, as a heat map
// over scaleShape (rows = dim 0, columns = the rest); a per-channel scale
// vector is drawn as a line instead, a single scale as a sentence. When the
// scales are stored narrower than fitted (a scale format, NVFP4's E4M3 block
// scales) the view also shows the ratio stored / fitted and, for NVFP4, the
// per-block E4M3 scale apart from the FP32 tensor scale.
#include "widgets/plots/plot_view_base.h"

class QCheckBox;
class QComboBox;
class QCPColorMap;
class QCPColorScale;

namespace qs {

class ScaleMapView : public PlotViewBase {
  Q_OBJECT
public:
  // Larger scale grids are max-pooled to this many cells per axis for drawing
  // (more than a plot has pixels; each cell costs in every replot).
  static constexpr int kMaxCells = 1024;

  explicit ScaleMapView(QWidget* parent = nullptr);
  QString title() const override { return tr("Scales"); }
  void setResult(std::shared_ptr<const QuantResult> result, std::shared_ptr<const Tensor> original) override;
  void releaseResults() override;
  QCPColorMap* colorMap() const { return map_; }
  void setLogColor(bool on);
  // Hover text for scale group (row, col) of the scale grid.
  QString groupTooltip(qint64 row, qint64 col) const;
  // What is drawn: the stored scale, stored / fitted, or NVFP4's E4M3 block scale.
  enum class Show { Stored, Ratio, BlockScale };
  void setShow(Show show);
  QComboBox* showCombo() const { return show_; }

private:
  void rebuild();
  void fillShowCombo();
  // The values drawn for the current Show (one per scale group) and their name.
  std::vector<float> shownValues(QString& name) const;
  void onMouseMove(QMouseEvent* event);

  QCheckBox* log_ = nullptr;
  QComboBox* show_ = nullptr;
  QCPColorMap* map_ = nullptr;
  QCPColorScale* scale_ = nullptr;
  std::shared_ptr<const QuantResult> result_;
  qint64 rows_ = 0, cols_ = 0;
};

} // namespace qs
