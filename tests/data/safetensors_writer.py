"""A minimal safetensors writer (the pip package is not installed here):
u64 little-endian header length, JSON header padded with spaces to a multiple
of 8, then the tensors' bytes back to back in header order."""
import json
import struct


def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, dtype string like "F32", shape list, raw bytes)."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    offset = 0
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for _, _, _, raw in tensors:
            f.write(raw)
