// Names → roles (core/model/tensor_role.h). The Hugging Face names follow the
// module names of transformers' llama, mistral, mixtral, qwen2(-moe), phi3,
// gpt2, gpt-neox and opt models; the GGUF names are llama.cpp's
// (gguf-py/gguf/constants.py, the `MODEL_TENSOR` names).
#include "core/model/tensor_role.h"

#include <regex>
#include <utility>
#include <vector>

namespace qs {

namespace {

struct Suffix {
  std::string name;
  bool bias = false;
};

// "x.weight" → ("x", false), "x.bias" → ("x", true), anything else unchanged.
Suffix stripSuffix(const std::string& name) {
  for (const char* s : {".weight", ".bias"}) {
    const std::string suffix(s);
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      return {name.substr(0, name.size() - suffix.size()), suffix == ".bias"};
  }
  return {name, false};
}

std::string lastPart(const std::string& path) {
  const size_t dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

bool contains(const std::string& s, const char* part) {
  return s.find(part) != std::string::npos;
}

// The role of a module path inside one block ("self_attn.q_proj", "mlp.experts.3.w1").
std::string blockRole(const std::string& module) {
  const std::string last = lastPart(module);
  const bool expert = contains(module, ".experts.") || module.rfind("experts.", 0) == 0;
  if (expert) {
    if (last == "w1" || last == "gate_proj")
      return "ffn_gate_exps";
    if (last == "w3" || last == "up_proj")
      return "ffn_up_exps";
    if (last == "w2" || last == "down_proj")
      return "ffn_down_exps";
    return "other";
  }
  static const std::vector<std::pair<std::vector<std::string>, std::string>> kByName = {
      {{"q_proj", "wq", "query"}, "attn_q"},
      {{"k_proj", "wk", "key"}, "attn_k"},
      {{"v_proj", "wv", "value"}, "attn_v"},
      {{"o_proj", "wo", "out_proj"}, "attn_output"},
      {{"query_key_value", "c_attn", "qkv_proj", "Wqkv"}, "attn_qkv"},
      {{"gate_proj", "w1"}, "ffn_gate"},
      {{"up_proj", "w3", "c_fc", "fc1", "dense_h_to_4h", "gate_up_proj"}, "ffn_up"},
      {{"down_proj", "w2", "fc2", "dense_4h_to_h"}, "ffn_down"},
      {{"input_layernorm", "ln_1", "attention_norm", "self_attn_layer_norm"}, "attn_norm"},
      {{"post_attention_layernorm", "ln_2", "ffn_norm", "final_layer_norm"}, "ffn_norm"},
      {{"q_norm"}, "attn_q_norm"},
      {{"k_norm"}, "attn_k_norm"},
  };
  for (const auto& [names, role] : kByName)
    for (const std::string& n : names)
      if (last == n)
        return role;
  // Names whose meaning depends on the parent module.
  if (last == "c_proj")
    return contains(module, "mlp") ? "ffn_down" : "attn_output";
  if (last == "dense")
    return contains(module, "mlp") ? "other" : "attn_output";
  if (last == "gate" && (contains(module, "block_sparse_moe") || contains(module, "mlp")))
    return "ffn_gate_inp";
  return "other";
}

// The role of a tensor outside the blocks.
std::string modelRole(const std::string& module) {
  const std::string last = lastPart(module);
  if (last == "embed_tokens" || last == "wte" || last == "embed_in" || last == "tok_embeddings" ||
      last == "word_embeddings" || module == "token_embd")
    return "token_embd";
  if (last == "lm_head" || last == "embed_out" || module == "output")
    return "output";
  if (module == "model.norm" || module == "norm" || last == "ln_f" || last == "final_layer_norm" ||
      last == "final_norm" || module == "output_norm")
    return "output_norm";
  if (last == "wpe" || last == "embed_positions" || module == "position_embd")
    return "position_embd";
  return "other";
}

} // namespace

TensorRole tensorRole(const std::string& name) {
  TensorRole r;
  const Suffix s = stripSuffix(name);
  r.isBias = s.bias;
  const std::string suffix = s.bias ? ".bias" : ".weight";

  static const std::regex kGgufBlock(R"(^blk\.(\d+)\.([a-z0-9_.]+)$)");
  static const std::regex kHfBlock(R"(^(?:.*\.)?(?:layers|h|blocks)\.(\d+)\.(.+)$)");
  std::smatch m;
  if (std::regex_match(s.name, m, kGgufBlock)) {
    r.block = std::stoi(m[1].str());
    r.role = m[2].str();
    r.ggufName = name;
    return r;
  }
  if (std::regex_match(s.name, m, kHfBlock) && m[1].str().size() < 7) {
    r.block = std::stoi(m[1].str());
    r.role = blockRole(m[2].str());
    if (r.role != "other")
      r.ggufName = "blk." + m[1].str() + "." + r.role + suffix;
    return r;
  }
  r.role = modelRole(s.name);
  if (r.role != "other")
    r.ggufName = r.role + suffix;
  return r;
}

} // namespace qs
