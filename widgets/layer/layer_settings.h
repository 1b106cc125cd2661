#pragma once
// LayerSettings: everything the layer workbench's controls choose, held by the
// Document so edits are undo steps. Operands are named by file path and entry
// (indices shift when files close); formats stay text so a typo survives until
// a run reports it. LayerTensors: W and X as read, before shaping.
#include "core/layer/layer_compare.h"
#include "core/tensor.h"

#include <QMetaType>
#include <QString>

#include <array>

namespace qs {

struct LayerSettings {
  QString weightPath, weightName; // empty name: the synthetic demo layer
  QString inputPath, inputName;
  QString weightFormat = QStringLiteral("int4");
  GranularityKind weightGranularity = GranularityKind::Group;
  int groupSize = 128;
  bool weightAsymmetric = false;
  QString activationFormat = QStringLiteral("float");
  ActMode activationMode = ActMode::Static;
  ActRange activationRange = ActRange::MinMax;
  int smoothAlphaPercent = 50;
  double calibFraction = 0.5;
  int seed = 0;
  bool gptqActOrder = false;
  OutlierRule outlierRule = OutlierRule::MedianRatio;
  std::array<bool, kLayerMethodCount> methods = {true, true, true, true, true}; // indexed by LayerMethod

  bool usesDemoLayer() const { return weightName.isEmpty(); }
  // The core's options; the format names are checked by the run, not here.
  LayerOptions toOptions() const;
  bool operator==(const LayerSettings&) const = default;
};

struct LayerTensors {
  Tensor weight, input;
  QString weightName, inputName;
};

} // namespace qs

Q_DECLARE_METATYPE(qs::LayerSettings)
