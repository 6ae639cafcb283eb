#!/bin/bash
# model-cv.sh -- how well the learned classifier generalises, measured by
# cross-validation, beside the rules alone.
#
# The labelled sets of tests/data/eval/training.list (the ones
# tools/train-model.sh trains on; never the held-out ones) are split into
# K folds by line. For each fold a model is trained on the other folds plus half of the SpamAssassin corpus (every
# second file, ham and spam, as messages that are not approaches), and
# `lurewatch eval` screens the fold with it. The other half of the corpus is
# screened with a model trained on all the labelled sets, for false alarms
# on mail it never saw. Every figure is printed with and without the model.
#
# Needs the corpus that bench/screen-corpus.sh unpacks (bench/work/corpus)
# and a built lurewatch (LW=path, default build/lurewatch). Extra arguments
# go to `lurewatch model train` (--l2 0.3, --pos-share 0.3, ...); corpus
# messages weigh NEG_WEIGHT (default 0.1, as in tools/train-model.sh).
#
#   bench/model-cv.sh [-k K] [train options ...]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
LW=${LW:-$root/build/lurewatch}
SHARED=${SHARED:-$root/../shared}
NEG_WEIGHT=${NEG_WEIGHT:-0.1} # as tools/train-model.sh
K=5
if [ "${1:-}" = "-k" ]; then
    K=$2
    shift 2
fi
corpus=$here/work/corpus
work=$here/work/model-cv
[ -x "$LW" ] || { echo "model-cv: no lurewatch at $LW (build it, or set LW)" >&2; exit 2; }
[ -d "$corpus/ham" ] || { echo "model-cv: no corpus in $corpus (run bench/screen-corpus.sh first)" >&2; exit 2; }

list=$("$root/tools/training-sets.sh" "$SHARED" "$root/") || exit 2
mapfile -t labelled <<<"$list"

# The corpus halves: links, so nothing is copied.
rm -rf "$work"
mkdir -p "$work/train-neg" "$work/test/ham" "$work/test/spam"
for kind in ham spam; do
    i=0
    for f in "$corpus/$kind"/*; do
        i=$((i + 1))
        if [ $((i % 2)) -eq 0 ]; then
            ln -s "$f" "$work/train-neg/$kind-$(basename "$f")"
        else
            ln -s "$f" "$work/test/$kind/$(basename "$f")"
        fi
    done
done

# Folds: line n of every labelled file goes to fold n mod K.
for ((j = 0; j < K; j++)); do
    : >"$work/fold$j.jsonl"
    : >"$work/rest$j.jsonl"
    for f in "${labelled[@]}"; do
        awk -v k="$K" -v j="$j" -v a="$work/fold$j.jsonl" -v b="$work/rest$j.jsonl" \
            'NF { if ((NR - 1) % k == j) print >> a; else print >> b }' "$f"
    done
done

num() { sed -n "s/.*\"$1\": *\([0-9]*\).*/\1/p" | head -1; }

declare -A sum
for mode in rules model; do
    for key in approaches detected negatives false_alarms; do sum[$mode.$key]=0; done
done
for ((j = 0; j < K; j++)); do
    "$LW" model train -o "$work/model$j.tsv" --negatives-weight "$NEG_WEIGHT" "$@" --negatives "$work/train-neg" "$work/rest$j.jsonl" 2>/dev/null
    for mode in rules model; do
        if [ $mode = rules ]; then opt=(--no-model); else opt=(--model "$work/model$j.tsv"); fi
        out=$("$LW" eval --no-watchlist "${opt[@]}" --format json "$work/fold$j.jsonl" || true)
        for key in approaches detected negatives false_alarms; do
            sum[$mode.$key]=$((sum[$mode.$key] + $(echo "$out" | tr ',' '\n' | num "$key")))
        done
    done
done

"$LW" model train -o "$work/model-all.tsv" --negatives-weight "$NEG_WEIGHT" "$@" --negatives "$work/train-neg" "${labelled[@]}" 2>/dev/null
count_medium() { # mode dir
    local opt
    if [ "$1" = rules ]; then opt=(--no-model); else opt=(--model "$work/model-all.tsv"); fi
    "$LW" scan --no-watchlist "${opt[@]}" --format jsonl "$2" 2>/dev/null |
        grep -c '"level":"\(medium\|high\)"' || true
}

echo "model-cv: $K folds over ${#labelled[@]} labelled sets; train options: ${*:-(defaults)}"
printf '%-8s %-24s %-24s %-14s %-14s\n' "" "approaches at medium+" "others at medium+" \
    "unseen ham" "unseen spam"
nham=$(ls "$work/test/ham" | wc -l)
nspam=$(ls "$work/test/spam" | wc -l)
for mode in rules model; do
    printf '%-8s %-24s %-24s %-14s %-14s\n' "$mode" \
        "${sum[$mode.detected]} of ${sum[$mode.approaches]}" \
        "${sum[$mode.false_alarms]} of ${sum[$mode.negatives]}" \
        "$(count_medium $mode "$work/test/ham") of $nham" \
        "$(count_medium $mode "$work/test/spam") of $nspam"
done
