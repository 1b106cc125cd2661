#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan, core only) and runs each
# for SECONDS (default 60) on its seed corpus tests/data/fuzz/<name>, keeping
# new inputs in <build>/tests/corpus/<name>. Crashes are written to
# <build>/fuzz-artifacts/ and make the script exit non-zero.
#   scripts/fuzz.sh [SECONDS] [TARGET...]     e.g. scripts/fuzz.sh 300 fuzz_onnx
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-60}"
shift || true
build="${QS_FUZZ_BUILD_DIR:-$root/build-fuzz}"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DQS_BUILD_GUI=OFF -DQS_BUILD_FUZZ=ON -DQS_SANITIZE="address;undefined" >/dev/null
targets=("$@")
if ((${#targets[@]} == 0)); then
  for src in "$root"/tests/fuzz/fuzz_*.cpp; do
    targets+=("$(basename "$src" .cpp)")
  done
fi
cmake --build "$build" --target "${targets[@]}" -j"$(nproc)"
mkdir -p "$build/fuzz-artifacts"
status=0
for t in "${targets[@]}"; do
  name="${t#fuzz_}"
  corpus="$build/tests/corpus/$name"
  mkdir -p "$corpus"
  echo "== $t: ${seconds}s"
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$build/tests/$t" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$build/fuzz-artifacts/$name-" -print_final_stats=1 \
    "$corpus" "$root/tests/data/fuzz/$name" 2>&1 | grep -E "^(#[0-9]+ +DONE|==[0-9]+==ERROR|SUMMARY|stat::number_of_executed_units|Done)" || true
  if ls "$build/fuzz-artifacts/$name-"* >/dev/null 2>&1; then
    echo "!! $t found crashes: $(ls "$build/fuzz-artifacts/$name-"*)"
    status=1
  fi
done
exit $status
