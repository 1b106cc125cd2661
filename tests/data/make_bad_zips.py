"""Hostile zip-based inputs for bad_input_test: a zip bomb whose zip64
directory claims 256 GiB from a few bytes, members that lie about their
size, a corrupted CRC, PyTorch-style checkpoints, a zip without .npy."""
import io
import os
import pickle
import struct
import sys
import zipfile
import zlib

import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def npy_header(shape, descr="<f4"):
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def raw_zip(name, comp_data, method, crc, declared_size, comp_size):
    """One-member zip with zip64 extra fields so any declared size fits."""
    n = name.encode()
    extra = struct.pack("<HHQQ", 1, 16, declared_size, comp_size)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, method, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                        len(n), len(extra)) + n + extra
    central_extra = struct.pack("<HHQQQ", 1, 24, declared_size, comp_size, 0)
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, method, 0, 0x21, crc, 0xFFFFFFFF,
                          0xFFFFFFFF, len(n), len(central_extra), 0, 0, 0, 0, 0xFFFFFFFF) + n + central_extra
    body = local + comp_data
    cd_off = len(body)
    z64_end = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, 1, 1, len(central), cd_off)
    z64_loc = struct.pack("<IIQI", 0x07064B50, 0, cd_off + len(central), 1)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return body + central + z64_end + z64_loc + end


# Bomb: a header claiming 2^36 float32 (256 GiB), declared size to match, a tiny deflate stream.
hdr = npy_header((2**36,))
c = zlib.compressobj(9, zlib.DEFLATED, -15)
data = c.compress(hdr + b"\0" * 65536) + c.flush()
open(os.path.join(out, "bomb.npz"), "wb").write(
    raw_zip("w.npy", data, 8, zlib.crc32(hdr), len(hdr) + 4 * 2**36, len(data)))

# A member whose header describes 1000 floats while the member holds 4.
payload = npy_header((1000,)) + b"\0" * 16
with zipfile.ZipFile(os.path.join(out, "short_member.npz"), "w") as z:
    z.writestr("w.npy", payload)

# Stored member with one data byte flipped after writing: the CRC no longer matches.
good = npy_header((4,)) + np.arange(4, dtype="<f4").tobytes()
with zipfile.ZipFile(os.path.join(out, "bad_crc.npz"), "w") as z:
    z.writestr("w.npy", good)
blob = bytearray(open(os.path.join(out, "bad_crc.npz"), "rb").read())
i = blob.find(good) + len(good) - 1
blob[i] ^= 0xFF
open(os.path.join(out, "bad_crc.npz"), "wb").write(bytes(blob))

# Truncated archive: the first 60 bytes of a valid npz.
buf = io.BytesIO()
np.savez(buf, w=np.arange(100, dtype="<f4"))
open(os.path.join(out, "truncated.npz"), "wb").write(buf.getvalue()[:60])

# PyTorch's zip layout (archive/data.pkl) and a raw protocol-2 pickle.
with zipfile.ZipFile(os.path.join(out, "torch_zip.pt"), "w") as z:
    z.writestr("archive/data.pkl", pickle.dumps({"w": 1}, protocol=2))
    z.writestr("archive/version", "3\n")
open(os.path.join(out, "legacy.bin"), "wb").write(pickle.dumps({"w": [1.0, 2.0]}, protocol=2))

# A zip with no .npy members.
with zipfile.ZipFile(os.path.join(out, "no_npy.npz"), "w") as z:
    z.writestr("readme.txt", "hello")
