#!/bin/sh
# usage: mpi_rank_killed.sh MPIEXEC VVC STUDY OUTDIR
# Starts a long 'vvc train' on 2 MPI ranks with a checkpoint every iteration, kills rank 1 (SIGKILL) once two
# iterations are checkpointed, and checks the failure contract: the job ends with a non-zero status and a message
# naming rank 1, and the checkpoint is intact. A resume on 3 ranks then finishes, and its policy equals that of an
# uninterrupted run in one process, apart from the wall-clock fields.
set -u
mpiexec=$1
vvc=$2
study=$3
out=$4
rm -rf "$out" && mkdir -p "$out" || exit 1
# The default validation cadence (every 10 iterations and after the last): policy files do not record another.
options="--scenarios 3 --draws 2 --validation-scenarios 3 --eval-seeds 0:4 --threads 1"
checkpoint="$out/policy.json.checkpoint.json"
"$mpiexec" --allow-run-as-root --oversubscribe -np 2 "$vvc" train --study "$study" --out "$out/policy.json" \
  --iterations 100000 --checkpoint-every 1 $options >"$out/stdout.txt" 2>"$out/stderr.txt" &
job=$!
iteration() {
  python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['iteration'])" "$checkpoint" 2>/dev/null || echo 0
}
waited=0
until [ "$(iteration)" -ge 2 ]; do
  if ! kill -0 "$job" 2>/dev/null; then echo "the job ended before the kill:"; cat "$out/stderr.txt"; exit 1; fi
  sleep 0.2
  waited=$((waited + 1))
  if [ "$waited" -gt 600 ]; then echo "no checkpoint after 120 s"; kill -KILL "$job"; exit 1; fi
done
# Rank 1: the vvc process whose environment names it.
victim=""
for pid in $(pgrep -f "$vvc train --study $study --out $out/policy.json"); do
  if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=1"; then victim=$pid; fi
done
[ -n "$victim" ] || { echo "rank 1 not found"; kill -KILL "$job"; exit 1; }
kill -KILL "$victim"
waited=0
while kill -0 "$job" 2>/dev/null; do
  sleep 0.2
  waited=$((waited + 1))
  if [ "$waited" -gt 300 ]; then echo "the job still runs 60 s after rank 1 died"; kill -KILL "$job"; exit 1; fi
done
wait "$job"
status=$?
fail=0
[ "$status" -ne 0 ] || { echo "the job ended with status 0 after rank 1 was killed"; fail=1; }
grep -q "rank 1" "$out/stderr.txt" || { echo "no message names rank 1:"; cat "$out/stderr.txt"; fail=1; }
done_iterations=$(iteration)
[ "$done_iterations" -ge 2 ] || { echo "the checkpoint is not intact (iteration '$done_iterations')"; fail=1; }
[ "$fail" -eq 0 ] || exit 1
total=$((done_iterations + 2))
"$mpiexec" --allow-run-as-root --oversubscribe -np 3 "$vvc" train --study "$study" --out "$out/resumed.json" \
  --resume "$checkpoint" --iterations "$total" --eval-seeds 0:4 --threads 1 --quiet >"$out/resume.txt" 2>&1 || {
  echo "the resume on 3 ranks failed:"; cat "$out/resume.txt"; exit 1; }
"$vvc" train --study "$study" --out "$out/straight.json" --iterations "$total" $options --quiet \
  >"$out/straight.txt" 2>&1 || { echo "the uninterrupted run failed:"; cat "$out/straight.txt"; exit 1; }
for f in resumed straight; do
  python3 -c '
import json, sys
def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in ("seconds", "training_seconds")}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node
print(json.dumps(strip(json.load(open(sys.argv[1]))), indent=1, sort_keys=True))' "$out/$f.json" >"$out/$f.numbers"
done
if ! cmp -s "$out/straight.numbers" "$out/resumed.numbers"; then
  echo "the resumed policy differs from the uninterrupted run's:"; diff "$out/straight.numbers" "$out/resumed.numbers" | head -20
  exit 1
fi
