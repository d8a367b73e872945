#!/bin/sh
# usage: expect_table_file_row.sh VVC STUDY FILE OUTDIR
# Runs 'VVC bench table --quick --policy FILE' and checks that table.csv has one row of kind "file" named
# "stable-ddpg (<FILE's name>)", right after the reference controllers, whose transient is the mean of the
# per-scenario transients 'VVC eval --policy FILE' writes for the same 8 seeds (0:8).
set -u
vvc=$1
study=$2
file=$3
out=$4
rm -rf "$out"
mkdir -p "$out"
if ! "$vvc" bench table --study "$study" --policy "$file" --out "$out/table" --quick --threads 2 --quiet \
  2>"$out/stderr"; then
  echo "vvc bench table failed:"
  cat "$out/stderr"
  exit 1
fi
name="stable-ddpg ($(basename "$file"))"
row=$(awk -F, '$2 == "file"' "$out/table/table.csv")
if [ "$(echo "$row" | grep -c .)" -ne 1 ] || [ "$(echo "$row" | cut -d, -f1)" != "$name" ]; then
  echo "expected one row of kind file named '$name' in table.csv:"
  cat "$out/table/table.csv"
  exit 1
fi
if [ "$(awk -F, 'NR > 1 && $2 != "reference" { print $2; exit }' "$out/table/table.csv")" != "file" ]; then
  echo "the file's row does not follow the reference controllers:"
  cat "$out/table/table.csv"
  exit 1
fi
if ! "$vvc" eval --study "$study" --policy "$file" --seeds 0:8 --csv "$out/eval.csv" >/dev/null 2>&1; then
  echo "vvc eval failed"
  exit 1
fi
table=$(echo "$row" | cut -d, -f3)
eval_mean=$(awk -F, 'NR > 1 { sum += $3; n += 1 } END { if (n == 8) printf "%.17g", sum / n }' "$out/eval.csv")
if ! awk -v a="$table" -v b="$eval_mean" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b != "" && d <= 1e-9 * b) }'; then
  echo "the table's transient $table differs from vvc eval's mean over seeds 0:8 ($eval_mean)"
  exit 1
fi
