#include "widgets/layer/layer_comparison.h"

#include "core/layer/layer_input.h"
#include "core/layer/synthetic_layer.h"
#include "widgets/background_job.h"

#include <QObject>

#include <algorithm>

namespace qs {

LayerRun compareLayer(const std::shared_ptr<const LayerTensors>& operands, const LayerOptions& options,
                      JobControl& job) {
  LayerRun run;
  Tensor weight, tokens;
  if (!operands) {
    SyntheticLayer layer = makeSyntheticLayer(SyntheticLayerSpec{});
    weight = std::move(layer.weight);
    FlatActivations flat = flattenActivations(layer.input, weight.shape[1], ActivationLayout::Tokens);
    tokens = std::move(flat.tokens);
    run.how = QString::fromStdString(flat.how);
    run.source = QObject::tr("demo layer");
  } else {
    weight = linearWeight(operands->weight);
    FlatActivations flat = flattenActivations(operands->input, weight.shape[1], ActivationLayout::Auto);
    tokens = std::move(flat.tokens);
    run.how = QString::fromStdString(flat.how);
    run.source = operands->weightName + QStringLiteral(" × ") + operands->inputName;
  }
  auto progress = [&job](int step, int steps, const std::string& what) {
    job.progress(
        double(step) / std::max(steps, 1),
        QObject::tr("Running %1 (%2 of %3)…").arg(QString::fromStdString(what)).arg(step + 1).arg(steps));
  };
  run.report = std::make_shared<const LayerReport>(
      runLayerComparison(weight, tokens, options, job.cancelFlag(), progress));
  return run;
}

} // namespace qs
