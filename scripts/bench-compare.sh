#!/usr/bin/env bash
# Builds Release with benchmarks, then times the engine (tests/bench/quantize_bench),
# memcpy, PyTorch and NumPy on the same 4096 x 4096 float32 tensor and prints a
# markdown table of medians and ratios. Usage: scripts/bench-compare.sh [repetitions]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
reps="${1:-7}"
build="${QS_BENCH_BUILD_DIR:-$root/build-bench}"
python="${QS_PYTHON:-/usr/bin/python3}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DQS_BUILD_BENCH=ON -DQS_BUILD_GUI=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target quantize_bench format_families_bench >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Passive OpenMP waiting: idle threads sleep instead of spinning, so the CPU
# column counts work, not waiting (the machine is shared).
OMP_WAIT_POLICY=passive QS_BENCH_TENSOR_OUT="$work/x.f32" "$build/tests/quantize_bench" \
  --benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true \
  --benchmark_format=json >"$work/ours.json"
"$python" - "$work/ours.json" "$work/x.f32" "$reps" <<'PY'
import json, statistics, sys, time
import numpy as np
import torch

ours_path, tensor_path, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
ours, ours_cpu = {}, {}
for b in json.load(open(ours_path))["benchmarks"]:
    if b.get("aggregate_name") == "median":
        key = b["run_name"].split("/")[0].replace("BM_", "")
        ours[key] = b["real_time"]
        ours_cpu[key] = b.get("cpu_ms", float("nan"))

x_np = np.fromfile(tensor_path, dtype=np.float32).reshape(4096, 4096)
x = torch.from_numpy(x_np)

theirs_cpu = {}
def median_ms(fn, name=None):
    fn()  # warm-up
    times, cpu = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(times), statistics.median(cpu)

zp = torch.zeros(4096, dtype=torch.int32)
def torch_int8_channel():
    scale = x.abs().amax(dim=1) / 127
    return torch.fake_quantize_per_channel_affine(x, scale, zp, 0, -128, 127)
scale_fixed = x.abs().amax(dim=1) / 127
k = int(np.ceil(0.9999 * x.numel()))
flat = x.flatten()
dst = torch.empty_like(x)
theirs = {
    "torch copy_ (preallocated)": (lambda: dst.copy_(x)),
    "torch int8 per-channel fake-quant incl. scales": torch_int8_channel,
    "torch fake_quantize_per_channel_affine only":
        lambda: torch.fake_quantize_per_channel_affine(x, scale_fixed, zp, 0, -128, 127),
    "torch .half()": lambda: x.half(),
    "torch .half().float()": lambda: x.half().float(),
    "torch .bfloat16()": lambda: x.bfloat16(),
    "torch .bfloat16().float()": lambda: x.bfloat16().float(),
    "torch kthvalue(|x|, ceil(0.9999 n))": lambda: torch.kthvalue(flat.abs(), k),
    "numpy percentile(|x|, 99.99)": lambda: np.percentile(np.abs(x_np), 99.99),
}

measured = {name: median_ms(fn) for name, fn in theirs.items()}
theirs = {name: v[0] for name, v in measured.items()}
theirs_cpu = {name: v[1] for name, v in measured.items()}
mem = ours["Memcpy"]
mem_cpu = ours_cpu["Memcpy"]
rows = [
    ("memcpy 64 MB (preallocated)", "Memcpy", None),
    ("copy into a new 64 MB vector", "MemcpyNewBuffer", None),
    ("INT8 per-channel quantize + all metrics + codes", "Int8PerChannel_AllMetrics",
     "torch int8 per-channel fake-quant incl. scales"),
    ("INT8 per-channel quantize + all metrics, no codes", "Int8PerChannel_AllMetricsNoCodes",
     "torch int8 per-channel fake-quant incl. scales"),
    ("INT8 per-channel + all metrics as the workbench runs it (no codes, tensor summary reused)",
     "Int8PerChannel_AllMetricsLive", "torch int8 per-channel fake-quant incl. scales"),
    ("INT8 per-channel fakeQuantize (no metrics)", "Int8PerChannel_FakeQuantize",
     "torch int8 per-channel fake-quant incl. scales"),
    ("INT8 per-channel fakeQuantizeInto (reused buffer)", "Int8PerChannel_FakeQuantizeInto",
     "torch int8 per-channel fake-quant incl. scales"),
    ("FP16 cast + all metrics", "Fp16Cast_AllMetrics", "torch .half().float()"),
    ("FP16 cast fakeQuantize", "Fp16Cast_FakeQuantize", "torch .half().float()"),
    ("FP16 cast fakeQuantizeInto (reused buffer)", "Fp16Cast_FakeQuantizeInto", "torch .half().float()"),
    ("BF16 cast + all metrics", "Bf16Cast_AllMetrics", "torch .bfloat16().float()"),
    ("BF16 cast fakeQuantize", "Bf16Cast_FakeQuantize", "torch .bfloat16().float()"),
    ("BF16 cast fakeQuantizeInto (reused buffer)", "Bf16Cast_FakeQuantizeInto", "torch .bfloat16().float()"),
    ("exact 99.99th percentile of |x|", "Percentile9999", "torch kthvalue(|x|, ceil(0.9999 n))"),
]
print(f"4096 x 4096 float32, medians of {reps} runs, torch threads = {torch.get_num_threads()}; "
      "wall ms, and CPU ms (all threads) in brackets\n")
print("| operation | QuantScope ms | x memcpy | reference | reference ms | speed-up |")
print("|---|---:|---:|---|---:|---:|")
for label, key, ref in rows:
    t = ours.get(key)
    if t is None:
        continue
    r = theirs.get(ref) if ref else None
    c = ours_cpu.get(key, float("nan"))
    rc = theirs_cpu.get(ref) if ref else None
    print(f"| {label} | {t:.1f} [{c:.1f}] | {t / mem:.1f} [{c / mem_cpu:.1f}] | {ref or ''} | "
          f"{'' if r is None else f'{r:.1f} [{rc:.1f}]'} | {'' if r is None else f'{r / t:.1f}x'} |")
print("\n| other references | wall ms | CPU ms |\n|---|---:|---:|")
for name, t in theirs.items():
    print(f"| {name} | {t:.1f} | {theirs_cpu[name]:.1f} |")
PY
# The formats of 2025-26: all metrics and codes, as ratios to memcpy and to INT4 group 32.
OMP_WAIT_POLICY=passive "$build/tests/format_families_bench" --benchmark_repetitions="$reps" \
  --benchmark_report_aggregates_only=true --benchmark_format=json >"$work/formats.json"
"$python" - "$work/formats.json" "$reps" <<'PY'
import json, sys

rows = {}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b.get("aggregate_name") == "median":
        rows[b["run_name"].split("/")[0].replace("F_", "")] = (b["real_time"], b.get("cpu_ms", float("nan")))
mem, mem_cpu = rows.pop("Memcpy")
base, base_cpu = rows["Int4Group32"]
print(f"\nFormats, quantize + all metrics + codes, 4096 x 4096, medians of {sys.argv[2]} runs "
      "(wall ms, CPU ms in brackets)\n")
print("| format | ms | x memcpy | x INT4 group 32 |")
print("|---|---:|---:|---:|")
for key, (t, c) in rows.items():
    print(f"| {key} | {t:.1f} [{c:.1f}] | {t / mem:.1f} [{c / mem_cpu:.1f}] | {t / base:.2f} [{c / base_cpu:.2f}] |")
PY
