"""Fuzz seeds for the GGUF reader's type handling (tests/data/fuzz/gguf/type_*.gguf):
one small valid file per read-only type (one block of random valid bytes, as
gguf_dequant_refs.random_blocks makes them), and files whose tensors are of a
removed id (4), an id ggml never had (99) and a sized type QuantScope cannot
read (Q2_0, 42), each beside a readable tensor. Run once to refresh:
    /usr/bin/python3 tests/data/make_gguf_type_seeds.py tests/data/fuzz/gguf"""
import os
import sys

import numpy as np

import gguf_dequant_refs as refs
import gguf_writer as g

out = sys.argv[1]
rng = np.random.default_rng(3)
for type_id, (name, be, _) in sorted(refs.READ_ONLY.items()):
    n = 32 if be == 1 else 1  # plain types: 32 values; block types: one block
    raw = refs.random_blocks(type_id, n, rng)
    g.write_gguf(os.path.join(out, "type_%s.gguf" % name.lower()), [], [("w", [be * n], type_id, raw)])
f32 = np.arange(8, dtype=np.float32).tobytes()
for label, type_id, ne, nbytes in (("removed", 4, [32], 20), ("unknown", 99, [16], 16), ("q2_0", 42, [64], 18)):
    g.write_gguf(os.path.join(out, "type_%s.gguf" % label), [],
                 [("a", [8], 0, f32), ("w", ne, type_id, bytes(nbytes))])
