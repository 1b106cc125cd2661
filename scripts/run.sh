#!/usr/bin/env bash
# Installs what is missing, builds Release and opens QuantScope on the demo
# tensors. With no display (neither DISPLAY nor WAYLAND_DISPLAY set) it says
# so, renders the demo window offscreen to a PNG, prints the demo metrics
# table (quantscope-cli demo) and the PNG's path instead.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
build="${QS_BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j"$(nproc)"
# Idle OpenMP threads sleep instead of spinning between jobs: the GUI computes in
# bursts and must not steal the cores the window and the other apps need.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  png="${QS_SCREENSHOT:-$build/quantscope-demo.png}"
  echo "run: no display (neither DISPLAY nor WAYLAND_DISPLAY is set); rendering the demo window offscreen"
  QT_QPA_PLATFORM=offscreen "$build/app/quantscope" --screenshot "$png" "$@" >/dev/null
  "$build/app/quantscope-cli" demo
  echo "run: the demo window is in $png"
  exit 0
fi
exec "$build/app/quantscope" "$@"
