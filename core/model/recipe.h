#pragma once
// QuantScope's own export of a plan: "quantscope.recipe/1", one full config
// per tensor (README "Config JSON") or "keep", which the GUI and
// `quantscope-cli quantize --recipe` load back.
//   {"schema": "quantscope.recipe/1", "model": "...",
//    "tensors": [{"name": "...", "config": {...}}, {"name": "...", "keep": true}]}
#include "core/model/model_plan.h"
#include "core/quant/quant_config.h"

#include <string>
#include <vector>

namespace qs {

struct RecipeTensor {
  std::string name;
  bool keep = false;
  QuantConfig config; // unused when kept
  bool operator==(const RecipeTensor&) const = default;
};

struct Recipe {
  std::string model;
  std::vector<RecipeTensor> tensors;
  // The entry of `name`; nullptr when the recipe does not name it.
  const RecipeTensor* find(const std::string& name) const;
  bool operator==(const Recipe&) const = default;
};

// Each planned tensor's config: the plan's base config with its format.
Recipe recipeFromPlan(const ModelPlan& plan);

std::string recipeToJson(const Recipe& recipe, int indent = 2);
// Throws qs::Error naming `label` and what is wrong (not JSON, another
// schema, a missing key, a duplicate tensor, a config that does not parse).
Recipe recipeFromJson(const std::string& text, const std::string& label);

} // namespace qs
