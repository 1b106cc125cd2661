"""Model folders for openModel (core/io/model_source.h), written by hand with
NumPy: a Hugging Face sharded checkpoint (3 safetensors shards,
model.safetensors.index.json, config.json), a folder without an index, a GGUF
file naming its architecture, the broken variants, and 30 shards of 200
tensors each for the timing test. expected.json lists, per folder, every
tensor's name, shape, stored dtype, owning file and float32 values."""
import json
import os
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gguf_writer import ARRAY, STRING, U32, write_gguf  # noqa: E402
from safetensors_writer import write_safetensors  # noqa: E402

rng = np.random.default_rng(11)


def bf16(values):
    """float32 → bfloat16 bytes by round-to-nearest-even, and the float32 they decode to."""
    bits = np.asarray(values, dtype="<f4").view("<u4").astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype("<u2")
    decoded = (rounded.astype("<u4") << 16).view("<f4")
    return rounded.tobytes(), decoded


def tensor(name, shape, dtype):
    """(safetensors entry, expected record) for a random tensor."""
    x = rng.standard_normal(shape).astype(np.float32)
    if dtype == "F32":
        raw, dec = x.astype("<f4").tobytes(), x
    elif dtype == "F16":
        h = x.astype("<f2")
        raw, dec = h.tobytes(), h.astype(np.float32)
    else:
        raw, dec = bf16(x)
        dec = dec.reshape(shape)
    stored = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[dtype]
    return (name, dtype, list(shape), raw), {"name": name, "shape": list(shape), "dtype": stored,
                                             "values": [float(v) for v in np.asarray(dec).ravel()]}


def fresh(out, sub):
    d = os.path.join(out, sub)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def write_shards(d, shards, index=True, extra_map=None, drop_from_map=None, metadata=None):
    """shards: {file: [(name, shape, dtype)]}. Returns the expected records (with "file")."""
    records, weight_map, total = [], {}, 0
    for file in sorted(shards):
        entries = []
        for name, shape, dtype in shards[file]:
            entry, rec = tensor(name, shape, dtype)
            entries.append(entry)
            rec["file"] = file
            records.append(rec)
            weight_map[name] = file
            total += len(entry[3])
        write_safetensors(os.path.join(d, file), entries, metadata={"format": "pt"})
    if index:
        weight_map.update(extra_map or {})
        for name in drop_from_map or []:
            del weight_map[name]
        with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": metadata if metadata is not None else {"total_size": total},
                       "weight_map": weight_map}, f, indent=1)
    return records, total


