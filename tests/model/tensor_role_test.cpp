// Roles, blocks and GGUF names from tensor names: llama.cpp's own names and
// the Hugging Face names its converter maps to them.
#include "core/model/tensor_role.h"

#include <gtest/gtest.h>

namespace qs {
namespace {

void expectRole(const std::string& name, const std::string& role, int block, const std::string& gguf) {
  const TensorRole r = tensorRole(name);
  EXPECT_EQ(r.role, role) << name;
  EXPECT_EQ(r.block, block) << name;
  EXPECT_EQ(r.ggufName, gguf) << name;
}

TEST(TensorRole, GgufNames) {
  expectRole("blk.0.attn_q.weight", "attn_q", 0, "blk.0.attn_q.weight");
  expectRole("blk.31.ffn_down.weight", "ffn_down", 31, "blk.31.ffn_down.weight");
  expectRole("blk.3.ffn_gate_exps.weight", "ffn_gate_exps", 3, "blk.3.ffn_gate_exps.weight");
  expectRole("token_embd.weight", "token_embd", -1, "token_embd.weight");
  expectRole("output.weight", "output", -1, "output.weight");
  expectRole("output_norm.weight", "output_norm", -1, "output_norm.weight");
}

TEST(TensorRole, HuggingFaceLlamaNames) {
  expectRole("model.layers.7.self_attn.q_proj.weight", "attn_q", 7, "blk.7.attn_q.weight");
  expectRole("model.layers.7.self_attn.k_proj.weight", "attn_k", 7, "blk.7.attn_k.weight");
  expectRole("model.layers.7.self_attn.v_proj.weight", "attn_v", 7, "blk.7.attn_v.weight");
  expectRole("model.layers.7.self_attn.o_proj.weight", "attn_output", 7, "blk.7.attn_output.weight");
  expectRole("model.layers.7.mlp.gate_proj.weight", "ffn_gate", 7, "blk.7.ffn_gate.weight");
  expectRole("model.layers.7.mlp.up_proj.weight", "ffn_up", 7, "blk.7.ffn_up.weight");
  expectRole("model.layers.12.mlp.down_proj.weight", "ffn_down", 12, "blk.12.ffn_down.weight");
  expectRole("model.layers.0.input_layernorm.weight", "attn_norm", 0, "blk.0.attn_norm.weight");
  expectRole("model.layers.0.post_attention_layernorm.weight", "ffn_norm", 0, "blk.0.ffn_norm.weight");
  expectRole("model.layers.2.self_attn.q_proj.bias", "attn_q", 2, "blk.2.attn_q.bias");
  EXPECT_TRUE(tensorRole("model.layers.2.self_attn.q_proj.bias").isBias);
  expectRole("model.embed_tokens.weight", "token_embd", -1, "token_embd.weight");
  expectRole("lm_head.weight", "output", -1, "output.weight");
  expectRole("model.norm.weight", "output_norm", -1, "output_norm.weight");
}

TEST(TensorRole, OtherFamilies) {
  // Mixtral / Qwen-MoE experts and routers.
  expectRole("model.layers.1.block_sparse_moe.experts.3.w1.weight", "ffn_gate_exps", 1,
             "blk.1.ffn_gate_exps.weight");
  expectRole("model.layers.1.block_sparse_moe.experts.3.w2.weight", "ffn_down_exps", 1,
             "blk.1.ffn_down_exps.weight");
  expectRole("model.layers.1.block_sparse_moe.gate.weight", "ffn_gate_inp", 1, "blk.1.ffn_gate_inp.weight");
  expectRole("model.layers.1.mlp.gate.weight", "ffn_gate_inp", 1, "blk.1.ffn_gate_inp.weight");
  // GPT-2: c_proj is the attention output or the MLP down projection by its parent.
  expectRole("transformer.h.4.attn.c_attn.weight", "attn_qkv", 4, "blk.4.attn_qkv.weight");
  expectRole("transformer.h.4.attn.c_proj.weight", "attn_output", 4, "blk.4.attn_output.weight");
  expectRole("transformer.h.4.mlp.c_fc.weight", "ffn_up", 4, "blk.4.ffn_up.weight");
  expectRole("transformer.h.4.mlp.c_proj.weight", "ffn_down", 4, "blk.4.ffn_down.weight");
  expectRole("transformer.wte.weight", "token_embd", -1, "token_embd.weight");
  expectRole("transformer.wpe.weight", "position_embd", -1, "position_embd.weight");
  // GPT-NeoX.
  expectRole("gpt_neox.layers.2.attention.query_key_value.weight", "attn_qkv", 2, "blk.2.attn_qkv.weight");
  expectRole("gpt_neox.layers.2.attention.dense.weight", "attn_output", 2, "blk.2.attn_output.weight");
  expectRole("gpt_neox.layers.2.mlp.dense_4h_to_h.weight", "ffn_down", 2, "blk.2.ffn_down.weight");
  expectRole("embed_out.weight", "output", -1, "output.weight");
  // Unknown names keep their block but no GGUF name.
  expectRole("model.layers.5.adapter.lora_A.weight", "other", 5, "");
  expectRole("conv1.weight", "other", -1, "");
}

} // namespace
} // namespace qs
