#pragma once
// The layer workbench's work on the worker thread: shape the operands the
// Document read (or make the synthetic demo layer) and compare the methods,
// reporting each method's start as progress.
#include "core/layer/layer_compare.h"
#include "widgets/layer/layer_settings.h"

#include <QString>

#include <memory>

namespace qs {

class JobControl;

struct LayerRun {
  std::shared_ptr<const LayerReport> report;
  QString how;    // how X was flattened
  QString source; // "W × X" or "demo layer"
};

// operands null: the demo layer. Throws qs::Error (shapes that do not match,
// unknown formats) and qs::Cancelled.
LayerRun compareLayer(const std::shared_ptr<const LayerTensors>& operands, const LayerOptions& options,
                      JobControl& job);

} // namespace qs
