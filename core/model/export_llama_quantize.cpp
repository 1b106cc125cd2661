// A plan → a llama-quantize script (core/model/export_llama_quantize.h).
#include "core/model/export_llama_quantize.h"

#include "core/error.h"
#include "core/formats/format_registry.h"
#include "core/model/name_list.h"
#include "core/model/tensor_role.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace qs {

namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool has(const std::string& s, const char* part) {
  return s.find(part) != std::string::npos;
}

// A name as a regex matching exactly it. Backslash before punctuation only:
// llama-quantize lowercases the pattern, and "\D"/"\W"/"\S" would change meaning.
std::string escapeRegex(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c != '\0' && std::strchr(".^$|()[]{}*+?\\", c))
      out += '\\';
    out += c;
  }
  return out;
}

// llama.cpp's name of a type a file already stores (kept tensors).
std::string storedTypeName(const std::string& storedDtype) {
  std::string s = storedDtype;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (s == "float32")
    return "f32";
  if (s == "float16")
    return "f16";
  if (s == "bfloat16")
    return "bf16";
  static const std::set<std::string> kLlama = {
      "f32",     "f16",   "bf16",   "q4_0",   "q4_1",  "q5_0",  "q5_1",    "q8_0",   "q2_k",
      "q3_k",    "q4_k",  "q5_k",   "q6_k",   "iq1_s", "iq1_m", "iq2_xxs", "iq2_xs", "iq2_s",
      "iq3_xxs", "iq3_s", "iq4_nl", "iq4_xs", "tq1_0", "tq2_0", "mxfp4",   "nvfp4"};
  if (!kLlama.count(s))
    return {};
  if (endsWith(s, "_k"))
    s.back() = 'K';
  return s;
}

// The positional type argument for a base type; a K type names its _M
// mixture, which --pure turns off anyway.
std::string baseArgument(const std::string& type) {
  std::string up = type;
  std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return char(std::toupper(c)); });
  return up == "Q4_K" ? "Q4_K_M" : up;
}

// Quantized types a plan can choose (llamaTypeName's), so the base is one of them.
bool isPlannableQuantized(const std::string& type) {
  return type == "q4_0" || type == "q4_1" || type == "q5_0" || type == "q5_1" || type == "q8_0" ||
         type == "q4_K" || type == "q6_K";
}

std::string fmt(double v, int precision) {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(precision);
  os << v;
  return os.str();
}

} // namespace

std::string llamaTypeName(const std::string& format) {
  if (!isKnownFormat(format))
    return {};
  const std::string n = findFormat(format).name;
  // "gguf:<type>" is llama.cpp's type, which writes the k-quants' K in capitals.
  if (n.rfind("gguf:", 0) == 0) {
    std::string type = n.substr(5);
    if (endsWith(type, "_k"))
      type.back() = 'K';
    return type;
  }
  static const std::map<std::string, std::string> kMap = {{"fp16", "f16"}, {"bf16", "bf16"}, {"fp32", "f32"}};
  const auto it = kMap.find(n);
  return it == kMap.end() ? std::string() : it->second;
}

bool llamaQuantizes(const std::string& n, size_t rank) {
  if (rank < 2 || !endsWith(n, "weight"))
    return false;
  for (const char* never : {"_norm.weight",
                            "ffn_gate_inp.weight",
                            "ffn_gate_tid2eid.weight",
                            "altup",
                            "laurel",
                            "per_layer_model_proj",
                            "ssm_conv1d",
                            "shortconv.conv.weight",
                            "indexer.k_proj.weight",
                            "indexer.q_proj.weight",
                            "time_mix_first.weight",
                            "time_mix_w0.weight",
                            "time_mix_w1.weight",
                            "time_mix_w2.weight",
                            "time_mix_v0.weight",
                            "time_mix_v1.weight",
                            "time_mix_v2.weight",
                            "time_mix_a0.weight",
                            "time_mix_a1.weight",
                            "time_mix_a2.weight",
                            "time_mix_g1.weight",
                            "time_mix_g2.weight",
                            "time_mix_decay_w1.weight",
                            "time_mix_decay_w2.weight",
                            "time_mix_lerp_fused.weight",
                            "attn_rel_b.weight",
                            ".position_embd",
                            "sam.pos_embd",
                            "sam.neck.",
                            "sam.net_",
                            ".rel_pos",
                            ".patch_embd",
                            ".patch_merger",
                            "a.rvq.codebook",
                            "mm.a.code_embd"})
    if (has(n, never))
      return false;
  return n != "position_embd.weight" && n != "pos_embd.weight" && n != "token_types.weight";
}

