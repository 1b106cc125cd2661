// "quantscope.scan/1" (README "Scan JSON"): written by scanToJson, read back
// by scanFromJson for `quantscope-cli plan --scan`. Non-finite numbers (an
// error-free SQNR, a missing weighted error) are written as null.
#include "core/error.h"
#include "core/model/scan.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace qs {

namespace {

using nlohmann::json;
constexpr const char* kSchema = "quantscope.scan/1";

json number(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

json candidateJson(const CandidateScore& c) {
  if (!c.ok())
    return {{"problem", c.problem}};
  return {{"sqnr_db", number(c.sqnrDb)},
          {"mse", number(c.mse)},
          {"sse", number(c.sse)},
          {"weighted_sse", number(c.weightedSse)},
          {"rel_error", number(c.relError)},
          {"cosine", number(c.cosine)},
          {"max_abs_error", number(c.maxAbsError)},
          {"bits_per_element", c.bitsPerElement},
          {"bytes", c.bytes}};
}

json tensorJson(const ScannedTensor& t) {
  json j{{"name", t.name},
         {"shape", t.shape},
         {"stored_dtype", t.storedDtype},
         {"params", t.params},
         {"stored_bytes", t.storedBytes},
         {"axis", t.layout.outAxis},
         {"axis_reason", t.layout.reason},
         {"role", t.role.role},
         {"block", t.role.block},
         {"gguf_name", t.role.ggufName},
         {"keep", t.keep},
         {"stats",
          {{"absmax", t.absMax},
           {"std", t.stdDev},
           {"kurtosis", t.kurtosis},
           {"sum_squares", t.sumSquares},
           {"outlier_channels", t.outlierChannels}}}};
  if (t.keep)
    j["keep_reason"] = t.keepReason;
  if (!t.imatrixNote.empty())
    j["imatrix_note"] = t.imatrixNote;
  json c = json::object();
  for (const CandidateScore& s : t.candidates)
    c[s.format] = candidateJson(s);
  j["candidates"] = c;
  return j;
}

// Reading: every access names its path in the error.
struct Reader {
  std::string label;
  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw Error(label + ": " + path + ": " + what);
  }
  const json& at(const json& j, const std::string& key, const std::string& path) const {
    if (!j.is_object() || !j.contains(key))
      fail(path, "missing \"" + key + "\"");
    return j.at(key);
  }
  double num(const json& j, const std::string& key, const std::string& path) const {
    const json& v = at(j, key, path);
    if (v.is_null())
      return std::numeric_limits<double>::quiet_NaN();
    if (!v.is_number())
      fail(path + "." + key, "not a number");
    return v.get<double>();
  }
  std::string str(const json& j, const std::string& key, const std::string& path) const {
    const json& v = at(j, key, path);
    if (!v.is_string())
      fail(path + "." + key, "not a string");
    return v.get<std::string>();
  }
};

CandidateScore candidateFromJson(const Reader& r, const json& j, const std::string& format,
                                 const std::string& path) {
  CandidateScore c;
  c.format = format;
  if (!j.is_object())
    r.fail(path, "not an object");
  if (j.contains("problem")) {
    c.problem = r.str(j, "problem", path);
    return c;
  }
  constexpr double inf = std::numeric_limits<double>::infinity();
  const double sqnr = r.num(j, "sqnr_db", path);
  c.sqnrDb = std::isnan(sqnr) ? inf : sqnr; // null: no error at all
  c.mse = r.num(j, "mse", path);
  c.sse = r.num(j, "sse", path);
  c.weightedSse = r.num(j, "weighted_sse", path);
  c.relError = r.num(j, "rel_error", path);
  c.cosine = r.num(j, "cosine", path);
  c.maxAbsError = r.num(j, "max_abs_error", path);
  c.bitsPerElement = r.num(j, "bits_per_element", path);
  c.bytes = r.num(j, "bytes", path);
  for (double* v : {&c.mse, &c.sse, &c.relError, &c.maxAbsError}) // null: the format overflowed
    if (std::isnan(*v))
      *v = inf;
  if (!(c.bitsPerElement >= 0) || !(c.bytes >= 0))
    r.fail(path, "bits_per_element and bytes must be numbers >= 0");
  return c;
}

} // namespace

