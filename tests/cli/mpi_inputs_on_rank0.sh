#!/bin/sh
# usage: mpi_inputs_on_rank0.sh MPIEXEC VVC CASES OUTDIR
# Rank 0 alone reads the input files. The jobs run on 3 ranks with rank 0 in a folder holding the inputs (copies
# of cases/ieee13_tasrl and cases/ieee13, a policy, a checkpoint) and ranks 1 and 2 in an empty folder, every rank
# given the same relative paths: a rank > 0 that opened an input (the study, its network and Redirect targets, its
# scenario file, the policy, the checkpoint) would fail with "cannot open". Each job must give what one process
# in the inputs folder gives: the same table and per-scenario CSV, the same comparison, the same resumed policy.
set -u
mpiexec=$1
vvc=$2
cases=$3
out=$4
rm -rf "$out" && mkdir -p "$out/in" "$out/empty" || exit 1
cp -r "$cases/ieee13_tasrl" "$cases/ieee13" "$out/in/" || exit 1
fail=0
one() {  # one NAME ARGS...: one process in the inputs folder
  name=$1
  shift
  (cd "$out/in" && "$vvc" "$@" >"../$name.stdout" 2>"../$name.stderr") || {
    echo "$name (one process) failed:"; cat "$out/$name.stderr"; fail=1; }
}
job() {  # job NAME ARGS...: rank 0 in the inputs folder, ranks 1 and 2 in the empty one
  name=$1
  shift
  "$mpiexec" --allow-run-as-root --oversubscribe -np 1 --wdir "$out/in" "$vvc" "$@" : \
    -np 2 --wdir "$out/empty" "$vvc" "$@" >"$out/$name.stdout" 2>"$out/$name.stderr" || {
    echo "$name (3 ranks) failed:"; cat "$out/$name.stderr"; fail=1; }
}
without_columns() {  # without_columns CSV NAMES...: the CSV without the named columns
  python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
keep = [i for i, name in enumerate(rows[0]) if name not in sys.argv[2:]]
for row in rows:
    print(",".join(row[i] for i in keep))' "$@"
}
same() {  # same WHAT REFERENCE OTHER
  if ! cmp -s "$1" "$2"; then echo "$1 and $2 differ:"; diff "$1" "$2" | head -20; fail=1; fi
}
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

# A balanced study given as a folder (study.json, its case.json found in the folder).
for who in one job; do
  $who "tasrl_$who" eval --study ieee13_tasrl --controller zero,gradient-flow --seeds 0:6 --quiet \
    --csv "tasrl_$who.csv"
done
# Three-phase studies: an OpenDSS script with a Redirect, a scenario file by element, daily load shapes.
for who in one job; do
  $who "elements_$who" eval --study ieee13/examples/study_elements_csv.json --controller zero,voltvar \
    --seeds 0:1 --steps 6 --quiet --csv "elements_$who.csv"
  $who "daily_$who" eval --study ieee13/examples/study_daily.json --controller voltvar --seeds 0:3 --quiet
done
# The comparison table of a three-phase study (its curves and table apart from the time columns).
for who in one job; do
  $who "table_$who" bench table --study ieee13/examples/study_daily.json --quick --threads 1 --quiet \
    --out "table_$who"
done
# A policy and a checkpoint: trained in one process, then evaluated and resumed.
one trained train --study ieee13_tasrl --out policy.json --iterations 2 --scenarios 3 --draws 2 \
  --validation-every 2 --validation-scenarios 3 --eval-seeds 0:3 --checkpoint-every 1 --quiet
for who in one job; do
  $who "policy_$who" eval --study ieee13_tasrl --policy policy.json --seeds 0:4 --quiet --csv "policy_$who.csv"
  $who "resume_$who" train --study ieee13_tasrl --out "resumed_$who.json" --resume policy.json.checkpoint.json \
    --iterations 3 --eval-seeds 0:3 --quiet
done
if [ "$fail" -eq 0 ]; then
  for name in tasrl elements daily policy; do same "$out/${name}_one.stdout" "$out/${name}_job.stdout"; done
  for name in tasrl elements policy; do same "$out/in/${name}_one.csv" "$out/in/${name}_job.csv"; done
  for who in one job; do
    without_columns "$out/in/table_$who/table.csv" training_seconds >"$out/table_$who.numbers"
    for curve in "$out/in/table_$who/curves/"*.csv; do without_columns "$curve" seconds >>"$out/table_$who.numbers"; done
  done
  same "$out/table_one.numbers" "$out/table_job.numbers"
  without_times "$out/in/resumed_one.json" >"$out/resumed_one.txt"
  without_times "$out/in/resumed_job.json" >"$out/resumed_job.txt"
  same "$out/resumed_one.txt" "$out/resumed_job.txt"
  [ -z "$(ls -A "$out/empty")" ] || { echo "ranks 1 and 2 wrote into their folder:"; ls -A "$out/empty"; fail=1; }
fi
exit "$fail"
