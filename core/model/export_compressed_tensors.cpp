// A plan → compressed-tensors' quantization_config
// (core/model/export_compressed_tensors.h).
#include "core/model/export_compressed_tensors.h"
#include "core/model/name_list.h"

#include "core/error.h"
#include "core/formats/format_registry.h"
#include "core/quant/format_config.h"
#include "core/quant/layout.h"

#include <nlohmann/json.hpp>

#include <map>

namespace qs {

namespace {

using nlohmann::ordered_json;

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// One group's weights: the fields of compressed-tensors' QuantizationArgs
// that this export sets, and the storage format its compressor uses.
struct Scheme {
  int bits = 8;
  std::string type; // "int" or "float"
  bool symmetric = true;
  std::string strategy; // "tensor", "channel", "group"
  int64_t groupSize = 0;
  std::string format; // "pack-quantized", "int-quantized", "float-quantized"
  auto key() const { return std::make_tuple(bits, type, symmetric, strategy, groupSize); }
};

ordered_json weightsJson(const Scheme& s) {
  ordered_json w;
  w["num_bits"] = s.bits;
  w["type"] = s.type;
  w["symmetric"] = s.symmetric;
  w["group_size"] = s.strategy == "group" ? ordered_json(s.groupSize) : ordered_json(nullptr);
  w["strategy"] = s.strategy;
  w["block_structure"] = nullptr;
  w["dynamic"] = false;
  w["actorder"] = nullptr;
  w["observer"] = "minmax";
  w["observer_kwargs"] = ordered_json::object();
  return w;
}

} // namespace

std::string exportCompressedTensors(const ModelPlan& plan, const ScanResult& scan, int indent) {
  if (!scan.complete)
    throw Error("compressed-tensors export: the scan of '" + scan.model +
                "' was cancelled; scan the whole model");
  if (plan.tensors.size() != scan.tensors.size())
    throw Error("compressed-tensors export: the plan and the scan differ in their tensors");
  const std::string int4 = findFormat("int4").name, int8 = findFormat("int8").name,
                    fp8 = findFormat("fp8_e4m3fn").name;

  std::vector<Scheme> schemes;
  std::map<decltype(Scheme{}.key()), size_t> schemeOf;
  std::vector<std::vector<std::string>> targets;
  std::vector<std::string> ignore, unsupported, notWeights, ggufNames;
  for (size_t i = 0; i < plan.tensors.size(); ++i) {
    const TensorChoice& c = plan.tensors[i];
    const ScannedTensor& t = scan.tensors[i];
    if (c.name != t.name)
      throw Error("compressed-tensors export: plan tensor '" + c.name + "' is not scan tensor '" + t.name +
                  "'");
    if (t.name.rfind("blk.", 0) == 0 || t.name == "token_embd.weight" || t.name == "output.weight")
      ggufNames.push_back(t.name);
    if (c.format.empty()) {
      if (t.shape.size() >= 2 && endsWith(t.name, ".weight"))
        ignore.push_back(t.name.substr(0, t.name.size() - 7));
      continue;
    }
    if (!endsWith(t.name, ".weight") || t.shape.size() != 2) {
      notWeights.push_back(t.name);
      continue;
    }
    QuantConfig config = plan.base;
    config.format = c.format;
    const std::string f = findFormat(c.format).name;
    const Granularity g = config.granularity ? *config.granularity : defaultGranularity(*makeKernel(config));
    Scheme s;
    bool ok = true;
    if (f == int4 || f == int8) {
      s.bits = f == int4 ? 4 : 8;
      s.type = "int";
      s.symmetric = config.symmetric;
      s.format = s.bits == 4 ? "pack-quantized" : "int-quantized";
      ok = g.kind == GranularityKind::Channel || g.kind == GranularityKind::Group;
    } else if (f == fp8) {
      s.bits = 8;
      s.type = "float";
      s.symmetric = true;
      s.format = "float-quantized";
      ok = g.kind == GranularityKind::Tensor || g.kind == GranularityKind::Channel;
    } else {
      ok = false;
    }
    if (ok && g.kind != GranularityKind::Tensor)
      ok = resolveAxis(g, t.shape, t.layout) == 0; // output channels: rows of the [out, in] weight
    if (!ok) {
      unsupported.push_back(t.name + " (" + c.format + ", " + toString(g.kind) + ")");
      continue;
    }
    s.strategy = toString(g.kind);
    s.groupSize = g.kind == GranularityKind::Group ? g.groupSize : 0;
    auto [it, fresh] = schemeOf.try_emplace(s.key(), schemes.size());
    if (fresh) {
      schemes.push_back(s);
      targets.emplace_back();
    }
    targets[it->second].push_back(t.name.substr(0, t.name.size() - 7));
  }
  std::string problems;
  auto add = [&](const std::vector<std::string>& names, const std::string& what) {
    if (!names.empty())
      problems += (problems.empty() ? "" : "; ") + what + ": " + nameList(names);
  };
  add(ggufNames, "the model uses llama.cpp names, not Hugging Face module names");
  add(unsupported, "only INT4/INT8 per channel or group along the output channels and FP8 E4M3 per tensor or "
                   "channel can be "
                   "written, not");
  add(notWeights, "only 2-D \".weight\" tensors of modules can be quantized, not");
  if (!problems.empty())
    throw Error("compressed-tensors export: " + problems);
  if (schemes.empty())
    throw Error("compressed-tensors export: the plan quantizes no tensor");

  bool oneFormat = true;
  for (const Scheme& s : schemes)
    oneFormat = oneFormat && s.format == schemes.front().format;
  ordered_json groups = ordered_json::object();
  for (size_t g = 0; g < schemes.size(); ++g) {
    ordered_json scheme;
    scheme["targets"] = targets[g];
    scheme["weights"] = weightsJson(schemes[g]);
    scheme["input_activations"] = nullptr;
    scheme["output_activations"] = nullptr;
    scheme["format"] = oneFormat ? ordered_json(nullptr) : ordered_json(schemes[g].format);
    groups["group_" + std::to_string(g)] = std::move(scheme);
  }
  ordered_json q;
  q["quant_method"] = "compressed-tensors";
  q["format"] = oneFormat ? schemes.front().format : std::string("mixed-precision");
  q["quantization_status"] = "compressed";
  q["config_groups"] = std::move(groups);
  q["kv_cache_scheme"] = nullptr;
  q["global_compression_ratio"] = nullptr;
  q["ignore"] = ignore;
  ordered_json out;
  out["quantization_config"] = std::move(q);
  return out.dump(indent < 0 ? -1 : indent);
}

} // namespace qs
