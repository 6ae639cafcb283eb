#!/bin/sh
# watchlist.sh -- how screening scales with the watchlist. 100,000 synthetic
# entries are written to a store; store load + index build is timed;
# lw_watchlist_match_msg is timed per message with an empty watchlist, the
# public one and the big one, beside the engine's own work; then
# `lurewatch scan -j1` runs over the same messages with the big store and
# with an empty one.
#
# Usage: bench/watchlist.sh [--entries N] [--messages M] [INPUT...]
# INPUT defaults to bench/work/corpus (made by bench/screen-corpus.sh) when
# present, else samples/. Builds an optimised lurewatch (no sanitizers) in
# bench/work/build-watchlist. Exit 1 if a target is missed: load + build over
# 1 s, or `lurewatch scan` slower by more than 20% with the big store.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/bench/work"
build="$work/build-watchlist"
mkdir -p "$work"
opts=""
entries=100000
while [ $# -gt 0 ]; do
    case "$1" in
    --entries) entries=$2; opts="$opts $1 $2"; shift 2 ;;
    --messages) opts="$opts $1 $2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) break ;;
    esac
done
if [ $# -eq 0 ]; then
    if [ -d "$work/corpus" ]; then
        set -- "$work/corpus/ham" "$work/corpus/spam"
    else
        set -- "$root/samples"
    fi
fi
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DLW_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target lwcore lurewatch >/dev/null
${CC:-cc} -std=c11 -O2 -DNDEBUG -D_POSIX_C_SOURCE=200809L \
    -DLW_DEFAULT_DATA_DIR="\"$root/data\"" -I"$root/src" \
    "$root/bench/watchlist_bench.c" "$build/liblwcore.a" \
    $(pkg-config --libs libhs libpcre2-8 icu-uc icu-i18n gmime-3.0 libzip jansson libxxhash sqlite3) \
    -lcsv -lm -lpthread -o "$work/watchlist_bench"
cd "$work"
# shellcheck disable=SC2086
"$work/watchlist_bench" $opts --store "$work/bench-watchlist.db" --rules "$root/rules" \
    --data "$root/data" "$@" || status=$?
# End to end: `lurewatch scan -j1` with the big store and with an empty one,
# each over the inputs once and three times. The difference between three
# passes and one is two passes of screening with the entries loaded:
# start-up (rules, store load, index build) cancels out. Each figure is the
# smallest CPU time (user + system) of 3 runs: on a shared machine the
# smallest is the one least disturbed by other work.
lw="$build/lurewatch"
rm -f "$work/empty-watchlist.db"*
"$lw" watch list --store "$work/empty-watchlist.db" --no-public >/dev/null
cpu="$work/scan-cpu.txt"
median() {
    store=$1
    shift
    for run in 1 2 3; do
        /usr/bin/time -f "%U %S" -o "$cpu" "$lw" scan -j1 --store "$store" -f jsonl "$@" \
            >/dev/null 2>&1 || true
        tail -n 1 "$cpu" | awk '{ print $1 + $2 }'
    done | sort -n | sed -n 1p
}
store_big="$work/bench-watchlist.db"
store_empty="$work/empty-watchlist.db"
e1=$(median "$store_empty" "$@")
e3=$(median "$store_empty" "$@" "$@" "$@")
b1=$(median "$store_big" "$@")
b3=$(median "$store_big" "$@" "$@" "$@")
awk -v e1="$e1" -v e3="$e3" -v b1="$b1" -v b3="$b3" -v n="$entries" 'BEGIN {
    printf "lurewatch scan -j1, empty watchlist:   %.2f s once, %.2f s three times\n", e1, e3
    printf "lurewatch scan -j1, %d entries:   %.2f s once, %.2f s three times\n", n, b1, b3
    printf "start-up with %d entries (load, build), by difference: %.2f s\n", n, (b1 - (b3 - b1) / 2) - (e1 - (e3 - e1) / 2)
    d = (1 - (e3 - e1) / (b3 - b1)) * 100
    printf "scan throughput with %d entries loaded vs an empty watchlist: %+.1f%% (target: no worse than -20%%)\n", n, -d
    exit (d > 20) ? 1 : 0
}' || status=1
exit "${status:-0}"
