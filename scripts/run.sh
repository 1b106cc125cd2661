#!/usr/bin/env bash
# Installs what is missing, builds Release and runs QuantScope on the bundled demo data.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
build="${QS_BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j"$(nproc)"
exec "$build/app/quantscope-cli" demo "$@"
