// The scan driver (core/model/scan.h): filter, then per tensor read → its own
// statistics → every candidate into one reused buffer → drop.
#include "core/model/scan.h"

#include "core/error.h"
#include "core/formats/format_registry.h"
#include "core/model/imatrix_columns.h"
#include "core/model/scan_measure.h"
#include "core/pipeline/quant_plan.h"
#include "core/pipeline/quantize.h"
#include "core/pipeline/result_builder.h"
#include "core/sweep/sweep_candidates.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <memory>
#include <regex>

namespace qs {

namespace {

std::regex compileFilter(const std::string& pattern, const char* what) {
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw Error(std::string("bad ") + what + " regex '" + pattern + "': " + e.what());
  }
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

// Integer and boolean data (token ids, masks, position buffers) is not a weight.
bool integerDtype(const std::string& dtype) {
  const std::string d = lower(dtype);
  return d.rfind("int", 0) == 0 || d.rfind("uint", 0) == 0 || d == "bool" ||
         (d.size() >= 2 && d[0] == 'i' && std::isdigit(static_cast<unsigned char>(d[1])));
}

std::string keepReason(const TensorEntry& e, bool quantizeVectors) {
  if (integerDtype(e.storedDtype))
    return "integer data (" + e.storedDtype + ")";
  if (e.shape.size() <= 1 && !quantizeVectors)
    return e.shape.empty() ? "a scalar" : "a vector (bias or norm)";
  return {};
}

double meanWeight(const Imatrix& m) {
  double sum = 0;
  int64_t n = 0;
  for (const ImatrixEntry& e : m.entries)
    for (float w : e.weights) {
      sum += w;
      ++n;
    }
  return n ? sum / double(n) : 0.0;
}

// The imatrix entry of a tensor (matchImatrix) and the weights of its elements.
const ImatrixEntry* imatrixFor(const Imatrix& m, const ScannedTensor& t, ColumnWeights& weights,
                               std::string& note) {
  const ImatrixMatch match = matchImatrix(m, t.name, t.shape);
  note = match.problem;
  if (match.entry)
    weights = {match.entry->weights.data(), match.columns, std::max<int64_t>(1, t.params / match.experts)};
  return match.entry;
}

void fillScore(CandidateScore& s, const ErrorSums& sums, double bpe, int64_t params, bool weighted,
               double fallbackWeight) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  s.bitsPerElement = bpe;
  s.bytes = bpe * double(params) / 8.0;
  if (sums.overflow) { // the core's convention for a format that overflows to inf
    s.sse = s.mse = s.maxAbsError = s.relError = inf;
    s.sqnrDb = -inf;
    s.cosine = 0;
    s.weightedSse = inf;
    return;
  }
  s.sse = sums.sse;
  s.mse = sums.count ? sums.sse / double(sums.count) : 0.0;
  s.maxAbsError = sums.maxAbs;
  s.relError = sums.sumX2 > 0 ? std::sqrt(sums.sse / sums.sumX2) : 0.0;
  s.sqnrDb = sums.sse > 0 ? 10.0 * std::log10(sums.sumX2 / sums.sse) : inf;
  s.cosine = (sums.sumX2 > 0 && sums.sumQ2 > 0)     ? sums.sumXQ / std::sqrt(sums.sumX2 * sums.sumQ2)
             : (sums.sumX2 == 0 && sums.sumQ2 == 0) ? 1.0
                                                    : 0.0;
  s.weightedSse = weighted ? sums.weighted : sums.sse * fallbackWeight;
}

// A fixed-block format needs whole blocks along each channel's row: llama.cpp
// refuses such rows (falls back to another type) and MX kernels require them.
std::string blockProblem(const QuantPlan& plan, const std::string& format) {
  const int block = findFormat(format).fixedBlock;
  if (!plan.block || block <= 0 || plan.layout.cols % block == 0)
    return {};
  return "rows of " + std::to_string(plan.layout.cols) + " are not a multiple of " + format + "'s block of " +
         std::to_string(block);
}

// An imatrix made for another model matches none of its weights by name, or
// matches names with other sizes everywhere: refuse it before reading anything.
void checkImatrixFitsModel(const Imatrix& m, const std::vector<const TensorEntry*>& selected,
                           bool quantizeVectors) {
  int named = 0, sized = 0, weights = 0;
  std::string example;
  for (const TensorEntry* e : selected) {
    if (!keepReason(*e, quantizeVectors).empty())
      continue;
    ++weights;
    ScannedTensor t;
    t.name = e->name;
    t.shape = e->shape;
    t.params = shapeNumel(e->shape);
    t.role = tensorRole(e->name);
    ColumnWeights w;
    std::string note;
    const bool found = m.find(t.name) || (!t.role.ggufName.empty() && m.find(t.role.ggufName));
    named += found ? 1 : 0;
    if (imatrixFor(m, t, w, note))
      ++sized;
    else if (found && example.empty())
      example = note;
  }
  if (weights == 0 || sized > 0)
    return;
  if (named == 0)
    throw Error(m.path.string() + ": the imatrix names none of the model's " + std::to_string(weights) +
                " weight tensors (its first entry: '" + (m.entries.empty() ? "" : m.entries[0].name) +
                "'): is it for another model?");
  throw Error(m.path.string() + ": every tensor the imatrix names has another size in the model (" + example +
              "): is it for another model?");
}

struct CompiledAxis {
  std::regex regex;
  const AxisOverride* source;
};

// The layout an override gives a tensor of `shape`; the entry's own otherwise.
AxisLayout layoutFor(const TensorEntry& e, const std::vector<CompiledAxis>& axes) {
  for (const CompiledAxis& a : axes) {
    if (!std::regex_search(e.name, a.regex))
      continue;
    const int rank = int(e.shape.size());
    const int axis = a.source->axis < 0 ? a.source->axis + rank : a.source->axis;
    if (axis < 0 || axis >= std::max(rank, 1))
      throw Error("--axis-for '" + a.source->regex + "=" + std::to_string(a.source->axis) + "': tensor " +
                  e.name + " " + shapeToString(e.shape) + " has no axis " + std::to_string(a.source->axis));
    return {axis, "set for tensors matching '" + a.source->regex + "'"};
  }
  return e.layout;
}

} // namespace

