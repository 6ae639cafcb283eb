#!/usr/bin/env bash
# test.sh -- the whole test suite, as CI runs it: install what is missing,
# build with warnings as errors under AddressSanitizer and UBSan, run every
# test (unit, CLI cases, fuzz corpora replayed), then check formatting.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
cmake -S . -B build-ci -DCMAKE_BUILD_TYPE=Debug -DLW_WERROR=ON -DLW_SANITIZE=ON >/dev/null
cmake --build build-ci -j"$(nproc)"
ctest --test-dir build-ci --output-on-failure -j"$(nproc)"
tools/check-format.sh
