#include "core/quant/quant_config.h"

#include "core/error.h"
#include "core/quant/config_check.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <initializer_list>

namespace qs {

using nlohmann::json;

const char* toString(GranularityKind kind) {
  switch (kind) {
  case GranularityKind::None:
    return "none";
  case GranularityKind::Tensor:
    return "tensor";
  case GranularityKind::Channel:
    return "channel";
  case GranularityKind::Group:
    return "group";
  case GranularityKind::Token:
    return "token";
  case GranularityKind::Block:
    return "block";
  }
  return "?";
}

const char* toString(ClipMethod method) {
  switch (method) {
  case ClipMethod::MinMax:
    return "minmax";
  case ClipMethod::Percentile:
    return "percentile";
  case ClipMethod::Mse:
    return "mse";
  case ClipMethod::Kl:
    return "kl";
  case ClipMethod::Fixed:
    return "fixed";
  case ClipMethod::Hqq:
    return "hqq";
  }
  return "?";
}

const char* toString(Rounding rounding) {
  return rounding == Rounding::Nearest ? "nearest" : "stochastic";
}

GranularityKind granularityKindFromString(const std::string& s) {
  for (auto k : {GranularityKind::None, GranularityKind::Tensor, GranularityKind::Channel,
                 GranularityKind::Group, GranularityKind::Token, GranularityKind::Block})
    if (s == toString(k))
      return k;
  throw Error("unknown granularity '" + s + "' (expected none, tensor, channel, group, token or block)");
}

ClipMethod clipMethodFromString(const std::string& s) {
  for (auto m : {ClipMethod::MinMax, ClipMethod::Percentile, ClipMethod::Mse, ClipMethod::Kl,
                 ClipMethod::Fixed, ClipMethod::Hqq})
    if (s == toString(m))
      return m;
  throw Error("unknown clipping method '" + s + "' (expected minmax, percentile, mse, kl, fixed or hqq)");
}

Rounding roundingFromString(const std::string& s) {
  if (s == "nearest")
    return Rounding::Nearest;
  if (s == "stochastic")
    return Rounding::Stochastic;
  throw Error("unknown rounding '" + s + "' (expected nearest or stochastic)");
}

const char* toString(Rotation rotation) {
  return rotation == Rotation::Hadamard ? "hadamard" : "none";
}

Rotation rotationFromString(const std::string& s) {
  if (s == "none")
    return Rotation::None;
  if (s == "hadamard")
    return Rotation::Hadamard;
  throw Error("unknown rotation '" + s + "' (expected none or hadamard)");
}

namespace {

// /2: a group's axis is the output-channel axis it keeps (groups run along the
// other axes, flattened); in /1 it was the one axis the groups ran along.
constexpr const char* kSchema = "quantscope.config/2";
constexpr const char* kSchemaV1 = "quantscope.config/1";

json granularityJson(const Granularity& g) {
  json j{{"kind", toString(g.kind)},
         {"axis", g.autoAxis() ? json("auto") : json(g.axis)},
         {"group_size", g.groupSize}};
  if (g.kind == GranularityKind::Block) {
    j["block_rows"] = g.blockRows;
    j["block_cols"] = g.blockCols;
  }
  return j;
}

// A /1 group along axis a of a weight [out, in]: axis 1 (or -1, the last) is
// the input axis, so out is axis 0, which auto finds in PyTorch-order files;
// along axis 0 the groups ran down the columns, out being axis 1. Other axes
// have no counterpart now.
int groupAxisFromV1(int axis) {
  if (axis == 1 || axis == -1 || axis == kAutoAxis)
    return kAutoAxis;
  if (axis == 0)
    return 1;
  throw Error("config: a quantscope.config/1 group along axis " + std::to_string(axis) +
              " has no counterpart: groups now run along every axis but the output-channel axis "
              "(write \"schema\": \"" +
              std::string(kSchema) + "\" with the output-channel axis, or \"auto\")");
}

// Strict reader over one JSON object: every key must be consumed, so that a
// typo ("percentil") is an error naming its path instead of a silent default.
class ObjectReader {
public:
  ObjectReader(const json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object())
      throw Error("config: " + where() + " must be a JSON object");
  }

