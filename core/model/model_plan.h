#pragma once
// A plan for a scanned model: the request (candidate formats, budget, pins,
// kept tensors) turned into plan items from a scan (core/model/scan.h), solved
// (core/model/plan.h) and named back, with JSON "quantscope.plan/1".
#include "core/model/plan.h"
#include "core/model/scan.h"

#include <optional>
#include <string>
#include <vector>

namespace qs {

struct PlanPin {
  std::string regex;  // ECMAScript, searched in the tensor name
  std::string format; // the only candidate for the tensors it matches
};

struct PlanRequest {
  std::vector<std::string> formats;          // candidates among the scan's; empty: all of them
  std::optional<double> targetBitsPerWeight; // exactly one of the two targets
  std::optional<double> targetBytes;
  std::vector<PlanPin> pins;
  std::vector<std::string> keeps; // regexes: tensors kept at their stored size
  bool weighted = true;           // use weightedSse when the scan has an imatrix
};

struct TensorChoice {
  std::string name;
  std::string format; // empty: kept at its stored dtype
  int64_t params = 0;
  double bits = 0; // the tensor's storage in the plan
  double error = 0;
};

struct ModelPlan {
  std::string model;
  QuantConfig base; // the scan's base config: with `format` it is each tensor's config
  bool weighted = false;
  double bitsPerWeight = 0, totalBytes = 0, totalError = 0;
  double lowerBound = 0, greedyError = 0;
  std::vector<TensorChoice> tensors; // in scan order
  std::vector<ParetoPoint> pareto;   // in bits per weight (x) and total error (y)
};

// Every tensor of the scan counts in the budget: the kept ones (the scan's and
// the request's) at storedBytes · 8. A pin applies to tensors the scan
// quantized; the first pin whose regex is found in the name wins. Throws
// qs::Error naming the tensors or the budget when the request cannot be met
// (an unknown or unscanned format, a pin the tensor cannot take or that
// matches nothing, a tensor both kept and pinned, a tensor no requested format
// can take, a budget below the smallest plan).
ModelPlan planModel(const ScanResult& scan, const PlanRequest& request);

// {"schema": "quantscope.plan/1", "model", "bits_per_weight", "total_bytes",
//  "total_error", "lower_bound", "greedy_error", "weighted",
//  "tensors": [{"name", "format" ("keep" for kept tensors), "bits_per_element", "error"}],
//  "pareto": [{"bits_per_weight", "total_error"}]}
std::string planToJson(const ModelPlan& plan, int indent = 2);

} // namespace qs
