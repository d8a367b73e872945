#!/bin/sh
# usage: expect_day.sh NAMES STEPS CSV COMMAND [ARGS...]
# Runs `vvc eval --day ... --csv CSV` and checks: exit status 0; the day table's header and exactly one row per
# controller of the comma-separated NAMES, in that order, each with STEPS steps, counts, finite figures and no
# failures; and the CSV: its header, STEPS rows per controller in step order, and per controller the same steps
# out of band and node-phase violations as the table.
set -u
names=$1
steps=$2
csv=$3
shift 3
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
rm -f "$csv"
"$@" >"$out"
status=$?
fail=0
[ "$status" -eq 0 ] || { echo "expected exit status 0, got $status"; fail=1; }
header="controller steps out band node-phases worst pu kvar-h loss kWh cost failures fallbacks CPU s"
[ "$(head -n 1 "$out" | tr -s ' ')" = "$header" ] || { echo "expected the header: $header"; fail=1; }
number='^-?[0-9]+\.[0-9]+$'
# A trained file's row name holds a blank ("diffop-step (policy.json)"): o counts the name's extra words, and the
# ten figures are the last fields.
rows=$(tail -n +2 "$out" | awk '{ o = NF - 11; name = $1; for (i = 2; i <= 1 + o; ++i) name = name " " $i
  line = name; for (i = 2 + o; i <= NF; ++i) line = line "|" $i; print line }')
got=$(echo "$rows" | awk -F'|' -v steps="$steps" -v number="$number" '
  NF == 11 && $2 == steps && $3 ~ /^[0-9]+$/ && $4 ~ /^[0-9]+$/ && $5 ~ number && $6 ~ number && $7 ~ number &&
  $8 ~ number && $9 == "0" && $10 ~ /^[0-9]+$/ && $11 ~ number { print $1; next }
  { print "malformed row: " $0 }' | paste -sd, -)
[ "$got" = "$names" ] || { echo "expected well-formed rows for $names, got: $got"; fail=1; }
csv_header="controller,step,time_s,vmin_pu,vmax_pu,out_of_band,violations,q_total_kvar,q_abs_kvar,losses_kw,cost"
if [ ! -f "$csv" ]; then
  echo "expected the CSV file $csv"
  fail=1
else
  [ "$(head -n 1 "$csv")" = "$csv_header" ] || { echo "expected the CSV header: $csv_header"; fail=1; }
  # Per controller: rows numbered 1..STEPS in order, and its sums of out_of_band and violations.
  from_csv=$(tail -n +2 "$csv" | awk -F, -v steps="$steps" '
    { if ($1 != name) { if (name != "") print name "|" n "|" out "|" viol; name = $1; n = 0; out = 0; viol = 0 }
      n++; if ($2 != n) bad = 1; out += $6; viol += $7 }
    END { if (name != "") print name "|" n "|" out "|" viol; if (bad) print "steps out of order" }')
  from_table=$(echo "$rows" | awk -F'|' '{ print $1 "|" $2 "|" $3 "|" $4 }')
  [ "$from_csv" = "$from_table" ] || { echo "CSV and table disagree:"; echo "$from_csv"; echo "---"; echo "$from_table"; fail=1; }
fi
if [ "$fail" -ne 0 ]; then
  echo "--- output:"
  cat "$out"
fi
exit "$fail"
