"""GGUF fixtures for the type table and the read-only types.

readonly.gguf: a tensor of every read-only type (IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS,
  IQ2_S, IQ3_XXS, IQ3_S, Q8_1, Q8_K, F64, I8, I16, I32, I64) of random valid
  blocks; the expected floats come from gguf_dequant_refs.py (manifest.json,
  compared bit for bit).
every_type.gguf: one tensor of EVERY ggml type id with a size (0..42 less the
  removed ids), random bytes of the right size; types.json says per tensor its
  type name, id and bytes, and (for the read-only types) the expected floats.
unknown_types.gguf: ids 4 and 5 (Q4_2, Q4_3, removed from ggml) and 99 (never
  a ggml type) between two readable tensors."""
import json

import numpy as np

from fixture_common import Manifest, out_dir_from_argv
import gguf_dequant_refs as refs
import gguf_writer as g

m = Manifest(out_dir_from_argv())
rng = np.random.default_rng(11)

# ggml.h ids with their (name, block elements, block bytes) per ggml.c type_traits.
SIZED = {
    0: ("F32", 1, 4), 1: ("F16", 1, 2), 2: ("Q4_0", 32, 18), 3: ("Q4_1", 32, 20), 6: ("Q5_0", 32, 22),
    7: ("Q5_1", 32, 24), 8: ("Q8_0", 32, 34), 10: ("Q2_K", 256, 84), 11: ("Q3_K", 256, 110),
    12: ("Q4_K", 256, 144), 13: ("Q5_K", 256, 176), 14: ("Q6_K", 256, 210), 20: ("IQ4_NL", 32, 18),
    23: ("IQ4_XS", 256, 136), 30: ("BF16", 1, 2), 34: ("TQ1_0", 256, 54), 35: ("TQ2_0", 256, 66),
    39: ("MXFP4", 32, 17), 40: ("NVFP4", 64, 36), 41: ("Q1_0", 128, 18), 42: ("Q2_0", 64, 18),
}
SIZED.update(refs.READ_ONLY)


def tensor_for(type_id, rows):
    """(name, ne, id, raw, expected or None): rows x one block's worth (plain types: 256 values)."""
    name, be, bb = SIZED[type_id]
    per = 256 if be == 1 else max(be, 256)
    ne = [per, rows]
    if type_id in refs.READ_ONLY:
        raw = refs.random_blocks(type_id, rows * per // be, rng)
        expected = refs.dequantize(type_id, raw).reshape(rows, per)
    else:
        raw = rng.integers(0, 256, rows * per // be * bb, dtype=np.uint8).tobytes()
        if type_id in (0, 1, 30):  # keep the plain float types free of NaN patterns
            raw = np.zeros(len(raw), np.uint8).tobytes()
        expected = None
    return "t.%s" % name.lower(), ne, type_id, raw, expected


# readonly.gguf, checked like every other fixture.
tensors, expected = [], []
for type_id in sorted(refs.READ_ONLY):
    name, ne, tid, raw, exp = tensor_for(type_id, 3)
    tensors.append((name, ne, tid, raw))
    expected.append((name, exp, refs.READ_ONLY[type_id][0]))
g.write_gguf(m.path("readonly.gguf"), [("general.architecture", g.STRING, "llama")], tensors)
m.add("readonly.gguf", expected, metadata={"general.architecture": "llama"}, fmt="gguf")

# every_type.gguf: listing, sizes, and what reads.
types = {"every_type.gguf": [], "unknown_types.gguf": []}
tensors = []
for type_id in sorted(SIZED):
    name, ne, tid, raw, exp = tensor_for(type_id, 2)
    tensors.append((name, ne, tid, raw))
    ref = None
    if exp is not None:
        ref = "every_%s.f32" % SIZED[type_id][0]
        exp.astype("<f4").tofile(m.path(ref))
    types["every_type.gguf"].append({"name": name, "type_id": type_id, "type": SIZED[type_id][0],
                                     "shape": list(reversed(ne)), "bytes": len(raw), "expected": ref})
g.write_gguf(m.path("every_type.gguf"), [], tensors)

# unknown_types.gguf: ids without a size next to readable tensors.
f = rng.standard_normal((2, 8)).astype(np.float32)
_, ne_iq, _, raw_iq, exp_iq = tensor_for(16, 2)
np.asarray(f).astype("<f4").tofile(m.path("unknown_f32.f32"))
exp_iq.astype("<f4").tofile(m.path("unknown_iq2_xxs.f32"))
tensors = [("first.f32", [8, 2], 0, f.tobytes()), ("q4_2", [32, 2], 4, bytes(40)), ("q4_3", [32], 5, bytes(24)),
           ("mystery", [16, 4], 99, bytes(64)), ("last.iq2_xxs", ne_iq, 16, raw_iq)]
for name, ne, tid, raw in tensors:
    known = {0: ("F32", "unknown_f32.f32"), 16: ("IQ2_XXS", "unknown_iq2_xxs.f32")}.get(tid)
    types["unknown_types.gguf"].append({
        "name": name, "type_id": tid, "type": known[0] if known else {4: "Q4_2", 5: "Q4_3"}.get(tid, "type 99"),
        "shape": list(reversed(ne)), "bytes": len(raw) if known else 0, "expected": known[1] if known else None})
g.write_gguf(m.path("unknown_types.gguf"), [("general.architecture", g.STRING, "llama")], tensors)

with open(m.path("types.json"), "w") as fh:
    json.dump(types, fh, indent=1)
m.write()
