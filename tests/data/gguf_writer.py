"""A minimal GGUF v2/v3 writer (no gguf pip package here), after llama.cpp's
gguf.py: header, key/values, tensor infos (ne innermost first), aligned data."""
import struct

import numpy as np

U8, I8, U16, I16, U32, I32, F32, BOOL, STRING, ARRAY, U64, I64, F64 = range(13)
_FMT = {U8: "<B", I8: "<b", U16: "<H", I16: "<h", U32: "<I", I32: "<i", F32: "<f", BOOL: "<?",
        U64: "<Q", I64: "<q", F64: "<d"}


def _string(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("<Q", len(b)) + b


def _value(vtype, v):
    if vtype == STRING:
        return _string(v)
    if vtype == ARRAY:
        elem, items = v
        out = struct.pack("<IQ", elem, len(items))
        for it in items:
            out += _value(elem, it)
        return out
    return struct.pack(_FMT[vtype], v)


def write_gguf(path, kvs, tensors, alignment=32, version=3):
    """kvs: [(key, type, value)] (arrays: (ARRAY, (elem_type, [values])));
    tensors: [(name, ne list innermost first, ggml type id, raw bytes)]."""
    out = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(kvs))
    for key, vtype, v in kvs:
        out += _string(key) + struct.pack("<I", vtype) + _value(vtype, v)
    offset = 0
    offsets = []
    for name, ne, ttype, raw in tensors:
        offsets.append(offset)
        out += _string(name) + struct.pack("<I", len(ne)) + b"".join(struct.pack("<Q", n) for n in ne)
        out += struct.pack("<IQ", ttype, offset)
        offset += len(raw)
        offset += (alignment - offset % alignment) % alignment
    out += b"\0" * ((alignment - len(out) % alignment) % alignment)
    data = b""
    for (name, ne, ttype, raw), off in zip(tensors, offsets):
        data += b"\0" * (off - len(data)) + raw
    with open(path, "wb") as f:
        f.write(out + data)
