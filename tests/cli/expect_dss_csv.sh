#!/bin/sh
# usage: expect_dss_csv.sh VVC CASE.dss ROWS REGULATORS [OPTIONS...]
# Runs 'VVC powerflow CASE.dss --format csv --summary-csv S --taps-csv T OPTIONS' and checks that each CSV holds one
# table: exit status 0; stdout is the voltage header and exactly ROWS rows of five fields with phase a, b or c; S is
# the quantity,value table (status converged, iterations, source, load and losses); T is the header and REGULATORS
# rows of three fields.
set -u
vvc=$1
case_path=$2
rows=$3
regulators=$4
shift 4
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
fail() {
  echo "$1"
  for f in out.csv summary.csv taps.csv; do
    echo "--- $f:"
    cat "$dir/$f" 2>/dev/null
  done
  exit 1
}
"$vvc" powerflow "$case_path" --format csv --summary-csv "$dir/summary.csv" --taps-csv "$dir/taps.csv" "$@" \
  >"$dir/out.csv"
status=$?
[ "$status" -eq 0 ] || fail "expected exit status 0, got $status"

[ "$(head -n 1 "$dir/out.csv")" = "bus,phase,vm_pu,va_deg,vm_volts" ] || fail "unexpected voltage header"
[ "$(wc -l <"$dir/out.csv")" -eq $((rows + 1)) ] || fail "expected the header and $rows rows on stdout"
good=$(tail -n +2 "$dir/out.csv" | awk -F, 'NF == 5 && ($2 == "a" || $2 == "b" || $2 == "c")' | wc -l)
[ "$good" -eq "$rows" ] || fail "expected $rows voltage rows of 5 fields, got $good"

[ "$(head -n 1 "$dir/summary.csv")" = "quantity,value" ] || fail "unexpected summary header"
[ "$(wc -l <"$dir/summary.csv")" -eq 9 ] || fail "expected the header and 8 quantities in the summary"
grep -qx "status,converged" "$dir/summary.csv" || fail "the summary lacks status,converged"
for quantity in iterations source_kw source_kvar load_kw load_kvar losses_kw losses_kvar; do
  grep -Eq "^$quantity,-?[0-9]" "$dir/summary.csv" || fail "the summary lacks a number for $quantity"
done

[ "$(head -n 1 "$dir/taps.csv")" = "regulator,tap_pu,position" ] || fail "unexpected taps header"
[ "$(wc -l <"$dir/taps.csv")" -eq $((regulators + 1)) ] || fail "expected the header and $regulators taps"
good=$(tail -n +2 "$dir/taps.csv" | awk -F, 'NF == 3' | wc -l)
[ "$good" -eq "$regulators" ] || fail "expected $regulators tap rows of 3 fields, got $good"
