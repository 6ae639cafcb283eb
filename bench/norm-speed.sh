#!/bin/sh
# norm-speed.sh -- build bench/norm-speed.c optimised (no sanitizers) from
# the normaliser's sources and run it. Usage: bench/norm-speed.sh [FILE ...]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${TMPDIR:-/tmp}/lw-norm-speed.$$
trap 'rm -f "$out"' EXIT
${CC:-cc} -std=c11 -O2 -DNDEBUG -D_POSIX_C_SOURCE=200809L -I"$root/src" \
    "$root/bench/norm-speed.c" "$root"/src/text/norm.c "$root"/src/text/norm_html.c \
    "$root/src/base/err.c" $(pkg-config --cflags --libs icu-uc icu-i18n) -lpthread -o "$out"
"$out" "$@"
