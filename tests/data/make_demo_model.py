"""A small llama-like Hugging Face model folder, for the Model view's tests and
screenshots: config.json, model.safetensors.index.json and two bf16 shards.

usage: make_demo_model.py OUT_DIR [--blocks N] [--hidden H] [--ffn F] [--vocab V]

Weights are Gaussian (attention) and Laplace (MLP) with std 0.02, a few output
channels scaled up as outliers; the first and the last block are heavier
tailed (Student-t, more outlier channels), as in real checkpoints where those
blocks are the sensitive ones. Norms are ones with small noise; k/v use
grouped-query attention (a quarter of the heads)."""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_writer import write_safetensors  # noqa: E402


def bf16_bytes(x):
    """float32 -> bfloat16 bytes, rounding to nearest even."""
    u = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return rounded.astype(np.uint16).tobytes()


def weight(rng, shape, kind, outliers, scale_up):
    if kind == "gauss":
        w = rng.standard_normal(shape)
    elif kind == "laplace":
        w = rng.laplace(size=shape) / np.sqrt(2.0)
    else:  # heavy tails
        w = rng.standard_t(3, size=shape) / np.sqrt(3.0)
    w *= 0.02
    rows = rng.choice(shape[0], size=outliers, replace=False)
    w[rows] *= scale_up
    return w.astype(np.float32)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--blocks", type=int, default=6)
    p.add_argument("--hidden", type=int, default=512)
    p.add_argument("--ffn", type=int, default=1536)
    p.add_argument("--vocab", type=int, default=2048)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = np.random.default_rng(11)
    h, f, kv = a.hidden, a.ffn, a.hidden // 4

    tensors = [("model.embed_tokens.weight", weight(rng, (a.vocab, h), "gauss", 4, 4.0))]
    for b in range(a.blocks):
        edge = b == 0 or b == a.blocks - 1
        attn = "heavy" if edge else "gauss"
        mlp = "heavy" if edge else "laplace"
        n_out, up = (8, 10.0) if edge else (2, 4.0)
        pre = "model.layers.%d." % b
        tensors += [
            (pre + "input_layernorm.weight", (1 + 0.05 * rng.standard_normal(h)).astype(np.float32)),
            (pre + "self_attn.q_proj.weight", weight(rng, (h, h), attn, n_out, up)),
            (pre + "self_attn.k_proj.weight", weight(rng, (kv, h), attn, n_out, up)),
            (pre + "self_attn.v_proj.weight", weight(rng, (kv, h), attn, n_out // 2, up)),
            (pre + "self_attn.o_proj.weight", weight(rng, (h, h), attn, n_out, up)),
            (pre + "post_attention_layernorm.weight", (1 + 0.05 * rng.standard_normal(h)).astype(np.float32)),
            (pre + "mlp.gate_proj.weight", weight(rng, (f, h), mlp, n_out, up)),
            (pre + "mlp.up_proj.weight", weight(rng, (f, h), mlp, n_out, up)),
            (pre + "mlp.down_proj.weight", weight(rng, (h, f), mlp, n_out, up)),
        ]
    tensors.append(("model.norm.weight", (1 + 0.05 * rng.standard_normal(h)).astype(np.float32)))
    tensors.append(("lm_head.weight", weight(rng, (a.vocab, h), "gauss", 4, 4.0)))

    half = len(tensors) // 2
    shards = [tensors[:half], tensors[half:]]
    names = ["model-%05d-of-%05d.safetensors" % (i + 1, len(shards)) for i in range(len(shards))]
    weight_map = {}
    total = 0
    for shard, name in zip(shards, names):
        entries = [(n, "BF16", list(t.shape), bf16_bytes(t)) for n, t in shard]
        write_safetensors(os.path.join(a.out, name), entries, {"format": "pt"})
        for n, t in shard:
            weight_map[n] = name
            total += 2 * t.size
    with open(os.path.join(a.out, "model.safetensors.index.json"), "w") as fp:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, fp, indent=2)
    config = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": h,
        "intermediate_size": f,
        "num_hidden_layers": a.blocks,
        "num_attention_heads": 8,
        "num_key_value_heads": 2,
        "vocab_size": a.vocab,
        "torch_dtype": "bfloat16",
    }
    with open(os.path.join(a.out, "config.json"), "w") as fp:
        json.dump(config, fp, indent=2)


if __name__ == "__main__":
    main()
