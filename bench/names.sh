#!/bin/sh
# names.sh -- build bench/names-bench.c optimised (no sanitizers) with the
# name-matching sources of the library, and measure precision and recall of
# person-name matching on pairs built from data/surnames.tsv and
# bench/data/named-personas.md. Exit 0 when precision >= 0.99 and
# recall >= 0.95. Usage: bench/names.sh [--all-errors]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${TMPDIR:-/tmp}/lw-names-bench.$$
trap 'rm -f "$out"' EXIT
${CC:-cc} -std=c11 -O2 -DNDEBUG -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
    -DLW_DEFAULT_DATA_DIR="\"$root/data\"" -I"$root/src" \
    "$root/bench/names-bench.c" "$root"/src/text/names.c "$root"/src/text/names_fold.c \
    "$root"/src/text/names_person.c "$root"/src/text/names_org.c "$root/src/base/err.c" \
    $(pkg-config --cflags --libs icu-uc icu-i18n libxxhash) -lpthread -o "$out"
"$out" "$root/data/surnames.tsv" "${LW_PERSONAS:-$root/bench/data/named-personas.md}" "$@"
