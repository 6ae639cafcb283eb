#!/usr/bin/env bash
# train-model.sh -- rebuild data/model.tsv, the learned classifier's model
# (docs/model.md), from the labelled sets and half of the SpamAssassin
# corpus. The same data always gives the same file.
#
# Training data:
#   - every labelled set but the held-out ones (blind-2, chat-heldout): the dev sets in ../shared,
#     tests/data/eval/checklist-probes.jsonl, blind-1-*.jsonl, train-3-*.jsonl,
#     train-4-*.jsonl, train-5.jsonl, train-6-chat.jsonl;
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
"$LW" model train -o data/model.tsv --negatives-weight "$NEG_WEIGHT" "$@" \
    "$SHARED/dev-set/seed-messages.jsonl" "$SHARED/dev-set/public-messages.jsonl" \
    tests/data/eval/checklist-probes.jsonl tests/data/eval/blind-1-*.jsonl \
    tests/data/eval/train-3-*.jsonl tests/data/eval/train-4-*.jsonl \
    tests/data/eval/train-5.jsonl tests/data/eval/train-6-chat.jsonl --negatives "$neg"
"$LW" model check data/model.tsv
