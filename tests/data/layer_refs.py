#!/usr/bin/python3
"""Independent PyTorch references for the layer workbench tests (core/layer).

  layer_refs.py hist_l2   X.f32 BITS OUT.json        HistogramObserver search
  layer_refs.py smooth    ACT.f32 W.f32 A1,A2.. OUT.f32 SmoothQuant scales (smooth.py)
  layer_refs.py invchol   H.f64 N LAMBDA OUT.f64      chol(cholesky_inverse(chol(H)), upper)
  layer_refs.py gptq      W.f32 X.f32 OUT ROWS COLS TOKENS BITS GROUP ACTORDER BLOCK

Raw little-endian arrays in and out; shapes come from the arguments.
"""
import json
import sys

import numpy as np
import torch


def hist_l2(args):
    x = torch.from_numpy(np.fromfile(args[0], dtype=np.float32))
    bits = int(args[1])
    obs = torch.ao.quantization.HistogramObserver(bins=2048, dtype=torch.quint8)
    obs.dst_nbins = 2 ** bits
    mn, mx = torch.aminmax(x)
    # torch 1.13's forward() truncates min/max to int for histc (a bug fixed in
    # 2.x); fill the histogram as 2.x does and run the search itself.
    obs.min_val.resize_(mn.shape).copy_(mn)
    obs.max_val.resize_(mx.shape).copy_(mx)
    obs.histogram.resize_(2048).copy_(torch.histc(x, 2048, min=mn.item(), max=mx.item()))
    new_min, new_max = obs._non_linear_param_search()
    json.dump({"min": float(new_min), "max": float(new_max)}, open(args[2], "w"))


def smooth(args):
    act = torch.from_numpy(np.fromfile(args[0], dtype=np.float32))
    w = torch.from_numpy(np.fromfile(args[1], dtype=np.float32))
    out = []
    for alpha in (float(a) for a in args[2].split(",")):
        weight_scales = w.clamp(min=1e-5)
        out.append((act.pow(alpha) / weight_scales.pow(1 - alpha)).clamp(min=1e-5))
    torch.cat(out).numpy().astype(np.float32).tofile(args[3])


def invchol(args):
    n = int(args[1])
    h = torch.from_numpy(np.fromfile(args[0], dtype=np.float64).reshape(n, n)).clone()
    h += float(args[2]) * torch.eye(n, dtype=torch.float64)
    u = torch.linalg.cholesky(torch.cholesky_inverse(torch.linalg.cholesky(h)), upper=True)
    u.numpy().tofile(args[3])


def gptq(args):
    """fasterquant() of the GPTQ reference (IST-DASLab/gptq, gptq.py) with the
    grid of QuantScope's symmetric int format: scale = amax / (2^(b-1) - 1),
    codes round(w * (1 / scale)) (torch fake_quantize's form) clamped to
    [-2^(b-1), 2^(b-1) - 1]. H and its factor in float64,
    the column loop in float32, as the C++ code."""
    rows, cols, tokens, bits, group, actorder, block = (int(a) for a in args[3:10])
    W = torch.from_numpy(np.fromfile(args[0], dtype=np.float32).reshape(rows, cols)).clone()
    X = torch.from_numpy(np.fromfile(args[1], dtype=np.float32).reshape(tokens, cols)).double()
    H = 2.0 * X.t() @ X / tokens
    qmax = 2 ** (bits - 1) - 1
    qmin = -(2 ** (bits - 1))
    eps = float(np.finfo(np.float32).eps)

    def params(x):  # one scale per row of x
        amax = x.abs().amax(dim=1)
        return torch.clamp(amax / qmax, min=eps)

    def quant(w, s):
        return torch.clamp(torch.round(w * (1.0 / s)), qmin, qmax) * s

    scale = params(W) if group <= 0 else None
    dead = torch.diag(H) == 0
    H[dead, dead] = 1
    W[:, dead] = 0
    if actorder:
        perm = torch.argsort(torch.diag(H), descending=True, stable=True)
        W = W[:, perm]
        H = H[perm][:, perm]
    damp = 0.01 * torch.mean(torch.diag(H))
    H += damp * torch.eye(cols, dtype=torch.float64)
    Hinv = torch.linalg.cholesky(torch.cholesky_inverse(torch.linalg.cholesky(H)), upper=True).float()
    Q = torch.zeros_like(W)
    for i1 in range(0, cols, block):
        i2 = min(i1 + block, cols)
        count = i2 - i1
        W1 = W[:, i1:i2].clone()
        Q1 = torch.zeros_like(W1)
        Err1 = torch.zeros_like(W1)
        Hinv1 = Hinv[i1:i2, i1:i2]
        for i in range(count):
            w = W1[:, i]
            d = Hinv1[i, i]
            if group > 0 and (i1 + i) % group == 0:
                scale = params(W[:, (i1 + i):(i1 + i + group)])
            q = quant(w, scale)
            Q1[:, i] = q
            err1 = (w - q) / d
            W1[:, i:] -= err1.unsqueeze(1).matmul(Hinv1[i, i:].unsqueeze(0))
            Err1[:, i] = err1
        Q[:, i1:i2] = Q1
        W[:, i2:] -= Err1.matmul(Hinv[i1:i2, i2:])
    if actorder:
        Q = Q[:, torch.argsort(perm)]
    Q.numpy().astype(np.float32).tofile(args[2])


if __name__ == "__main__":
    {"hist_l2": hist_l2, "smooth": smooth, "invchol": invchol, "gptq": gptq}[sys.argv[1]](sys.argv[2:])
