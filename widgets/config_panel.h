#pragma once
// ConfigPanel: edits a QuantConfig. It never owns the config: the Document
// does. Every user edit emits configEdited(new config, undo text, merge key);
// setConfig() shows a config without emitting anything, so undo/redo and
// loading a JSON file flow back into the controls. A slider drag carries one
// merge key from press to release, so the whole drag is one undo step.
#include "core/quant/quant_config.h"
#include "core/tensor.h"

#include <QWidget>

#include <optional>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLayout;
class QGroupBox;
class QLabel;
class QSlider;
class QSpinBox;

namespace qs {

class HqqControls;

class ConfigPanel : public QWidget {
  Q_OBJECT
public:
  explicit ConfigPanel(QWidget* parent = nullptr);

  void setConfig(const QuantConfig& config);
  const QuantConfig& config() const { return config_; }
  // The selected tensor's rank bounds the axis spin box.
  void setTensorRank(int rank);
  // The selected tensor (none: nullopt) bounds the axis and is what the
  // problem line checks the config against.
  // `layout` names the axis that "auto" stands for (Tensor::layout).
  void setTensorShape(const std::optional<Shape>& shape, const AxisLayout& layout = {});
  // The axis spin box's value for "auto" (shown as "auto (N)").
  static constexpr int kAxisSpinAuto = -1;

  // Percentile <-> slider position (0..kSliderSteps): a "nines" scale, so the
  // range 90 .. 99.999 is spread evenly by -log10(100 - p).
  static constexpr int kSliderSteps = 1000;
  static int percentileToSlider(double percentile);
  static double sliderToPercentile(int position);

  // For tests: the controls.
  QComboBox* formatCombo() const { return format_; }
  QSpinBox* bitsSpin() const { return bits_; }
  QComboBox* symmetryCombo() const { return symmetric_; }
  QComboBox* granularityCombo() const { return granularity_; }
  QSpinBox* axisSpin() const { return axis_; }
  QSpinBox* groupSizeSpin() const { return groupSize_; }
  QSpinBox* blockRowsSpin() const { return blockRows_; }
  QSpinBox* blockColsSpin() const { return blockCols_; }
  QComboBox* clipCombo() const { return clip_; }
  QDoubleSpinBox* percentileSpin() const { return percentile_; }
  QSlider* percentileSlider() const { return percentileSlider_; }
  QCheckBox* twoSidedCheck() const { return twoSided_; }
  QDoubleSpinBox* fixedMinSpin() const { return fixedMin_; }
  QDoubleSpinBox* fixedMaxSpin() const { return fixedMax_; }
  QComboBox* roundingCombo() const { return rounding_; }
  QComboBox* rotationCombo() const { return rotation_; }
  QComboBox* scaleFormatCombo() const { return scaleFormat_; }
  // What configProblems (core/quant/config_check.h) finds; hidden when nothing.
  QLabel* problemsLabel() const { return problems_; }

signals:
  void configEdited(const qs::QuantConfig& config, const QString& text, int mergeKey);

private:
  void buildFormatCombo();
  QLayout* buildBlockControls(); // the R x C spin boxes of block granularity
  void showConfig();             // config_ -> controls (signals blocked)
  void updateEnabled();          // which controls apply to the format/granularity/clipping
  void showProblems();
  // The granularity the format uses when the config names none (nullopt: unknown format).
  static std::optional<Granularity>
  formatDefault(const QuantConfig& config); // config_ and shape_ -> problems_
  void edit(const QuantConfig& config, const QString& text, int mergeKey = 0);
  std::vector<QWidget*> clippingWidgets() const; // in the order of clipTips_

  QuantConfig config_;
  int rank_ = 2;
  std::optional<Shape> shape_;
  AxisLayout layout_;
  int dragKey_ = 0; // merge key of the slider drag in progress (0 = none)
  int nextDragKey_ = 1;

  QComboBox* format_;
  QLabel* formatInfo_;
  QSpinBox* bits_;
  QComboBox* symmetric_;
  QComboBox* granularity_;
  QSpinBox* axis_;
  QSpinBox* groupSize_;
  QSpinBox* blockRows_ = nullptr; // block granularity: the tile, R x C
  QSpinBox* blockCols_ = nullptr;
  QComboBox* clip_;
  QDoubleSpinBox* percentile_;
  QSlider* percentileSlider_;
  QCheckBox* twoSided_;
  QDoubleSpinBox* fixedMin_;
  QDoubleSpinBox* fixedMax_;
  HqqControls* hqq_;
  // Rows shown only when their setting is chosen (block tiles, HQQ's solver),
  // so the panel fits a 1366 × 768 screen.
  QFormLayout* scaleForm_ = nullptr;
  QFormLayout* clipForm_ = nullptr;
  QLayout* blockRow_ = nullptr;
  QComboBox* rounding_;
  QSpinBox* seed_;
  QLabel* problems_;
  QComboBox* rotation_ = nullptr; // QuantConfig::rotation
  QComboBox* scaleFormat_;        // how each fitted scale is stored (QuantConfig::scaleFormat)
  std::vector<QString> clipTips_; // the clipping widgets' own tooltips
};

} // namespace qs
