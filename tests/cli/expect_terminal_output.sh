#!/bin/sh
# usage: expect_terminal_output.sh FRAGMENT COMMAND [ARGS...]
# Runs COMMAND on a pseudo-terminal (script(1)), as a user at a terminal would, and checks that it exits with
# status 0 and that FRAGMENT appears in what it printed. Arguments must not contain spaces.
set -u
fragment=$1
shift
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
script -qec "$*" /dev/null >"$out" 2>&1
status=$?
fail=0
[ "$status" -eq 0 ] || { echo "expected exit status 0, got $status"; fail=1; }
grep -qF -- "$fragment" "$out" || { echo "the terminal did not show: $fragment"; fail=1; }
[ "$fail" -eq 0 ] || { echo "--- terminal:"; cat "$out"; }
exit "$fail"