HF_SHARDS = {
    "model-00001-of-00003.safetensors": [("model.embed_tokens.weight", (16, 8), "BF16"),
                                         ("model.layers.0.self_attn.q_proj.weight", (8, 8), "F32")],
    "model-00002-of-00003.safetensors": [("model.layers.0.mlp.down_proj.weight", (8, 12), "F16"),
                                         ("model.layers.0.input_layernorm.weight", (8,), "F32"),
                                         ("model.layers.1.self_attn.q_proj.weight", (8, 8), "F32")],
    "model-00003-of-00003.safetensors": [("model.norm.weight", (8,), "F32"),
                                         ("lm_head.weight", (16, 8), "F16")],
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    expected = {}

    d = fresh(out, "hf")
    records, total = write_shards(d, HF_SHARDS)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 8}, f)
    with open(os.path.join(d, "README.md"), "w") as f:
        f.write("not a tensor file\n")
    # A stray tensor file the index does not name: opening must ignore it.
    write_safetensors(os.path.join(d, "stray.safetensors"), [tensor("stray", (2,), "F32")[0]])
    expected["hf"] = {"tensors": records, "total_size": total, "architecture": "LlamaForCausalLM"}

    # No index: every tensor file, sorted by name; config.json with model_type only.
    d = fresh(out, "plain")
    b_entry, b_rec = tensor("b.weight", (3, 5), "F32")
    a_entry, a_rec = tensor("a.weight", (4, 2), "F16")
    write_safetensors(os.path.join(d, "part_b.safetensors"), [b_entry])
    write_safetensors(os.path.join(d, "part_a.safetensors"), [a_entry])
    c = rng.standard_normal((2, 3)).astype(np.float32)
    np.save(os.path.join(d, "c.npy"), c)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump({"model_type": "gpt2"}, f)
    with open(os.path.join(d, "notes.txt"), "w") as f:
        f.write("ignored\n")
    a_rec["file"], b_rec["file"] = "part_a.safetensors", "part_b.safetensors"
    c_rec = {"name": "c", "shape": [2, 3], "dtype": "float32", "values": [float(v) for v in c.ravel()],
             "file": "c.npy"}
    expected["plain"] = {"tensors": [c_rec, a_rec, b_rec], "architecture": "gpt2"}

    # One GGUF file naming its architecture.
    d = fresh(out, "gguf")
    g = rng.standard_normal((3, 4)).astype(np.float32)
    write_gguf(os.path.join(d, "tiny.gguf"), [("general.architecture", STRING, "qwen2"),
                                              ("general.tags", ARRAY, (STRING, ["a"])),
                                              ("general.alignment", U32, 32)],
               [("token_embd.weight", [4, 3], 0, g.astype("<f4").tobytes())])
    expected["gguf"] = {"tensors": [{"name": "token_embd.weight", "shape": [3, 4], "dtype": "F32",
                                     "values": [float(v) for v in g.ravel()]}], "architecture": "qwen2"}

    # The broken variants.
    d = fresh(out, "bad_missing_shard")
    write_shards(d, HF_SHARDS)
    os.remove(os.path.join(d, "model-00002-of-00003.safetensors"))

    d = fresh(out, "bad_not_in_shard")
    write_shards(d, HF_SHARDS, extra_map={"model.layers.9.mlp.up_proj.weight": "model-00003-of-00003.safetensors"})

    d = fresh(out, "bad_extra_tensor")
    write_shards(d, HF_SHARDS, drop_from_map=["model.norm.weight"])

    d = fresh(out, "bad_wrong_shard")
    write_shards(d, HF_SHARDS, extra_map={"lm_head.weight": "model-00001-of-00003.safetensors"})

    d = fresh(out, "bad_escape")
    write_shards(d, HF_SHARDS, extra_map={"lm_head.weight": "../hf/model-00003-of-00003.safetensors"})

    d = fresh(out, "bad_dup")
    write_safetensors(os.path.join(d, "one.safetensors"), [tensor("shared.weight", (2, 2), "F32")[0]])
    write_safetensors(os.path.join(d, "two.safetensors"), [tensor("other", (2,), "F32")[0],
                                                            tensor("shared.weight", (2, 2), "F32")[0]])

    d = fresh(out, "bad_index_json")
    write_shards(d, HF_SHARDS, index=False)
    with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
        f.write('{"metadata": {"total_size": 1}, "weight_map": {"model.norm.weight": ')

    d = fresh(out, "bad_index_shape")
    write_shards(d, HF_SHARDS, index=False)
    with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
        json.dump({"weight_map": {"model.norm.weight": 3}}, f)

    d = fresh(out, "bad_config_json")
    write_shards(d, HF_SHARDS)
    with open(os.path.join(d, "config.json"), "w") as f:
        f.write('{"architectures": ["Llama"')

    d = fresh(out, "bad_config_type")
    write_shards(d, HF_SHARDS)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump({"architectures": "LlamaForCausalLM"}, f)

    d = fresh(out, "empty")
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump({"model_type": "llama"}, f)

    # 30 shards × 200 small tensors, with an index: opening must be quick.
    d = fresh(out, "many")
    weight_map = {}
    for s in range(30):
        file = "model-%05d-of-00030.safetensors" % (s + 1)
        entries = []
        for t in range(200):
            name = "model.layers.%d.block.%d.weight" % (s, t)
            entries.append((name, "F32", [4, 4], np.full((4, 4), s + t / 256, dtype="<f4").tobytes()))
            weight_map[name] = file
        write_safetensors(os.path.join(d, file), entries)
    with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": 30 * 200 * 64}, "weight_map": weight_map}, f)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump({"architectures": ["MistralForCausalLM"]}, f)

    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    main()
