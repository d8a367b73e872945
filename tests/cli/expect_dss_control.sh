#!/bin/sh
# usage: expect_dss_control.sh VVC CASE.dss DUMP [OPTIONS...]
# Runs 'VVC powerflow CASE.dss --format csv --taps-csv T --capacitors-csv C OPTIONS' and checks it against
# OpenDSS's solution DUMP (a dssrun dump: voltages, then "# regcontrols", "# capacitors", "# solution"): exit
# status 0, one voltage row per node of the dump, every regulator at the dump's tap position and every
# capacitor with the dump's step states.
set -u
vvc=$1
case_path=$2
dump=$3
shift 3
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
fail() {
  echo "$1"
  for f in taps.csv capacitors.csv expected_taps.csv expected_capacitors.csv; do
    echo "--- $f:"
    cat "$dir/$f" 2>/dev/null
  done
  exit 1
}
"$vvc" powerflow "$case_path" --format csv --taps-csv "$dir/taps.csv" --capacitors-csv "$dir/capacitors.csv" "$@" \
  >"$dir/out.csv"
status=$?
[ "$status" -eq 0 ] || fail "expected exit status 0, got $status"

nodes=$(tr -d '\r' <"$dump" | awk -F, '$1 == "num_nodes" { print $2 }')
[ "$(wc -l <"$dir/out.csv")" -eq $((nodes + 1)) ] || fail "expected the header and $nodes voltage rows"

# regulator,position and capacitor,states from the dump's sections.
tr -d '\r' <"$dump" | awk -F, '/^# / { section = substr($0, 3) } section == "regcontrols" && NF == 7 && $1 != "regcontrol" {
  print $1 "," $7 }' | sort >"$dir/expected_taps.csv"
tr -d '\r' <"$dump" | awk -F, '/^# / { section = substr($0, 3) } section == "capacitors" && NF == 3 && $1 != "capacitor" {
  print $1 "," $3 }' | sort >"$dir/expected_capacitors.csv"
[ -s "$dir/expected_taps.csv" ] || [ -s "$dir/expected_capacitors.csv" ] || fail "$dump lists no controls"
tail -n +2 "$dir/taps.csv" | awk -F, '{ print $1 "," $3 }' | sort | cmp -s - "$dir/expected_taps.csv" ||
  fail "the regulator positions differ from $dump"
tail -n +2 "$dir/capacitors.csv" | awk -F, '{ print $1 "," $3 }' | sort | cmp -s - "$dir/expected_capacitors.csv" ||
  fail "the capacitor states differ from $dump"
