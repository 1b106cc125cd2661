#pragma once
// LayerOptionsPanel: the layer workbench's quantization choices (weight and
// activation formats, SmoothQuant alpha, calibration split, methods). It
// shows the Document's layer settings and turns every change into an undo
// step; a slider drag or a burst of typing in one control merges into one.
#include "core/layer/layer_compare.h"

#include <QGroupBox>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSlider;
class QSpinBox;

namespace qs {

class Document;
struct LayerSettings;

class LayerOptionsPanel : public QGroupBox {
  Q_OBJECT
public:
  explicit LayerOptionsPanel(Document* document, QWidget* parent = nullptr);

private:
  void buildWeightRow(int row);
  void buildActivationRow(int row);
  void buildCalibrationRows(int row);
  void connectEdits();
  void showSettings(const LayerSettings& settings);
  // Applies `change` to a copy of the Document's settings as one undo step.
  template <class Change> void edit(const QString& text, int mergeKey, Change change);

  Document* document_;
  QComboBox* weightFormat_ = nullptr;
  QComboBox* granularity_ = nullptr;
  QSpinBox* groupSize_ = nullptr;
  QCheckBox* asymmetric_ = nullptr;
  QComboBox* actFormat_ = nullptr;
  QComboBox* actMode_ = nullptr;
  QComboBox* actRange_ = nullptr;
  QSlider* alpha_ = nullptr;
  QLabel* alphaLabel_ = nullptr;
  QDoubleSpinBox* calibFraction_ = nullptr;
  QSpinBox* seed_ = nullptr;
  QComboBox* outlierRule_ = nullptr;
  QCheckBox* methods_[kLayerMethodCount] = {};
  QCheckBox* actOrder_ = nullptr;
};

} // namespace qs
