#pragma once
// What a tensor is in its model, from its name (docs/ARCHITECTURE.md, "The
// whole model"): llama.cpp GGUF names (`blk.7.attn_q.weight`) and Hugging Face
// names (`model.layers.7.self_attn.q_proj.weight`, GPT-2's `transformer.h.7.`)
// map to one role vocabulary, the block number and the GGUF name llama.cpp's
// converter gives the tensor, so scans, plans, imatrix files and exports of
// one model agree whichever naming the file uses.
#include <string>

namespace qs {

struct TensorRole {
  // llama.cpp's tensor names without block and suffix: "attn_q", "attn_k",
  // "attn_v", "attn_output", "attn_qkv", "ffn_gate", "ffn_up", "ffn_down",
  // "ffn_gate_exps", "ffn_up_exps", "ffn_down_exps", "ffn_gate_inp",
  // "attn_norm", "ffn_norm", "token_embd", "output", "output_norm",
  // "position_embd"; "other" when the name is not recognised.
  std::string role = "other";
  int block = -1;       // the transformer block, -1 outside blocks
  std::string ggufName; // "blk.7.attn_q.weight"; empty when not recognised
  bool isBias = false;  // a ".bias" tensor
};

TensorRole tensorRole(const std::string& name);

} // namespace qs
