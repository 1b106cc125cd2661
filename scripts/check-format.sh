#!/usr/bin/env bash
# Fails when a tracked C++ file differs from .clang-format (run by ctest as style/clang-format).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
files=$(git ls-files '*.cpp' '*.h' 2>/dev/null || find app core widgets tests -name '*.cpp' -o -name '*.h')
clang-format --dry-run -Werror $files
echo "clang-format: $(echo "$files" | wc -l) files clean"