std::string scanToJson(const ScanResult& scan, int indent) {
  json tensors = json::array();
  for (const ScannedTensor& t : scan.tensors)
    tensors.push_back(tensorJson(t));
  json j{{"schema", kSchema},
         {"model", scan.model},
         {"architecture", scan.architecture},
         {"formats", scan.formats},
         {"base_config", json::parse(configToJson(scan.base))},
         {"imatrix", scan.imatrix},
         {"complete", scan.complete},
         {"params", scan.totalParams()},
         {"tensors", tensors}};
  return j.dump(indent);
}

ScanResult scanFromJson(const std::string& text, const std::string& label) {
  const Reader r{label};
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(label + ": not JSON: " + e.what());
  }
  if (!j.is_object() || !j.contains("schema") || j["schema"] != kSchema)
    r.fail("schema", std::string("not a scan file (expected \"schema\": \"") + kSchema + "\")");
  ScanResult s;
  s.model = r.str(j, "model", "");
  s.architecture = j.value("architecture", "");
  s.imatrix = j.value("imatrix", "");
  s.complete = j.value("complete", true);
  const json& formats = r.at(j, "formats", "");
  if (!formats.is_array())
    r.fail("formats", "not a list");
  for (const json& f : formats) {
    if (!f.is_string())
      r.fail("formats", "not a list of names");
    s.formats.push_back(f.get<std::string>());
  }
  if (j.contains("base_config"))
    s.base = configFromJson(j["base_config"].dump());
  const json& tensors = r.at(j, "tensors", "");
  if (!tensors.is_array())
    r.fail("tensors", "not a list");
  for (size_t i = 0; i < tensors.size(); ++i) {
    const json& tj = tensors[i];
    const std::string path = "tensors[" + std::to_string(i) + "]";
    ScannedTensor t;
    t.name = r.str(tj, "name", path);
    const json& shape = r.at(tj, "shape", path);
    if (!shape.is_array())
      r.fail(path + ".shape", "not a list");
    for (const json& d : shape) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0)
        r.fail(path + ".shape", "not a list of sizes");
      t.shape.push_back(d.get<int64_t>());
    }
    t.params = shapeNumel(t.shape);
    t.storedDtype = tj.value("stored_dtype", "");
    const double storedBytes = r.num(tj, "stored_bytes", path);
    if (!(storedBytes >= 0))
      r.fail(path + ".stored_bytes", "not a size");
    t.storedBytes = uint64_t(storedBytes);
    t.layout.outAxis = tj.value("axis", 0);
    t.layout.reason = tj.value("axis_reason", "");
    t.role = tensorRole(t.name);
    t.keep = tj.value("keep", false);
    t.keepReason = tj.value("keep_reason", "");
    t.imatrixNote = tj.value("imatrix_note", "");
    if (tj.contains("stats")) {
      const json& st = tj["stats"];
      t.absMax = st.value("absmax", 0.0);
      t.stdDev = st.value("std", 0.0);
      t.kurtosis = st.value("kurtosis", 0.0);
      t.sumSquares = st.value("sum_squares", 0.0);
      t.outlierChannels = st.value("outlier_channels", int64_t(0));
    }
    const json& cands = r.at(tj, "candidates", path);
    if (!cands.is_object())
      r.fail(path + ".candidates", "not an object");
    if (!t.keep)
      for (const std::string& f : s.formats) {
        if (!cands.contains(f))
          r.fail(path + ".candidates", "no result for format '" + f + "'");
        t.candidates.push_back(candidateFromJson(r, cands[f], f, path + ".candidates." + f));
      }
    s.tensors.push_back(std::move(t));
  }
  return s;
}

} // namespace qs
