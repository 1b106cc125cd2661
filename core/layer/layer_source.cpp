#include "core/layer/layer_source.h"

#include "core/error.h"

namespace qs {

std::vector<LayerPair> findLayerPairs(const TensorSource& source) {
  std::vector<LayerPair> pairs;
  const auto& entries = source.list();
  const std::string weightLeaf = "weight";
  for (const TensorEntry& e : entries) {
    const std::string& n = e.name;
    if (n.size() < weightLeaf.size() ||
        n.compare(n.size() - weightLeaf.size(), weightLeaf.size(), weightLeaf) != 0)
      continue;
    const std::string prefix = n.substr(0, n.size() - weightLeaf.size());
    if (!prefix.empty() && prefix.back() != '/' && prefix.back() != '.' && prefix.back() != '_')
      continue;
    for (const char* leaf : {"input", "inputs", "x", "activations"}) {
      if (source.find(prefix + leaf)) {
        pairs.push_back({prefix, n, prefix + leaf});
        break;
      }
    }
  }
  return pairs;
}

LayerOperands loadLayerOperands(const TensorSource& weightSource, const std::string& weightName,
                                const TensorSource& inputSource, const std::string& inputName,
                                ActivationLayout layout, const std::atomic<bool>* cancel) {
  if (!weightSource.find(weightName))
    throw Error("no tensor '" + weightName + "' in " + weightSource.path().string());
  if (!inputSource.find(inputName))
    throw Error("no tensor '" + inputName + "' in " + inputSource.path().string());
  LayerOperands ops;
  ops.weight = linearWeight(weightSource.read(weightName, cancel));
  ops.input = flattenActivations(inputSource.read(inputName, cancel), ops.weight.shape[1], layout);
  return ops;
}

} // namespace qs
