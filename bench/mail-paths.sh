#!/bin/sh
# mail-paths.sh -- check that deferred e-mail parsing (the light path and
# the filtered full parser, used by `lurewatch scan`) gives the same fields
# as the reader's own full parse, on every file given, or by default on the
# SpamAssassin corpus that bench/screen-corpus.sh fetches into bench/work/.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/bench/work"
build="$work/build-mail-paths"
mkdir -p "$work"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DLW_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target lwcore >/dev/null
${CC:-cc} -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -I"$root/src" "$root/bench/mail-paths.c" \
    "$build/liblwcore.a" \
    $(pkg-config --libs libhs libpcre2-8 icu-uc icu-i18n gmime-3.0 libzip jansson libxxhash sqlite3) \
    -lcsv -lm -lpthread -lstdc++ -o "$work/mail-paths"
if [ $# -eq 0 ]; then
    [ -d "$work/corpus" ] || { echo "no corpus: run bench/screen-corpus.sh first" >&2; exit 2; }
    find "$work/corpus" -type f -name '*.eml' | sort | xargs "$work/mail-paths"
else
    "$work/mail-paths" "$@"
fi
