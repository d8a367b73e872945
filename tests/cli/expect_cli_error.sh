#!/bin/sh
# usage: expect_cli_error.sh FRAGMENT COMMAND [ARGS...]
# Runs COMMAND and checks the bad-input contract: exit status 2, nothing on stdout, and a message on stderr that
# contains FRAGMENT.
set -u
fragment=$1
shift
out=$(mktemp) && err=$(mktemp) || exit 1
trap 'rm -f "$out" "$err"' EXIT
"$@" >"$out" 2>"$err"
status=$?
fail=0
[ "$status" -eq 2 ] || { echo "expected exit status 2, got $status"; fail=1; }
[ -s "$out" ] && { echo "expected nothing on stdout"; fail=1; }
grep -qF -- "$fragment" "$err" || { echo "stderr does not contain: $fragment"; fail=1; }
if [ "$fail" -ne 0 ]; then
  echo "--- stdout:"; cat "$out"; echo "--- stderr:"; cat "$err"
fi
exit "$fail"
