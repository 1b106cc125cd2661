"""References for the model scan (tests/model/scan_test.cpp), from the metric
definitions in README "Metrics", in float64 over float32 values.

Writes into OUT_DIR:
  scan_model.safetensors  a small llama-style checkpoint: BF16 and F32 weights
                          (one with outlier channels), a norm vector and an
                          int64 buffer
  scan_refs.json          per tensor: its statistics, and per candidate
                          ("int8" per channel, "int4" in groups of 128) the
                          metrics and bits per element
  scan_imatrix.safetensors  tensors for the importance-weighted error: an HF
                          name found in the imatrix by its GGUF name, a 3-D
                          expert stack, one the imatrix lacks, one it sizes wrong
  scan_imatrix.dat        a legacy llama.cpp imatrix for them (ncall 4)
  scan_imatrix_refs.json  per tensor the INT8 per-channel weighted error
                          Σ_j w_j Σ_i e_ij² (w_j = value_j / ncall, as
                          llama-quantize loads it), or sse × the mean weight
Rounding as torch.fake_quantize_per_channel_affine: rint(x * (1 / s)) in float32.
"""
import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_writer import write_safetensors  # noqa: E402
from int_reference import fake_quant_rows  # noqa: E402


def int8_channel(w):
    return fake_quant_rows(w, 8), w.shape[0]


def int4_group(w, g=128):
    out = np.empty_like(w)
    groups = 0
    for start in range(0, w.shape[1], g):
        end = min(w.shape[1], start + g)
        out[:, start:end] = fake_quant_rows(w[:, start:end], 4)
        groups += w.shape[0]
    return out, groups


def metrics(w, q, bits, segments):
    x = w.astype(np.float64)
    e = x - q.astype(np.float64)
    sse = (e * e).sum()
    sx = (x * x).sum()
    sq = (q.astype(np.float64) ** 2).sum()
    return {
        "sse": sse,
        "mse": sse / x.size,
        "sqnr_db": 10 * np.log10(sx / sse),
        "rel_error": np.sqrt(sse / sx),
        "cosine": (x * q.astype(np.float64)).sum() / np.sqrt(sx * sq),
        "max_abs_error": np.abs(e).max(),
        "bits_per_element": bits + segments * 32 / x.size,
    }


def stats(w):
    x = w.astype(np.float64).ravel()
    d = x - x.mean()
    m2 = (d * d).mean()
    absmax = np.abs(w).max(axis=1)
    return {
        "absmax": np.abs(x).max(),
        "std": np.sqrt(m2),
        "kurtosis": (d ** 4).mean() / (m2 * m2) - 3,
        "outlier_channels": int((absmax > 6 * np.median(absmax)).sum()),
    }


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(11)
    q_proj = torch.from_numpy(rng.standard_normal((96, 96)).astype(np.float32) * 0.05).bfloat16()
    down = (rng.laplace(size=(96, 200)) * 0.02).astype(np.float32)
    down[[5, 40, 77], :] *= 30  # outlier channels
    up = rng.standard_normal((200, 96)).astype(np.float32) * 0.03
    embed = rng.standard_normal((64, 96)).astype(np.float32)
    norm = np.ones(96, np.float32)
    ids = np.arange(16, dtype=np.int64).reshape(1, 16)
    bf16_bytes = q_proj.view(torch.int16).numpy().tobytes()
    write_safetensors(os.path.join(out, "scan_model.safetensors"), [
        ("model.embed_tokens.weight", "F32", embed.shape, embed.tobytes()),
        ("model.layers.0.self_attn.q_proj.weight", "BF16", q_proj.shape, bf16_bytes),
        ("model.layers.0.mlp.down_proj.weight", "F32", down.shape, down.tobytes()),
        ("model.layers.0.input_layernorm.weight", "F32", norm.shape, norm.tobytes()),
        ("model.layers.1.mlp.up_proj.weight", "F32", up.shape, up.tobytes()),
        ("position_ids", "I64", ids.shape, ids.tobytes()),
    ])
    weights = {
        "model.embed_tokens.weight": embed,
        "model.layers.0.self_attn.q_proj.weight": q_proj.float().numpy(),
        "model.layers.0.mlp.down_proj.weight": down,
        "model.layers.1.mlp.up_proj.weight": up,
    }
    refs = {}
    for name, w in weights.items():
        q8, s8 = int8_channel(w)
        q4, s4 = int4_group(w)
        refs[name] = {"stats": stats(w), "int8": metrics(w, q8, 8, s8), "int4": metrics(w, q4, 4, s4)}
    with open(os.path.join(out, "scan_refs.json"), "w") as f:
        json.dump(refs, f, indent=1)
    write_imatrix_case(out, rng)


def write_imatrix_case(out, rng):
    q = rng.standard_normal((96, 96)).astype(np.float32) * 0.05
    exps = rng.standard_normal((2, 16, 64)).astype(np.float32) * 0.1
    down = rng.standard_normal((32, 64)).astype(np.float32) * 0.1
    k = rng.standard_normal((16, 64)).astype(np.float32) * 0.1
    tensors = [("model.layers.0.self_attn.q_proj.weight", q), ("blk.1.ffn_up_exps.weight", exps),
               ("model.layers.1.mlp.down_proj.weight", down), ("blk.2.attn_k.weight", k)]
    write_safetensors(os.path.join(out, "scan_imatrix.safetensors"),
                      [(n, "F32", w.shape, w.tobytes()) for n, w in tensors])
    ncall = 4
    values = {"blk.0.attn_q.weight": rng.uniform(0.1, 9.0, 96).astype(np.float32),
              "blk.1.ffn_up_exps.weight": rng.uniform(0.1, 9.0, 2 * 64).astype(np.float32),
              "blk.2.attn_k.weight": rng.uniform(0.1, 9.0, 48).astype(np.float32)}
    raw = struct.pack("<i", len(values))
    for name, v in values.items():
        b = name.encode()
        raw += struct.pack("<i", len(b)) + b + struct.pack("<ii", ncall, v.size) + v.astype("<f4").tobytes()
    raw += struct.pack("<ii", 10, 4) + b"wiki"
    with open(os.path.join(out, "scan_imatrix.dat"), "wb") as f:
        f.write(raw)
    weights = {n: (v / np.float32(ncall)).astype(np.float32) for n, v in values.items()}
    mean_weight = np.concatenate(list(weights.values())).astype(np.float64).mean()
    refs = {}
    for name, w in tensors:
        deq = fake_quant_rows(w.reshape(w.shape[0], -1), 8).reshape(w.shape)
        e2 = (w.astype(np.float64) - deq.astype(np.float64)) ** 2
        sse = e2.sum()
        if name.startswith("model.layers.0"):
            weighted = (e2 * weights["blk.0.attn_q.weight"].astype(np.float64)).sum()
        elif name.startswith("blk.1"):
            cw = weights["blk.1.ffn_up_exps.weight"].astype(np.float64).reshape(2, 1, 64)
            weighted = (e2 * cw).sum()
        else:  # not in the imatrix, or sized for another tensor
            weighted = sse * mean_weight
        refs[name] = {"sse": sse, "weighted_sse": weighted}
    with open(os.path.join(out, "scan_imatrix_refs.json"), "w") as f:
        json.dump(refs, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
