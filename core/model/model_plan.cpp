// A scan and a request → plan items → the solver → a named plan
// (core/model/model_plan.h).
#include "core/model/model_plan.h"
#include "core/model/name_list.h"

#include "core/error.h"
#include "core/formats/format_registry.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <regex>
#include <sstream>

namespace qs {

namespace {

std::regex compile(const std::string& pattern, const char* what) {
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw Error(std::string("plan: bad ") + what + " regex '" + pattern + "': " + e.what());
  }
}

std::string canonical(const std::string& format) {
  return findFormat(format).name;
}

std::string fmtNumber(double v) {
  std::ostringstream os;
  os.precision(6);
  os << v;
  return os.str();
}

struct CompiledPin {
  std::regex re;
  std::string text;
  int scanColumn = -1;
  bool used = false;
};

// The scan column of each requested format (all columns when none are named).
std::vector<int> requestedColumns(const ScanResult& scan, const PlanRequest& request) {
  std::vector<int> columns;
  if (request.formats.empty()) {
    for (int c = 0; c < int(scan.formats.size()); ++c)
      columns.push_back(c);
    return columns;
  }
  for (const std::string& f : request.formats) {
    const std::string want = canonical(f);
    int found = -1;
    for (int c = 0; c < int(scan.formats.size()); ++c)
      if (canonical(scan.formats[size_t(c)]) == want)
        found = c;
    if (found < 0)
      throw Error("plan: format '" + f + "' was not scanned (the scan has: " + nameList(scan.formats, 100) +
                  ")");
    columns.push_back(found);
  }
  return columns;
}

} // namespace

