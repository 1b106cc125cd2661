#pragma once
// The scan (docs/ARCHITECTURE.md, "The whole model"): every tensor of a model
// under every candidate format, streamed one tensor at a time (read, convert,
// all candidates, drop), so memory stays a few tensors whatever the model size.
// `quantscope-cli scan` and the Model view both run it.
#include "core/io/imatrix.h"
#include "core/io/tensor_source.h"
#include "core/model/tensor_role.h"
#include "core/quant/quant_config.h"

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace qs {

// The output-channel axis of the tensors a regex finds, where the file's
// convention guessed wrong (`scan --axis-for REGEX=AXIS`); the first match wins.
struct AxisOverride {
  std::string regex;
  int axis = 0; // negative counts from the end
};

struct ScanOptions {
  std::vector<std::string> formats; // candidate format names, in column order
  QuantConfig base;                 // granularity, clipping, ... for every candidate
  std::string include, exclude;     // ECMAScript regexes searched in names; empty: no filter
  const Imatrix* imatrix = nullptr; // weights the error per input column when given
  // Tensors of rank <= 1 (biases, norms) are scanned but kept by default.
  bool quantizeVectors = false;
  std::vector<AxisOverride> axes;
};

// One candidate format on one tensor. Metric definitions: README "Metrics".
struct CandidateScore {
  std::string format;
  std::string problem; // non-empty: the format cannot take this tensor (why); metrics unset
  double sqnrDb = 0, mse = 0, cosine = 1, maxAbsError = 0;
  double sse = 0;      // Σ (x − q)²
  double relError = 0; // ‖x − q‖₂ / ‖x‖₂ (0 for an all-zero tensor)
  // Σ_j w_j Σ_i e_ij² with the imatrix weights w_j of input column j; a
  // tensor the imatrix lacks takes sse × the imatrix's mean weight (its
  // imatrixNote says so); NaN without an imatrix.
  double weightedSse = 0;
  double bitsPerElement = 0; // codes, scales and zero points
  double bytes = 0;          // bitsPerElement · params / 8
  bool ok() const { return problem.empty(); }
};

struct ScannedTensor {
  std::string name;
  Shape shape;
  std::string storedDtype;
  int64_t params = 0;
  uint64_t storedBytes = 0; // as the file stores it
  AxisLayout layout;
  TensorRole role;
  bool keep = false;       // not quantized: rank <= 1 (unless quantizeVectors) or integer data
  std::string keepReason;  // "a vector (bias or norm)", "integer data (int64)", "unreadable: …"
  std::string imatrixNote; // why the imatrix was not applied to this tensor; empty when it was or none given
  // The tensor's own statistics (population std, excess kurtosis, channels
  // with absmax > 6 × median absmax along the output-channel axis).
  double absMax = 0, stdDev = 0, kurtosis = 0;
  double sumSquares = 0; // Σ x²: the signal a candidate's sse is measured against
  int64_t outlierChannels = 0;
  std::vector<CandidateScore> candidates; // ScanOptions::formats order; empty when kept
};

struct ScanResult {
  std::string model;        // the path(s) as given
  std::string architecture; // config.json's or GGUF's architecture; empty when unknown
  std::vector<std::string> formats;
  QuantConfig base;     // ScanOptions::base: with a candidate's format, that candidate's config
  std::string imatrix;  // the imatrix file, empty without one
  bool complete = true; // false: cancelled, the tensors scanned so far
  std::vector<ScannedTensor> tensors;

  int64_t totalParams() const;
};

// Called on the scanning thread after each tensor, with the count done and
// the count to do (after the include/exclude filter).
using ScanProgress = std::function<void(const ScannedTensor& tensor, size_t done, size_t total)>;

// Scans every tensor of `source` passing the filters. A cancel (through
// `cancel`) returns the tensors done so far with complete = false. A tensor
// that cannot be read is kept with the reason. Throws qs::Error on a bad regex
// or an unknown format.
ScanResult scanModel(const TensorSource& source, const ScanOptions& options,
                     const std::atomic<bool>* cancel = nullptr, const ScanProgress& progress = {});

// JSON "quantscope.scan/1" (README "Scan JSON") and back; reading throws
// qs::Error naming `label` and the key on a malformed file.
std::string scanToJson(const ScanResult& scan, int indent = 2);
ScanResult scanFromJson(const std::string& text, const std::string& label);

} // namespace qs
