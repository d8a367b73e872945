#!/bin/sh
# usage: expect_dss_csv.sh VVC CASE.dss ROWS [OPTIONS...]
# Runs 'VVC powerflow CASE.dss --format csv OPTIONS' and checks: exit status 0, the voltage header, ROWS voltage
# rows of five fields with phase a, b or c, then the quantity block with the source power and the losses.
set -u
vvc=$1
case_path=$2
rows=$3
shift 3
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
"$vvc" powerflow "$case_path" --format csv "$@" >"$out"
status=$?
if [ "$status" -ne 0 ]; then
  echo "expected exit status 0, got $status"
  exit 1
fi
header=$(head -n 1 "$out")
if [ "$header" != "bus,phase,vm_pu,va_deg,vm_volts" ]; then
  echo "unexpected header: $header"
  exit 1
fi
voltage_rows=$(awk 'NR > 1 && /^$/ {exit} NR > 1' "$out")
good_rows=$(printf '%s\n' "$voltage_rows" | awk -F, 'NF == 5 && ($2 == "a" || $2 == "b" || $2 == "c")' | wc -l)
if [ "$good_rows" -ne "$rows" ]; then
  echo "expected $rows voltage rows of 5 fields, got $good_rows:"
  cat "$out"
  exit 1
fi
for quantity in status,converged source_kw, source_kvar, losses_kw, losses_kvar,; do
  if ! grep -q "^$quantity" "$out"; then
    echo "missing '$quantity' in the output:"
    cat "$out"
    exit 1
  fi
done
