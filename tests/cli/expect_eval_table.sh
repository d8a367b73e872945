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
# A trained file's row name holds a blank ("diffop-step (policy.json)"): the seven numbers are the last fields.
got=$(tail -n +2 "$out" | awk '
  NF >= 8 && $(NF-6) ~ /^-?[0-9]+\.[0-9]+$/ && $(NF-5) ~ /^-?[0-9]+\.[0-9]+$/ && $(NF-4) ~ /^[0-9]+\.[0-9]+$/ &&
  $(NF-4) <= 100 && $(NF-3) ~ /^[0-9]+$/ && $(NF-2) ~ /^[0-9]+$/ && $(NF-1) == "0" && $NF ~ /^[0-9]+$/ {
    name = $1; for (i = 2; i <= NF - 7; ++i) name = name " " $i; print name; next }
  { print "malformed row: " $0 }' | paste -sd, -)
[ "$got" = "$names" ] || { echo "expected well-formed rows for $names, got: $got"; fail=1; }
if [ "$fail" -ne 0 ]; then
  echo "--- output:"
  cat "$out"
fi
exit "$fail"
