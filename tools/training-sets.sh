#!/usr/bin/env bash
# training-sets.sh SHARED [PREFIX] -- print the labelled sets of
# tests/data/eval/training.list, one a line, in its order: "shared/X"
# becomes SHARED/X, any other line PREFIX followed by the line (paths in the
# list are from the repository's root). Fails, naming the line, when a
# listed file is missing. Used by tools/train-model.sh and bench/model-cv.sh,
# so that they train on the same sets.
set -euo pipefail
list="$(cd "$(dirname "$0")/.." && pwd)/tests/data/eval/training.list"
shared=${1:?usage: training-sets.sh SHARED [PREFIX]}
prefix=${2:-}
n=0
while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    case "$line" in
    '' | '#'*) continue ;;
    shared/*) f="$shared/${line#shared/}" ;;
    *) f="$prefix$line" ;;
    esac
    [ -f "$f" ] || { echo "training.list:$n: no file $f" >&2; exit 2; }
    echo "$f"
done <"$list"
