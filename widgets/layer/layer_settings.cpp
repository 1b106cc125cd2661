#include "widgets/layer/layer_settings.h"

namespace qs {

LayerOptions LayerSettings::toOptions() const {
  LayerOptions o;
  o.weight.format = weightFormat.trimmed().toStdString();
  o.weight.symmetric = !weightAsymmetric;
  Granularity g;
  g.kind = weightGranularity;
  g.axis = 0; // the weight [out, in]: channels on axis 0, groups along the input axis
  g.groupSize = groupSize;
  o.weight.granularity = g;
  o.activation.format = activationFormat.trimmed().toStdString();
  o.activation.mode = activationMode;
  o.activation.range = activationRange;
  o.smoothAlpha = smoothAlphaPercent / 100.0;
  o.calibFraction = calibFraction;
  o.seed = uint64_t(seed);
  o.gptq.actOrder = gptqActOrder;
  o.outlierRule = outlierRule;
  o.methods.clear();
  for (LayerMethod m : allLayerMethods())
    if (methods[size_t(m)])
      o.methods.push_back(m);
  return o;
}

} // namespace qs
