#!/bin/sh
# ab.sh -- compare builds of lurewatch on the same minutes: the machine's
# speed drifts by 15-40% from one minute to the next, so two builds are only
# comparable in interleaved runs. Each round runs every binary once over the
# corpus (`lurewatch scan --format jsonl -j2`, output to /dev/null) under
# `perf stat`, right after reading the input into the page cache; the
# medians and minima of wall time, CPU time (task-clock) and page faults are
# printed per binary.
#
# Usage: bench/ab.sh [-n ROUNDS] BINARY... [-- INPUT]   (paths without blanks)
# INPUT defaults to bench/work/corpus (made by bench/screen-corpus.sh). The
# store is bench/work/lurewatch.db. Needs perf (linux-perf).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
W="$HERE/work"
ROUNDS=7
if [ "${1:-}" = "-n" ]; then
    ROUNDS=$2
    shift 2
fi
BINS=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    BINS="$BINS $1"
    shift
done
[ "${1:-}" = "--" ] && shift
INPUT=${1:-$W/corpus}
[ -n "$BINS" ] || { echo "usage: bench/ab.sh [-n ROUNDS] BINARY... [-- INPUT]" >&2; exit 2; }
[ -e "$INPUT" ] || { echo "ab.sh: no input at $INPUT (run bench/screen-corpus.sh first)" >&2; exit 2; }
command -v perf >/dev/null || { echo "ab.sh: perf is not installed" >&2; exit 2; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
r=0
while [ $r -lt "$ROUNDS" ]; do
    k=0
    for b in $BINS; do
        # The page cache here is reclaimed within seconds: read the input again.
        find "$INPUT" -type f -exec cat {} + >/dev/null
        perf stat -x, -e task-clock,page-faults,duration_time -o "$OUT/one" \
            "$b" scan --format jsonl --store "$W/lurewatch.db" --no-progress -j2 "$INPUT" \
            >/dev/null 2>&1 || true
        awk -F, '/task-clock/ {c = $1} /page-faults/ {f = $1} /duration_time/ {d = $1 / 1e6}
                 END {print d, c, f}' "$OUT/one" >>"$OUT/$k"
        k=$((k + 1))
    done
    r=$((r + 1))
done
# The median (lower middle) and the minimum of column $2 of file $1.
col_stat() { sort -n -k"$2","$2" "$1" | awk -v c="$2" '{v[NR] = $c} END {printf "%.1f %.1f", v[int((NR + 1) / 2)], v[1]}'; }
k=0
for b in $BINS; do
    # shellcheck disable=SC2046 # each call gives two numbers, split on purpose
    set -- $(col_stat "$OUT/$k" 1) $(col_stat "$OUT/$k" 2) $(col_stat "$OUT/$k" 3)
    printf '%-40s wall median %6s min %6s ms  cpu median %6s min %6s ms  faults %s\n' \
        "$b" "$1" "$2" "$3" "$4" "$5"
    k=$((k + 1))
done
