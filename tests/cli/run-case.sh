#!/usr/bin/env bash
# run-case.sh CASE_DIR -- one end-to-end CLI case.
#
# A case folder holds:
#   cmd            the arguments, as shell words; $LW_SRC, $LW_TESTDATA and
#                  $CASE (this folder) may be used; "lurewatch" is implied
#   stdin          optional: fed to standard input
#   expect.rc      the exit code (default 0)
#   expect.out     optional: standard output, exactly
#   expect.err     optional: standard error, exactly
#   expect.out.grep / expect.err.grep
#                  optional: one extended regex a line; each must match a
#                  line of the output (a line starting with '!' must not)
# On failure it prints what differed.
set -u
CASE=$(cd "$1" && pwd)
export CASE
: "${LW_BIN:?LW_BIN is not set}"
: "${LW_SRC:?LW_SRC is not set}"
: "${LW_TESTDATA:=$LW_SRC/tests/data}"
export LW_SRC LW_TESTDATA

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=$(cat "$CASE/cmd")
if [ -f "$CASE/stdin" ]; then
    (cd "$tmp" && eval "\"\$LW_BIN\" $args" <"$CASE/stdin" >"$tmp/out" 2>"$tmp/err")
else
    (cd "$tmp" && eval "\"\$LW_BIN\" $args" </dev/null >"$tmp/out" 2>"$tmp/err")
fi
rc=$?
want_rc=0
[ -f "$CASE/expect.rc" ] && want_rc=$(tr -d ' \n' <"$CASE/expect.rc")
fail=0
if [ "$rc" != "$want_rc" ]; then
    echo "exit code: got $rc, want $want_rc"
    fail=1
fi
for s in out err; do
    if [ -f "$CASE/expect.$s" ] && ! diff -u "$CASE/expect.$s" "$tmp/$s"; then
        fail=1
    fi
    if [ -f "$CASE/expect.$s.grep" ]; then
        while IFS= read -r pat || [ -n "$pat" ]; do
            [ -z "$pat" ] && continue
            if [ "${pat:0:1}" = "!" ]; then
                if grep -qE -- "${pat:1}" "$tmp/$s"; then
                    echo "std$s matches '${pat:1}' but must not"
                    fail=1
                fi
            elif ! grep -qE -- "$pat" "$tmp/$s"; then
                echo "std$s does not match '$pat'"
                fail=1
            fi
        done <"$CASE/expect.$s.grep"
    fi
done
if [ $fail -ne 0 ]; then
    echo "--- command: lurewatch $args"
    echo "--- stdout (first 60 lines):"; head -60 "$tmp/out"
    echo "--- stderr (first 30 lines):"; head -30 "$tmp/err"
    exit 1
fi
exit 0
