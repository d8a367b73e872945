#!/bin/sh
# usage: expect_table_file_row.sh VVC STUDY OUTDIR ROW FILE [ROW FILE ...]
# Runs 'VVC bench table --quick --policy FILE ...' with every FILE and checks that table.csv has, right after the
# reference controllers, one row of kind "file" per FILE, in the order given and named ROW, and that each row's
# transient is the mean of the per-scenario transients 'VVC eval --policy FILE' writes for the same 8 seeds (0:8).
set -u
vvc=$1
study=$2
out=$3
shift 3
rm -rf "$out"
mkdir -p "$out"
rows=""
set_files=""
n=0
while [ $# -ge 2 ]; do
  n=$((n + 1))
  rows="$rows$1
"
  echo "$2" >"$out/file$n"
  set_files="$set_files --policy $2"
  shift 2
done
# shellcheck disable=SC2086  # the files' paths hold no blanks
if ! "$vvc" bench table --study "$study" $set_files --out "$out/table" --quick --threads 2 --quiet \
  2>"$out/stderr"; then
  echo "vvc bench table failed:"
  cat "$out/stderr"
  exit 1
fi
expected=$(printf '%s' "$rows")
got=$(awk -F, '$2 == "file" { print $1 }' "$out/table/table.csv")
if [ "$got" != "$expected" ]; then
  echo "expected the rows of kind file:"; echo "$expected"; echo "got:"; cat "$out/table/table.csv"
  exit 1
fi
kinds=$(awk -F, 'NR > 1 && $2 != "reference" { print $2 }' "$out/table/table.csv" | head -n "$n" | sort -u)
if [ "$kinds" != "file" ]; then
  echo "the files' rows do not follow the reference controllers:"
  cat "$out/table/table.csv"
  exit 1
fi
i=0
while [ "$i" -lt "$n" ]; do
  i=$((i + 1))
  file=$(cat "$out/file$i")
  if ! "$vvc" eval --study "$study" --policy "$file" --seeds 0:8 --csv "$out/eval$i.csv" >/dev/null 2>&1; then
    echo "vvc eval --policy $file failed"
    exit 1
  fi
  table=$(awk -F, '$2 == "file"' "$out/table/table.csv" | sed -n "${i}p" | cut -d, -f3)
  eval_mean=$(awk -F, 'NR > 1 { sum += $3; n += 1 } END { if (n == 8) printf "%.17g", sum / n }' "$out/eval$i.csv")
  if ! awk -v a="$table" -v b="$eval_mean" 'BEGIN { d = a - b; if (d < 0) d = -d; if (b < 0) b = -b; exit !(b != "" && d <= 1e-9 * b) }'; then
    echo "row $i: the table's transient $table differs from vvc eval's mean over seeds 0:8 ($eval_mean) for $file"
    exit 1
  fi
done
