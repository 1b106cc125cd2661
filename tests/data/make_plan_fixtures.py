"""A tiny Hugging Face-named model for the plan tests and exports, and the
AIMET encodings its weights must get, computed here from the definitions:

  symmetric INT-b per channel:  scale = amax / (2^(b-1) - 1)      (float32)
                                offset = -2^(b-1)
  affine INT-b per channel (PyTorch MinMaxObserver, float32 arithmetic):
      lo = min(min, 0), hi = max(max, 0)
      scale = max((hi - lo) / (2^b - 1), float32 eps)
      zero point z = clamp(0 - round_half_even(lo / scale), 0, 2^b - 1), offset = -z
  AIMET: min = scale * offset, max = scale * (2^b - 1 + offset)

usage: make_plan_fixtures.py OUT_DIR
writes OUT_DIR/model.safetensors, OUT_DIR/aimet_ref.json and OUT_DIR/model.gguf
(llama.cpp names, F16 matrices and F32 vectors, as llama.cpp's converter writes
them) for the llama-quantize export.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gguf_writer import STRING, U32, write_gguf  # noqa: E402
from safetensors_writer import write_safetensors  # noqa: E402

TENSORS = [
    ("model.embed_tokens.weight", (64, 32)),
    ("model.layers.0.input_layernorm.weight", (32,)),
    ("model.layers.0.self_attn.q_proj.weight", (32, 32)),
    ("model.layers.0.self_attn.k_proj.weight", (32, 32)),
    ("model.layers.0.mlp.down_proj.weight", (32, 64)),
    ("model.layers.1.self_attn.q_proj.weight", (32, 32)),
    ("model.layers.1.mlp.down_proj.weight", (32, 64)),
    ("model.norm.weight", (32,)),
    ("lm_head.weight", (64, 32)),
]


def values(name, shape, rng):
    x = rng.standard_normal(shape).astype(np.float32)
    if len(shape) == 2:
        # per-row scales spread over two decades, and a few outliers
        x *= np.exp(rng.uniform(-2.3, 2.3, size=(shape[0], 1))).astype(np.float32)
        x[rng.integers(0, shape[0]), rng.integers(0, shape[1])] *= np.float32(8)
    if "down_proj" in name:
        x += np.float32(0.3)  # off-centre rows: the affine zero point moves
    return x


def symmetric(row, bits):
    amax = np.float32(np.max(np.abs(row)))
    levels = np.float32((1 << (bits - 1)) - 1)
    scale = np.maximum(np.float32(amax / levels), np.finfo(np.float32).eps)
    return float(scale), -(1 << (bits - 1))


def affine(row, bits):
    lo = np.minimum(np.float32(row.min()), np.float32(0))
    hi = np.maximum(np.float32(row.max()), np.float32(0))
    qmax = (1 << bits) - 1
    scale = np.maximum(np.float32((hi - lo) / np.float32(qmax)), np.finfo(np.float32).eps)
    z = int(np.clip(0 - np.round(np.float32(lo / scale)), 0, qmax))  # np.round: half to even
    return float(scale), -z


def encodings(x, bits, sym):
    out = []
    for row in x:
        scale, offset = symmetric(row, bits) if sym else affine(row, bits)
        out.append({"bitwidth": bits, "is_symmetric": "True" if sym else "False", "scale": scale,
                    "offset": offset, "min": scale * offset, "max": scale * ((1 << bits) - 1 + offset)})
    return out


GGUF_TENSORS = [
    ("token_embd.weight", (128, 64)),
    ("blk.0.attn_norm.weight", (64,)),
    ("blk.0.attn_q.weight", (64, 64)),
    ("blk.0.attn_k.weight", (64, 64)),
    ("blk.0.ffn_down.weight", (64, 128)),
    ("blk.1.attn_norm.weight", (64,)),
    ("blk.1.attn_q.weight", (64, 64)),
    ("blk.1.attn_k.weight", (64, 64)),
    ("blk.1.ffn_down.weight", (64, 128)),
    ("blk.2.attn_q.weight", (64, 64)),
    ("blk.2.ffn_down.weight", (64, 128)),
    ("output_norm.weight", (64,)),
    ("output.weight", (128, 64)),
]


def write_gguf_model(path, rng):
    tensors = []
    for name, shape in GGUF_TENSORS:
        x = values(name, shape, rng)
        ne = list(reversed(shape))  # ggml: innermost (row length) first
        if x.ndim == 1:
            tensors.append((name, ne, 0, x.astype("<f4").tobytes()))  # F32
        else:
            tensors.append((name, ne, 1, x.astype("<f2").tobytes()))  # F16
    write_gguf(path, [("general.architecture", STRING, "llama"), ("llama.block_count", U32, 3)], tensors)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(11)
    data = [(name, values(name, shape, rng)) for name, shape in TENSORS]
    write_safetensors(os.path.join(out, "model.safetensors"),
                      [(n, "F32", x.shape, x.tobytes()) for n, x in data], {"format": "pt"})
    ref = {"int8_sym": {}, "int4_sym": {}, "int8_asym": {}, "int4_asym": {}}
    for name, x in data:
        if x.ndim != 2:
            continue
        ref["int8_sym"][name] = encodings(x, 8, True)
        ref["int4_sym"][name] = encodings(x, 4, True)
        ref["int8_asym"][name] = encodings(x, 8, False)
        ref["int4_asym"][name] = encodings(x, 4, False)
    with open(os.path.join(out, "aimet_ref.json"), "w") as f:
        json.dump(ref, f)
    write_gguf_model(os.path.join(out, "model.gguf"), rng)


if __name__ == "__main__":
    main()
