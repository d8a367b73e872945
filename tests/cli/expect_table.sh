#!/bin/sh
# usage: expect_table.sh VVC STUDY OUTDIR ROWS METHODS
# Runs 'VVC bench table --quick' and checks: exit status 0, table.csv with its header and ROWS rows of 11 fields
# (the reference controllers and the learned methods), table.md, and one learning-curve CSV per learned method
# (METHODS, comma-separated file names) with its header and at least one point, its samples (environment steps
# used by training) growing from row to row and above 0 at the end.
set -u
vvc=$1
study=$2
out=$3
expected_rows=$4
methods=$(echo "$5" | tr ',' ' ')
rm -rf "$out"
"$vvc" bench table --study "$study" --out "$out" --quick --threads 2 --quiet
status=$?
if [ "$status" -ne 0 ]; then
  echo "expected exit status 0, got $status"
  exit 1
fi
header=$(head -n 1 "$out/table.csv")
expected="method,kind,transient,steady,paper_transient,paper_steady,percent_steps_out_of_band,final_violations,late_recoveries,power_flow_failures,training_seconds"
if [ "$header" != "$expected" ]; then
  echo "unexpected table header: $header"
  exit 1
fi
rows=$(tail -n +2 "$out/table.csv" | awk -F, 'NF == 11' | wc -l)
if [ "$rows" -ne "$expected_rows" ]; then
  echo "expected $expected_rows rows of 11 fields in table.csv:"
  cat "$out/table.csv"
  exit 1
fi
if ! grep -q '^| DiffOP(Step) |' "$out/table.md"; then
  echo "table.md lacks the DiffOP(Step) row"
  exit 1
fi
for method in $methods; do
  curve="$out/curves/$method.csv"
  if [ ! -f "$curve" ]; then
    echo "missing $curve"
    exit 1
  fi
  if [ "$(head -n 1 "$curve")" != "method,unit,iteration,seconds,training_cost,validation_transient,samples" ]; then
    echo "unexpected header in $curve"
    exit 1
  fi
  if [ "$(tail -n +2 "$curve" | awk -F, 'NF == 7' | wc -l)" -lt 1 ]; then
    echo "no points in $curve"
    exit 1
  fi
  if ! tail -n +2 "$curve" | awk -F, '$7 < last { exit 1 } { last = $7 } END { exit !(last > 0) }'; then
    echo "samples in $curve do not grow to a positive total"
    exit 1
  fi
done
