#!/bin/sh
# usage: expect_bench_powerflow.sh VVC [OPTIONS...]
# Runs 'VVC bench powerflow --quick OPTIONS' in the current folder and checks: exit status 0 and one row per quick
# case (the IEEE 13-bus case and the 1,000-bus radial feeder, sweep and Newton-Raphson) with a positive wall time,
# a CPU time and at least one iteration.
set -u
vvc=$1
shift
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
"$vvc" bench powerflow --quick "$@" >"$out"
status=$?
fail=0
[ "$status" -eq 0 ] || { echo "expected exit status 0, got $status"; fail=1; }
for case_name in "ieee13_tasrl bfs" "ieee13_tasrl nr" "radial 1000 bfs" "radial 1000 nr"; do
  if ! awk -v name="$case_name" '
      index($0, name " ") == 1 {
        n = split(substr($0, length(name) + 1), f, " ")
        if (n == 3 && f[1] ~ /^[0-9]+\.[0-9]+$/ && f[1] > 0 && f[2] ~ /^[0-9]+\.[0-9]+$/ && f[3] ~ /^[1-9][0-9]*$/)
          found = 1
      }
      END { exit !found }' "$out"; then
    echo "no row '$case_name' with times and iterations"
    fail=1
  fi
done
if [ "$fail" -ne 0 ]; then
  echo "--- output:"
  cat "$out"
fi
exit "$fail"