  const json* get(const char* key) {
    seen_.push_back(key);
    auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  std::string keyPath(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

  std::string string(const char* key, const std::string& fallback) {
    const json* v = get(key);
    if (!v)
      return fallback;
    if (!v->is_string())
      throw Error("config: '" + keyPath(key) + "' must be a string");
    return v->get<std::string>();
  }
  bool boolean(const char* key, bool fallback) {
    const json* v = get(key);
    if (!v)
      return fallback;
    if (!v->is_boolean())
      throw Error("config: '" + keyPath(key) + "' must be true or false");
    return v->get<bool>();
  }
  double number(const char* key, double fallback) {
    const json* v = get(key);
    if (!v)
      return fallback;
    if (!v->is_number())
      throw Error("config: '" + keyPath(key) + "' must be a number");
    return v->get<double>();
  }
  int64_t integer(const char* key, int64_t fallback) {
    const json* v = get(key);
    if (!v)
      return fallback;
    if (!v->is_number_integer())
      throw Error("config: '" + keyPath(key) + "' must be an integer");
    return v->get<int64_t>();
  }
  uint64_t unsignedInteger(const char* key, uint64_t fallback) {
    const json* v = get(key);
    if (!v)
      return fallback;
    if (v->is_number_unsigned())
      return v->get<uint64_t>();
    if (v->is_number_integer() && v->get<int64_t>() >= 0)
      return static_cast<uint64_t>(v->get<int64_t>());
    throw Error("config: '" + keyPath(key) + "' must be a non-negative integer");
  }

  // Throws for the first key that was never asked for.
  void finish() const {
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      bool known = false;
      for (const char* k : seen_)
        known = known || it.key() == k;
      if (!known)
        throw Error("config: unknown key '" + keyPath(it.key().c_str()) + "'");
    }
  }

private:
  std::string where() const { return path_.empty() ? "the top level" : "'" + path_ + "'"; }
  const json& j_;
  std::string path_;
  std::vector<const char*> seen_;
};

bool wildcardMatch(const char* pattern, const char* text) {
  // Iterative '*' / '?' matcher with single backtrack point (linear-ish).
  const char* starP = nullptr;
  const char* starT = nullptr;
  while (*text) {
    if (*pattern == '*') {
      starP = pattern++;
      starT = text;
    } else if (*pattern == '?' || *pattern == *text) {
      ++pattern;
      ++text;
    } else if (starP) {
      pattern = starP + 1;
      text = ++starT;
    } else {
      return false;
    }
  }
  while (*pattern == '*')
    ++pattern;
  return *pattern == '\0';
}

} // namespace

bool wildcardMatches(const std::string& pattern, const std::string& text) {
  return wildcardMatch(pattern.c_str(), text.c_str());
}

std::string configToJson(const QuantConfig& c, int indent) {
  json j;
  j["schema"] = kSchema;
  j["format"] = c.format;
  j["symmetric"] = c.symmetric;
  if (c.granularity)
    j["granularity"] = granularityJson(*c.granularity);
  json clip{{"method", toString(c.clipping.method)},
            {"percentile", c.clipping.percentile},
            {"two_sided", c.clipping.twoSided},
            {"min", c.clipping.fixedMin},
            {"max", c.clipping.fixedMax}};
  if (c.clipping.method == ClipMethod::Hqq) {
    clip["hqq_iterations"] = c.clipping.hqqIterations;
    clip["hqq_p"] = c.clipping.hqqP;
    clip["hqq_optimize_scale"] = c.clipping.hqqOptimizeScale;
  }
  j["clipping"] = clip;
  j["rounding"] = toString(c.rounding);
  j["seed"] = c.seed;
  if (c.rotation != Rotation::None) // written only when used: older readers stay happy
    j["rotation"] = toString(c.rotation);
  if (!c.codebook.empty())
    j["codebook"] = c.codebook;
  json overrides = json::array();
  for (const auto& o : c.overrides)
    overrides.push_back(json{{"match", o.match}, {"format", o.format}});
  j["overrides"] = overrides;
  if (c.scaleFormat != ScaleFormat::Fp32)
    j["scale_format"] = toString(c.scaleFormat);
  return j.dump(indent);
}

QuantConfig configFromJson(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) { // parse_error, and out_of_range for numbers like 1e999
    throw Error(std::string("config: invalid JSON: ") + e.what());
  }
  QuantConfig c;
  ObjectReader top(j, "");
  const std::string schema = top.string("schema", kSchema);
  if (schema != kSchema && schema != kSchemaV1)
    throw Error("config: unsupported schema '" + schema + "' (expected " + kSchema + " or " + kSchemaV1 +
                ")");
  c.format = top.string("format", c.format);
  c.symmetric = top.boolean("symmetric", c.symmetric);
  if (const json* g = top.get("granularity"); g && !g->is_null()) {
    ObjectReader r(*g, "granularity");
    Granularity gr;
    gr.kind = granularityKindFromString(r.string("kind", toString(gr.kind)));
    const json* axis = r.get("axis");
    if (axis && axis->is_string()) {
      if (axis->get<std::string>() != "auto")
        throw Error("config: 'granularity.axis' must be an integer or \"auto\"");
    } else if (axis && !axis->is_null()) {
      const int64_t a = r.integer("axis", 0);
      if (a < -64 || a > 64) // before the narrowing below; configValueProblems repeats it
        throw Error("config: 'granularity.axis' out of range: " + std::to_string(a));
      gr.axis = static_cast<int>(a);
    }
    if (schema == kSchemaV1 && !axis)
      gr.axis = 0; // /1's default
    if (schema == kSchemaV1 && gr.kind == GranularityKind::Group)
      gr.axis = groupAxisFromV1(gr.axis);
    gr.groupSize = r.integer("group_size", gr.groupSize);
    gr.blockRows = r.integer("block_rows", gr.blockRows);
    gr.blockCols = r.integer("block_cols", gr.blockCols);
    r.finish();
    c.granularity = gr;
  }
  if (const json* cl = top.get("clipping"); cl && !cl->is_null()) {
    ObjectReader r(*cl, "clipping");
    c.clipping.method = clipMethodFromString(r.string("method", toString(c.clipping.method)));
    c.clipping.percentile = r.number("percentile", c.clipping.percentile);
    c.clipping.twoSided = r.boolean("two_sided", c.clipping.twoSided);
    c.clipping.fixedMin = r.number("min", c.clipping.fixedMin);
    c.clipping.fixedMax = r.number("max", c.clipping.fixedMax);
    c.clipping.hqqIterations =
        int(std::clamp<int64_t>(r.integer("hqq_iterations", c.clipping.hqqIterations), -1, 100000));
    c.clipping.hqqP = r.number("hqq_p", c.clipping.hqqP);
    c.clipping.hqqOptimizeScale = r.boolean("hqq_optimize_scale", c.clipping.hqqOptimizeScale);
    r.finish();
  }
  c.rounding = roundingFromString(top.string("rounding", toString(c.rounding)));
  c.seed = top.unsignedInteger("seed", c.seed);
  c.rotation = rotationFromString(top.string("rotation", toString(c.rotation)));
  if (const json* cb = top.get("codebook"); cb && !cb->is_null()) {
    if (!cb->is_array())
      throw Error("config: 'codebook' must be an array of numbers");
    for (const auto& v : *cb) {
      if (!v.is_number())
        throw Error("config: 'codebook' must be an array of numbers");
      c.codebook.push_back(v.get<float>());
    }
  }
  if (const json* ov = top.get("overrides"); ov && !ov->is_null()) {
    if (!ov->is_array())
      throw Error("config: 'overrides' must be an array");
    for (size_t i = 0; i < ov->size(); ++i) {
      ObjectReader r((*ov)[i], "overrides[" + std::to_string(i) + "]");
      FormatOverride o;
      o.match = r.string("match", "");
      o.format = r.string("format", "");
      r.finish();
      c.overrides.push_back(std::move(o));
    }
  }
  c.scaleFormat = scaleFormatFromString(top.string("scale_format", toString(c.scaleFormat)));
  top.finish();
  // Value checks shared with the CLI and the GUI (core/quant/config_check.h);
  // format names are looked up where the config is used.
  if (const auto problems = configValueProblems(c); !problems.empty())
    throw Error("config: " + problems.front().message());
  return c;
}

QuantConfig resolveForTensor(const QuantConfig& config, const std::string& tensorName) {
  QuantConfig out = config;
  // The first matching override wins (most specific patterns go first).
  for (const auto& o : config.overrides) {
    if (wildcardMatch(o.match.c_str(), tensorName.c_str())) {
      out.format = o.format;
      break;
    }
  }
  return out;
}

} // namespace qs
