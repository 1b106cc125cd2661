"""The symmetric integer fake-quantization reference the fixture scripts share:
one scale per row, rounding as torch.fake_quantize_per_channel_affine does it,
rint(x * (1 / s)) in float32."""
import numpy as np


def fake_quant_rows(rows, bits):
    """Symmetric INT`bits` per row of a 2-D float32 array: s = absmax / (2^(bits-1) - 1)."""
    qmax = 2 ** (bits - 1) - 1
    amax = np.abs(rows).max(axis=1, keepdims=True).astype(np.float32)
    scale = (amax / np.float32(qmax)).astype(np.float32)
    scale[scale == 0] = np.float32(1)
    inv = (np.float32(1) / scale).astype(np.float32)
    q = np.clip(np.rint((rows * inv).astype(np.float32)), -qmax - 1, qmax)
    return (q * scale).astype(np.float32)
