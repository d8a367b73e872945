#!/bin/sh
# usage: expect_error.sh VVC CASE FRAGMENT
# Runs 'VVC powerflow CASE' and checks the bad-input contract: exit status 2, nothing on stdout, and one message on
# stderr that names the case file and contains FRAGMENT.
set -u
vvc=$1
case_path=$2
fragment=$3
out=$(mktemp) && err=$(mktemp) || exit 1
trap 'rm -f "$out" "$err"' EXIT
"$vvc" powerflow "$case_path" >"$out" 2>"$err"
status=$?
fail=0
if [ "$status" -ne 2 ]; then
  echo "expected exit status 2, got $status"
  fail=1
fi
if [ -s "$out" ]; then
  echo "expected nothing on stdout"
  fail=1
fi
if ! grep -qF -- "$(basename "$case_path")" "$err"; then
  echo "stderr does not name the file $(basename "$case_path")"
  fail=1
fi
if ! grep -qF -- "$fragment" "$err"; then
  echo "stderr does not contain: $fragment"
  fail=1
fi
if [ "$fail" -ne 0 ]; then
  echo "--- stdout:"
  cat "$out"
  echo "--- stderr:"
  cat "$err"
fi
exit "$fail"