LlamaQuantizeExport exportLlamaQuantize(const ModelPlan& plan, const ScanResult& scan) {
  if (!scan.complete)
    throw Error("llama-quantize export: the scan of '" + scan.model +
                "' was cancelled; scan the whole model");
  if (plan.tensors.size() != scan.tensors.size())
    throw Error("llama-quantize export: the plan has " + std::to_string(plan.tensors.size()) +
                " tensors, the scan " + std::to_string(scan.tensors.size()));

  struct Target {
    std::string type;
    std::vector<std::string> sources;
    size_t order = 0;
  };
  std::map<std::string, Target> byGguf;
  std::vector<std::string> noName, nonGguf, never, badRows, mixedExperts, badStored, upper;
  bool requantize = false; // a stored quantized tensor gets another type
  for (size_t i = 0; i < plan.tensors.size(); ++i) {
    const TensorChoice& c = plan.tensors[i];
    const ScannedTensor& t = scan.tensors[i];
    if (c.name != t.name)
      throw Error("llama-quantize export: plan tensor '" + c.name + "' is not scan tensor '" + t.name + "'");
    const size_t rank = t.shape.size();
    const std::string gguf = tensorRole(t.name).ggufName;
    if (gguf.empty()) {
      if (rank >= 2 || !c.format.empty())
        noName.push_back(t.name);
      continue;
    }
    std::string type;
    if (!c.format.empty()) {
      type = llamaTypeName(c.format);
      if (type.empty()) {
        nonGguf.push_back(t.name + " (" + c.format + ")");
        continue;
      }
      if (!llamaQuantizes(gguf, rank)) {
        never.push_back(t.name);
        continue;
      }
      const int block = findFormat(c.format).fixedBlock;
      if (block > 1 && (t.shape.empty() || t.shape.back() % block != 0)) {
        badRows.push_back(t.name + " (row " + std::to_string(t.shape.empty() ? 0 : t.shape.back()) + ", " +
                          c.format + " block " + std::to_string(block) + ")");
        continue;
      }
    } else {
      if (!llamaQuantizes(gguf, rank))
        continue; // llama-quantize copies it as it is
      type = storedTypeName(t.storedDtype);
      if (type.empty()) {
        badStored.push_back(t.name + " (" + t.storedDtype + ")");
        continue;
      }
    }
    if (std::any_of(gguf.begin(), gguf.end(), [](unsigned char ch) { return std::isupper(ch); }))
      upper.push_back(gguf);
    const std::string stored = storedTypeName(t.storedDtype);
    requantize = requantize || (!stored.empty() && stored != "f32" && stored != "f16" && stored != "bf16" &&
                                stored != type);
    auto [it, fresh] = byGguf.try_emplace(gguf, Target{type, {}, i});
    if (!fresh && it->second.type != type)
      mixedExperts.push_back(gguf + " (" + nameList(it->second.sources, 3) + ": " + it->second.type + "; " +
                             t.name + ": " + type + ")");
    it->second.sources.push_back(t.name);
  }
  std::string problems;
  auto add = [&](const std::vector<std::string>& names, const std::string& what) {
    if (!names.empty())
      problems += (problems.empty() ? "" : "; ") + what + ": " + nameList(names);
  };
  add(noName, "no GGUF name is known for");
  add(nonGguf, "llama.cpp has no type with exactly the planned format for");
  add(never, "llama-quantize never quantizes (keep them)");
  add(badRows, "rows are not a multiple of the block (llama-quantize would fall back to another type) for");
  add(mixedExperts, "experts of one GGUF tensor have different formats");
  add(badStored, "kept tensors llama-quantize would quantize, stored in a type llama.cpp lacks");
  add(upper, "llama-quantize lowercases patterns, so it cannot name");
  if (!problems.empty())
    throw Error("llama-quantize export: " + problems);

  // Group the GGUF names by (name outside the block, type): one pattern each.
  struct Group {
    std::string rest, type;
    bool inBlock = false;
    std::set<int> blocks;
    size_t order = 0;
  };
  std::vector<Group> groups;
  std::map<std::pair<std::string, std::string>, size_t> groupOf;
  static const std::regex kBlock(R"(^blk\.(\d+)\.(.+)$)");
  std::vector<std::pair<size_t, std::string>> ordered;
  for (const auto& [name, target] : byGguf)
    ordered.push_back({target.order, name});
  std::sort(ordered.begin(), ordered.end());
  std::map<std::string, size_t> typeCount;
  for (const auto& [order, name] : ordered) {
    const Target& target = byGguf.at(name);
    ++typeCount[target.type];
    std::smatch m;
    const bool inBlock = std::regex_match(name, m, kBlock);
    const std::string rest = inBlock ? m[2].str() : name;
    const auto key = std::make_pair((inBlock ? "blk:" : "top:") + rest, target.type);
    auto [it, fresh] = groupOf.try_emplace(key, groups.size());
    if (fresh)
      groups.push_back(Group{rest, target.type, inBlock, {}, order});
    if (inBlock)
      groups[it->second].blocks.insert(std::stoi(m[1].str()));
  }

  LlamaQuantizeExport out;
  std::string base;
  size_t baseCount = 0;
  for (const auto& [type, count] : typeCount)
    if (isPlannableQuantized(type) && count > baseCount) {
      base = type;
      baseCount = count;
    }
  if (base.empty())
    base = "q8_0"; // patterns apply only under a quantized base type; they name every tensor
  out.baseType = baseArgument(base);
  for (const Group& g : groups) {
    std::string pattern;
    if (g.inBlock) {
      std::string alt;
      for (int b : g.blocks)
        alt += (alt.empty() ? "" : "|") + std::to_string(b);
      const std::string blocks = g.blocks.size() == 1 ? alt : "(" + alt + ")";
      pattern = "^blk\\." + blocks + "\\." + escapeRegex(g.rest) + "$";
    } else {
      pattern = "^" + escapeRegex(g.rest) + "$";
    }
    out.options.push_back({pattern, g.type});
  }

  std::ostringstream s;
  s << "#!/usr/bin/env bash\n"
    << "# llama-quantize with the mixture QuantScope planned for " << plan.model << "\n"
    << "# " << fmt(plan.bitsPerWeight, 4) << " bits per weight, " << fmt(plan.totalBytes, 0)
    << " bytes, total error " << plan.totalError << (plan.weighted ? " (imatrix-weighted)" : "") << ".\n"
    << "# Each pattern names its tensors exactly (anchored, disjoint); --pure keeps\n"
    << "# llama-quantize's own mixture rules away from any tensor the scan did not see.\n"
    << "# Do not add --output-tensor-type, --token-embedding-type or --leave-output-tensor:\n"
    << "# they take precedence over the patterns.\n"
    << "# usage: "
    << "$0 MODEL.gguf OUTPUT.gguf [more llama-quantize options, e.g. --imatrix FILE]\n"
    << "set -euo pipefail\n"
    << "if [ $# -lt 2 ]; then\n"
    << "  echo \"usage: $0 MODEL.gguf OUTPUT.gguf [llama-quantize options]\" >&2\n"
    << "  exit 2\n"
    << "fi\n"
    << "in=$1\n"
    << "out=$2\n"
    << "shift 2\n"
    << (requantize
            ? "# Some tensors are stored quantized already: --allow-requantize lets them change type.\n"
            : "")
    << "exec \"${LLAMA_QUANTIZE:-llama-quantize}\" --pure " << (requantize ? "--allow-requantize " : "")
    << "\\\n";
  for (const LlamaTensorType& o : out.options)
    s << "  --tensor-type '" << o.pattern << "=" << o.type << "' \\\n";
  s << "  \"$@\" \"$in\" \"$out\" " << out.baseType << "\n";
  out.script = s.str();
  return out;
}

} // namespace qs
