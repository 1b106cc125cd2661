#pragma once
// What a sweep quantizes: the GUI's families of formats and granularities
// and the CLI's explicit list of formats, both as candidates for the one
// sweep runner (core/sweep/sweep_runner.h).
#include "core/quant/quant_config.h"
#include "core/tensor.h"

#include <string>
#include <vector>

namespace qs {

struct SweepCandidate {
  std::string family; // the line it belongs to: "INT · per channel"
  std::string label;  // the point: "INT4 · per channel"
  QuantConfig config;
};

// The families the Sweep tab offers, in legend order.
const std::vector<std::string>& sweepFamilies();
// Candidates of `families` for a tensor of `shape` (groups run along the
// last axis, 128 wide or the whole axis when shorter).
std::vector<SweepCandidate> sweepCandidates(const std::vector<std::string>& families, const Shape& shape);

// `base` with each of `formats` (`quantscope-cli sweep --formats`): label and
// format are the name as given, the family is empty.
std::vector<SweepCandidate> formatCandidates(const QuantConfig& base,
                                             const std::vector<std::string>& formats);

} // namespace qs
