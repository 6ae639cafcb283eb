#!/bin/sh
# pattern-cost.sh -- build bench/pattern-cost.c against an optimised lwcore
# and run it: Vectorscan throughput of the rule set over real text, fast
# pass and evidence pass, and the patterns that cost most.
# Usage: bench/pattern-cost.sh [INPUT...]; INPUT defaults to
# bench/work/corpus (made by bench/screen-corpus.sh), else samples/.
# LW_RULES=DIR times another rule folder; PATTERN_COST_SOM=1 times each
# pattern with start of match, as the spans database holds it;
# PATTERN_COST_TOP=N lists the N slowest patterns (25).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/bench/work"
build="$work/build-pattern-cost"
mkdir -p "$work"
if [ $# -eq 0 ]; then
    if [ -d "$work/corpus" ]; then set -- "$work/corpus"; else set -- "$root/samples"; fi
fi
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DLW_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target lwcore >/dev/null
${CC:-cc} -std=c11 -O2 -DNDEBUG -D_POSIX_C_SOURCE=200809L -I"$root/src" \
    "$root/bench/pattern-cost.c" "$build/liblwcore.a" \
    $(pkg-config --libs libhs libpcre2-8 icu-uc icu-i18n gmime-3.0 libzip jansson libxxhash sqlite3) \
    -lcsv -lm -lpthread -o "$work/pattern-cost"
"$work/pattern-cost" "${LW_RULES:-$root/rules}" "$@"
