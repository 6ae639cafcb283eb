#!/bin/sh
# watchlist.sh -- how screening scales with the watchlist: 100,000 synthetic
# entries written to a store, then store load + index build timed, and
# lw_watchlist_match_msg timed per message against an empty watchlist, the
# public one and the big one, beside the engine's own screening time.
#
# Usage: bench/watchlist.sh [--entries N] [--messages M] [INPUT...]
# INPUT defaults to bench/work/corpus (made by bench/screen-corpus.sh) when
# present, else samples/. Builds an optimised library (no sanitizers) in
# bench/work/build-watchlist. Exit 1 if a target is missed (load + build
# over 1 s, or screening slower by more than 20%).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/bench/work"
build="$work/build-watchlist"
mkdir -p "$work"
opts=""
while [ $# -gt 0 ]; do
    case "$1" in
    --entries|--messages) opts="$opts $1 $2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
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
cmake --build "$build" -j2 --target lwcore >/dev/null
${CC:-cc} -std=c11 -O2 -DNDEBUG -D_POSIX_C_SOURCE=200809L \
    -DLW_DEFAULT_DATA_DIR="\"$root/data\"" -I"$root/src" \
    "$root/bench/watchlist_bench.c" "$build/liblwcore.a" \
    $(pkg-config --libs libhs icu-uc icu-i18n gmime-3.0 libzip jansson libxxhash sqlite3) \
    -lcsv -lm -lpthread -o "$work/watchlist_bench"
cd "$work"
# shellcheck disable=SC2086
exec "$work/watchlist_bench" $opts --store "$work/bench-watchlist.db" --rules "$root/rules" \
    --data "$root/data" "$@"
