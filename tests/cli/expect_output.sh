#!/bin/sh
# usage: expect_output.sh stdout|stderr FRAGMENT COMMAND [ARGS...]
# Runs COMMAND and checks that it exits with status 0 and that FRAGMENT appears on the given stream.
set -u
stream=$1
fragment=$2
shift 2
out=$(mktemp) && err=$(mktemp) || exit 1
trap 'rm -f "$out" "$err"' EXIT
"$@" >"$out" 2>"$err"
status=$?
fail=0
[ "$status" -eq 0 ] || { echo "expected exit status 0, got $status"; fail=1; }
if [ "$stream" = stdout ]; then file=$out; else file=$err; fi
grep -qF -- "$fragment" "$file" || { echo "$stream does not contain: $fragment"; fail=1; }
if [ "$fail" -ne 0 ]; then
  echo "--- stdout:"; cat "$out"; echo "--- stderr:"; cat "$err"
fi
exit "$fail"
