#!/usr/bin/env bash
# Builds everything with tests (warnings are errors) and runs the whole suite.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
build="${QS_TEST_BUILD_DIR:-$root/build-test}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DQS_WERROR=ON -DQS_BUILD_TESTS=ON -DQS_BUILD_BENCH=ON -DQS_BUILD_GUI=ON
cmake --build "$build" -j"$(nproc)"
# libFuzzer targets need clang: a second, core-only build runs each fuzzer briefly.
fuzz="${build}-fuzz"
CC=clang CXX=clang++ cmake -S "$root" -B "$fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DQS_BUILD_GUI=OFF -DQS_BUILD_FUZZ=ON -DQS_SANITIZE="address;undefined"
cmake --build "$fuzz" -j"$(nproc)"
# A core-only build without the AVX2 kernels (QS_NO_SIMD): the scalar twins run
# every core, I/O and CLI test, as on a CPU without AVX2 or on ARM64.
generic="${build}-generic"
cmake -S "$root" -B "$generic" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DQS_WERROR=ON -DQS_BUILD_GUI=OFF -DQS_SIMD=OFF -DQS_BUILD_TESTS=ON
cmake --build "$generic" -j"$(nproc)"
status=0
(cd "$build" && ctest --output-on-failure -j"$(nproc)") || status=1
(cd "$fuzz" && ctest --output-on-failure -j"$(nproc)") || status=1
# style/clang-format ran in the first build already.
(cd "$generic" && ctest --output-on-failure -j"$(nproc)" -LE style) || status=1
exit $status
