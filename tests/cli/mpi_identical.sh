#!/bin/sh
# usage: mpi_identical.sh MPIEXEC VVC STUDY OUTDIR [no-table]
# Runs 'vvc train', 'vvc eval' and 'vvc bench table --quick' in one process and on 1, 2 and 3 MPI ranks (with
# different thread counts) and checks that every run writes the same numbers: the policy JSON byte for byte
# apart from its wall-clock fields (training_seconds, the curve's seconds), the evaluation table and per-scenario
# CSV byte for byte, the comparison table and learning curves apart from their time columns. With no-table, the
# comparison is left out (train and eval only).
set -u
mpiexec=$1
vvc=$2
study=$3
out=$4
table=${5:-table}
rm -rf "$out" && mkdir -p "$out" || exit 1
fail=0
run() {  # run NAME RANKS COMMAND...: RANKS 0 is one process without mpiexec
  name=$1
  ranks=$2
  shift 2
  if [ "$ranks" -eq 0 ]; then
    "$@" >"$out/$name.stdout" 2>"$out/$name.stderr"
  else
    "$mpiexec" --allow-run-as-root --oversubscribe -np "$ranks" "$@" >"$out/$name.stdout" 2>"$out/$name.stderr"
  fi
  status=$?
  if [ "$status" -ne 0 ]; then
    echo "$name exited with status $status:"; cat "$out/$name.stderr"; fail=1
  fi
}
# Removes the wall-clock fields of a policy JSON file.
without_times() {
  python3 -c '
import json, sys
def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in ("seconds", "training_seconds")}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node
print(json.dumps(strip(json.load(open(sys.argv[1]))), indent=1, sort_keys=True))' "$1"
}
# Drops the named columns of a CSV file.
without_columns() {
  python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
keep = [i for i, name in enumerate(rows[0]) if name not in sys.argv[2:]]
for row in rows:
    print(",".join(row[i] for i in keep))' "$@"
}
same() {  # same WHAT REFERENCE OTHER
  if ! cmp -s "$2" "$3"; then echo "$1 differs:"; diff "$2" "$3" | head -20; fail=1; fi
}

train="train --study $study --iterations 3 --scenarios 5 --draws 2 --validation-every 2 --validation-scenarios 7 --eval-seeds 0:9 --quiet"
evaluate="eval --study $study --controller zero,gradient-flow --seeds 0:13 --quiet"
for setup in "0 2" "1 1" "2 1" "3 2"; do
  set -- $setup
  ranks=$1
  threads=$2
  tag="n${ranks}_t${threads}"
  run "train_$tag" "$ranks" "$vvc" $train --threads "$threads" --out "$out/policy_$tag.json"
  [ -f "$out/policy_$tag.json" ] && without_times "$out/policy_$tag.json" >"$out/policy_$tag.numbers"
  run "eval_$tag" "$ranks" "$vvc" $evaluate --policy "$out/policy_n0_t2.json" --threads "$threads" \
    --csv "$out/episodes_$tag.csv"
  [ "$table" = table ] &&
    run "table_$tag" "$ranks" "$vvc" bench table --study "$study" --quick --threads "$threads" --quiet --out "$out/table_$tag"
  if [ -f "$out/table_$tag/table.csv" ]; then
    without_columns "$out/table_$tag/table.csv" training_seconds >"$out/table_$tag.numbers"
    for curve in "$out/table_$tag/curves/"*.csv; do
      without_columns "$curve" seconds >>"$out/table_$tag.numbers"
    done
  fi
  if [ "$ranks" -gt 0 ]; then
    same "the policy of $ranks rank(s) x $threads thread(s)" "$out/policy_n0_t2.numbers" "$out/policy_$tag.numbers"
    same "the evaluation table of $ranks rank(s)" "$out/eval_n0_t2.stdout" "$out/eval_$tag.stdout"
    same "the per-scenario CSV of $ranks rank(s)" "$out/episodes_n0_t2.csv" "$out/episodes_$tag.csv"
    [ "$table" = table ] && same "the comparison table of $ranks rank(s)" "$out/table_n0_t2.numbers" "$out/table_$tag.numbers"
    for f in train eval; do
      if [ -s "$out/${f}_$tag.stderr" ]; then echo "vvc $f on $ranks ranks printed on stderr:"; cat "$out/${f}_$tag.stderr"; fail=1; fi
    done
  fi
done
grep -q "policy written to" "$out/train_n3_t2.stdout" || { echo "vvc train on 3 ranks printed no result"; fail=1; }
[ "$(grep -c "policy written to" "$out/train_n3_t2.stdout")" -eq 1 ] || { echo "more than one rank printed"; fail=1; }
exit "$fail"