int64_t ScanResult::totalParams() const {
  int64_t n = 0;
  for (const ScannedTensor& t : tensors)
    n += t.params;
  return n;
}

ScanResult scanModel(const TensorSource& source, const ScanOptions& options, const std::atomic<bool>* cancel,
                     const ScanProgress& progress) {
  for (const std::string& f : options.formats)
    findFormat(f); // an unknown name fails before any reading
  const std::vector<SweepCandidate> candidates = formatCandidates(options.base, options.formats);
  const bool filterIn = !options.include.empty(), filterOut = !options.exclude.empty();
  const std::regex include = compileFilter(filterIn ? options.include : ".", "--include");
  const std::regex exclude = compileFilter(filterOut ? options.exclude : ".", "--exclude");

  ScanResult result;
  result.model = source.path().string();
  const auto meta = source.fileMetadata();
  for (const char* key : {"architecture", "general.architecture"})
    if (auto it = meta.find(key); it != meta.end() && result.architecture.empty())
      result.architecture = it->second;
  result.formats = options.formats;
  result.base = options.base;
  const double fallbackWeight = options.imatrix ? meanWeight(*options.imatrix) : 0.0;
  if (options.imatrix)
    result.imatrix = options.imatrix->path.string();

  std::vector<CompiledAxis> axes;
  for (const AxisOverride& a : options.axes)
    axes.push_back({compileFilter(a.regex, "--axis-for"), &a});

  std::vector<const TensorEntry*> selected;
  for (const TensorEntry& e : source.list())
    if ((!filterIn || std::regex_search(e.name, include)) &&
        (!filterOut || !std::regex_search(e.name, exclude)))
      selected.push_back(&e);
  if (options.imatrix)
    checkImatrixFitsModel(*options.imatrix, selected, options.quantizeVectors);

  std::vector<float> buffer; // one dequantized tensor, reused by every candidate
  try {
    for (const TensorEntry* e : selected) {
      if (cancel && cancel->load())
        throw Cancelled();
      ScannedTensor st;
      st.name = e->name;
      st.shape = e->shape;
      st.storedDtype = e->storedDtype;
      st.params = shapeNumel(e->shape);
      st.storedBytes = e->bytes;
      st.layout = layoutFor(*e, axes);
      st.role = tensorRole(e->name);
      st.keepReason = keepReason(*e, options.quantizeVectors);
      st.keep = !st.keepReason.empty();

      Tensor t;
      try {
        t = source.read(e->name, cancel);
        t.layout = st.layout;      // an override reaches the quantizer's auto axis
      } catch (const Error& err) { // one unreadable tensor does not end the scan
        st.keep = true;
        st.keepReason = std::string("unreadable: ") + err.what();
        result.tensors.push_back(std::move(st));
        if (progress)
          progress(result.tensors.back(), result.tensors.size(), selected.size());
        continue;
      }
      const TensorMoments m = tensorMoments(t, t.layout.outAxis);
      st.absMax = m.absMax;
      st.stdDev = m.stdDev;
      st.kurtosis = m.kurtosis;
      st.sumSquares = m.sumSquares;
      st.outlierChannels = m.outlierChannels;

      ColumnWeights weights;
      const ImatrixEntry* entry = nullptr;
      if (options.imatrix && !st.keep) {
        entry = imatrixFor(*options.imatrix, st, weights, st.imatrixNote);
        if (!entry)
          st.imatrixNote += ": its error is weighted by the imatrix's mean weight";
        else // the GGUF candidates quantize with it, as llama-quantize --imatrix does
          t.importance = std::make_shared<const std::vector<float>>(entry->weights);
      }
      if (!st.keep) {
        buffer.resize(std::max(buffer.size(), size_t(t.numel())));
        for (const SweepCandidate& c : candidates) {
          CandidateScore score;
          score.format = c.label;
          try {
            const QuantPlan plan = planQuantization(t, c.config);
            score.problem = blockProblem(plan, c.config.format);
            if (score.problem.empty()) {
              fakeQuantizeInto(t, c.config, buffer.data(), cancel);
              const ErrorSums sums =
                  errorSums(t.values.data(), buffer.data(), t.numel(), entry ? &weights : nullptr);
              fillScore(score, sums, bitsPerElement(plan), st.params, entry != nullptr, fallbackWeight);
              if (!options.imatrix)
                score.weightedSse = std::numeric_limits<double>::quiet_NaN();
            }
          } catch (const Error& err) {
            score.problem = err.what();
          }
          st.candidates.push_back(std::move(score));
        }
      }
      result.tensors.push_back(std::move(st));
      if (progress)
        progress(result.tensors.back(), result.tensors.size(), selected.size());
    }
  } catch (const Cancelled&) {
    result.complete = false; // the tensors done so far still make a valid scan
  }
  return result;
}

} // namespace qs