ModelPlan planModel(const ScanResult& scan, const PlanRequest& request) {
  if (request.targetBitsPerWeight.has_value() == request.targetBytes.has_value())
    throw Error("plan: give exactly one target, bits per weight or bytes");
  const double target = request.targetBitsPerWeight ? *request.targetBitsPerWeight : *request.targetBytes;
  if (!std::isfinite(target) || target <= 0)
    throw Error("plan: the target must be a positive number (got " + fmtNumber(target) + ")");
  if (scan.tensors.empty())
    throw Error("plan: the scan of '" + scan.model + "' has no tensors");

  const std::vector<int> columns = requestedColumns(scan, request);
  std::vector<std::regex> keeps;
  for (const std::string& k : request.keeps)
    keeps.push_back(compile(k, "keep"));
  std::vector<CompiledPin> pins;
  for (const PlanPin& p : request.pins) {
    CompiledPin cp{compile(p.regex, "pin"), p.regex + "=" + p.format, -1, false};
    const std::string want = canonical(p.format);
    for (int c = 0; c < int(scan.formats.size()); ++c)
      if (canonical(scan.formats[size_t(c)]) == want)
        cp.scanColumn = c;
    if (cp.scanColumn < 0)
      throw Error("plan: pin '" + cp.text + "': format '" + p.format +
                  "' was not scanned (the scan has: " + nameList(scan.formats, 100) + ")");
    pins.push_back(std::move(cp));
  }

  const bool weighted = request.weighted && !scan.imatrix.empty();
  double totalParams = 0;
  std::vector<PlanItem> items;
  std::vector<std::string> unplaceable, conflicts;
  for (const ScannedTensor& t : scan.tensors) {
    totalParams += double(t.params);
    PlanItem item;
    item.name = t.name;
    bool kept = t.keep || t.candidates.empty();
    bool userKept = false;
    for (const std::regex& re : keeps)
      userKept = userKept || std::regex_search(t.name, re);
    kept = kept || userKept;
    CompiledPin* pin = nullptr;
    if (!t.keep && !t.candidates.empty())
      for (CompiledPin& p : pins)
        if (std::regex_search(t.name, p.re)) {
          pin = &p;
          break;
        }
    if (pin) {
      pin->used = true;
      if (userKept)
        conflicts.push_back(t.name + " (kept and pinned by '" + pin->text + "')");
    }
    if (kept) {
      item.fixedBits = double(t.storedBytes) * 8;
    } else {
      if (t.candidates.size() != scan.formats.size())
        throw Error("plan: tensor '" + t.name + "' has " + std::to_string(t.candidates.size()) +
                    " candidates for " + std::to_string(scan.formats.size()) + " scanned formats");
      const std::vector<int> allowed = pin ? std::vector<int>{pin->scanColumn} : columns;
      std::string why;
      for (int c : allowed) {
        const CandidateScore& cand = t.candidates[size_t(c)];
        if (!cand.ok()) {
          why += (why.empty() ? "" : "; ") + scan.formats[size_t(c)] + ": " + cand.problem;
          continue;
        }
        const double err = weighted ? cand.weightedSse : cand.sse;
        item.options.push_back({scan.formats[size_t(c)], cand.bitsPerElement * double(t.params), err});
      }
      if (item.options.empty()) {
        if (pin)
          conflicts.push_back(t.name + " (pinned by '" + pin->text + "' to a format it cannot take: " + why +
                              ")");
        else
          unplaceable.push_back(t.name + " (" + why + ")");
      }
    }
    items.push_back(std::move(item));
  }
  if (!conflicts.empty())
    throw Error("plan: " + nameList(conflicts));
  if (!unplaceable.empty())
    throw Error("plan: no requested format can take " + nameList(unplaceable) + "; keep or pin them");
  for (const CompiledPin& p : pins)
    if (!p.used)
      throw Error("plan: pin '" + p.text + "' matches no quantized tensor");

  const double budgetBits = request.targetBitsPerWeight ? target * totalParams : target * 8;
  const PlanSolution sol = solvePlan(items, budgetBits);
  if (!sol.feasible)
    throw Error("plan: the target " +
                (request.targetBitsPerWeight ? fmtNumber(target) + " bits per weight"
                                             : fmtNumber(target) + " bytes") +
                " is below the smallest plan, " + fmtNumber(sol.totalBits / totalParams) +
                " bits per weight (" + fmtNumber(std::ceil(sol.totalBits / 8)) + " bytes)");

  ModelPlan plan;
  plan.model = scan.model;
  plan.base = scan.base;
  plan.weighted = weighted;
  plan.bitsPerWeight = sol.totalBits / totalParams;
  plan.totalBytes = sol.totalBits / 8;
  plan.totalError = sol.totalError;
  plan.lowerBound = sol.lowerBound;
  plan.greedyError = sol.greedyError;
  for (size_t i = 0; i < items.size(); ++i) {
    TensorChoice c;
    c.name = scan.tensors[i].name;
    c.params = scan.tensors[i].params;
    if (sol.choice[i] < 0) {
      c.bits = items[i].fixedBits;
    } else {
      const PlanOption& o = items[i].options[size_t(sol.choice[i])];
      c.format = o.format;
      c.bits = o.bits;
      c.error = o.error;
    }
    plan.tensors.push_back(std::move(c));
  }
  for (const ParetoPoint& p : paretoCurve(items))
    plan.pareto.push_back({p.bits / totalParams, p.error});
  return plan;
}

std::string planToJson(const ModelPlan& plan, int indent) {
  using nlohmann::ordered_json;
  // Infinite or NaN numbers have no JSON form: null.
  auto num = [](double v) { return std::isfinite(v) ? ordered_json(v) : ordered_json(nullptr); };
  ordered_json j;
  j["schema"] = "quantscope.plan/1";
  j["model"] = plan.model;
  j["bits_per_weight"] = num(plan.bitsPerWeight);
  j["total_bytes"] = num(plan.totalBytes);
  j["total_error"] = num(plan.totalError);
  j["lower_bound"] = num(plan.lowerBound);
  j["greedy_error"] = num(plan.greedyError);
  j["weighted"] = plan.weighted;
  ordered_json tensors = ordered_json::array();
  for (const TensorChoice& t : plan.tensors) {
    ordered_json e;
    e["name"] = t.name;
    e["format"] = t.format.empty() ? "keep" : t.format;
    e["bits_per_element"] = num(t.params > 0 ? t.bits / double(t.params) : 0.0);
    e["error"] = num(t.error);
    tensors.push_back(std::move(e));
  }
  j["tensors"] = std::move(tensors);
  ordered_json pareto = ordered_json::array();
  for (const ParetoPoint& p : plan.pareto)
    pareto.push_back({{"bits_per_weight", num(p.bits)}, {"total_error", num(p.error)}});
  j["pareto"] = std::move(pareto);
  return j.dump(indent < 0 ? -1 : indent);
}

} // namespace qs
