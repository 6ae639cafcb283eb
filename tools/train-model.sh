#!/usr/bin/env bash
# train-model.sh -- rebuild data/model.tsv, the learned classifier's model
# (docs/model.md), from the labelled sets and half of the SpamAssassin
# corpus. The same data always gives the same file.
#
# Training data:
#   - the labelled sets of tests/data/eval/training.list (every one but the
#     held-out ones), in its order;
#   - every second file of the corpus (ham and spam) as messages that are
#     not approaches, each weighing NEG_WEIGHT of a labelled one. The other
#     half stays unseen, for bench/model-cv.sh to count false alarms on.
# tests/data/eval/blind-2-heldout.jsonl and chat-heldout.jsonl are never trained on.
#
#   tools/train-model.sh [extra `lurewatch model train` options]
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared}
NEG_WEIGHT=${NEG_WEIGHT:-0.1}
LW=${LW:-build/lurewatch}

[ -x "$LW" ] || { cmake -S . -B build >/dev/null && cmake --build build -j"$(nproc)" >/dev/null; }
if [ ! -d bench/work/corpus/ham ]; then
    echo "train-model: fetching the corpus (bench/screen-corpus.sh)" >&2
    bench/screen-corpus.sh --tools lurewatch --runs 1 >/dev/null
fi
neg=bench/work/train-negatives
rm -rf "$neg"
mkdir -p "$neg"
for kind in ham spam; do
    i=0
    for f in bench/work/corpus/"$kind"/*; do
        i=$((i + 1))
        [ $((i % 2)) -eq 0 ] && ln -s "$(pwd)/$f" "$neg/$kind-$(basename "$f")"
    done
done
list=$(tools/training-sets.sh "$SHARED")
mapfile -t labelled <<<"$list"
"$LW" model train -o data/model.tsv --negatives-weight "$NEG_WEIGHT" "$@" "${labelled[@]}" \
    --negatives "$neg"
"$LW" model check data/model.tsv
