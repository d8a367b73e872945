#!/bin/sh
# usage: expect_csv.sh VVC CASE ROWS
# Runs 'VVC powerflow CASE --format csv' and checks: exit status 0, the header line, ROWS data rows of five fields.
set -u
vvc=$1
case_path=$2
rows=$3
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
"$vvc" powerflow "$case_path" --format csv >"$out"
status=$?
if [ "$status" -ne 0 ]; then
  echo "expected exit status 0, got $status"
  exit 1
fi
header=$(head -n 1 "$out")
if [ "$header" != "bus,vm_pu,va_deg,p_mw,q_mvar" ]; then
  echo "unexpected header: $header"
  exit 1
fi
data_rows=$(tail -n +2 "$out" | awk -F, 'NF == 5' | wc -l)
all_rows=$(tail -n +2 "$out" | wc -l)
if [ "$data_rows" -ne "$rows" ] || [ "$all_rows" -ne "$rows" ]; then
  echo "expected $rows rows of 5 fields, got $data_rows of $all_rows:"
  cat "$out"
  exit 1
fi
