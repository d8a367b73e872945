#!/bin/sh
# usage: expect_eval_table.sh NAMES COMMAND [ARGS...]
# Runs a command that prints vvc's evaluation table (vvc eval) and checks: exit status 0, the header, and exactly
# one row per controller of the comma-separated NAMES, in that order, each with finite costs (transient, steady),
# a percentage in [0, 100], a count of final violations, a count of late recoveries (scenarios out of band after
# step 5), no failures and a count of fallback steps.
set -u
names=$1
shift
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
"$@" >"$out"
status=$?
fail=0
[ "$status" -eq 0 ] || { echo "expected exit status 0, got $status"; fail=1; }
header="controller transient steady % out band final out late failures fallbacks"
[ "$(head -n 1 "$out" | tr -s ' ')" = "$header" ] || { echo "expected the header: $header"; fail=1; }
got=$(tail -n +2 "$out" | awk '
  NF == 8 && $2 ~ /^-?[0-9]+\.[0-9]+$/ && $3 ~ /^-?[0-9]+\.[0-9]+$/ && $4 ~ /^[0-9]+\.[0-9]+$/ && $4 <= 100 &&
  $5 ~ /^[0-9]+$/ && $6 ~ /^[0-9]+$/ && $7 == "0" && $8 ~ /^[0-9]+$/ { print $1; next }
  { print "malformed row: " $0 }' | paste -sd, -)
[ "$got" = "$names" ] || { echo "expected well-formed rows for $names, got: $got"; fail=1; }
if [ "$fail" -ne 0 ]; then
  echo "--- output:"
  cat "$out"
fi
exit "$fail"
