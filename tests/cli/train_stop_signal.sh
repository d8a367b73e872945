#!/bin/sh
# usage: train_stop_signal.sh VVC STUDY OUTDIR SIGNAL [STATUS]
# Starts a long 'vvc train', sends SIGNAL (INT or TERM) once two iterations are done, and checks the stop
# contract: exit status STATUS (default 130; "nonzero" for mpirun, which forwards the signal to the ranks as
# SIGTERM and exits with a status of its own), the best policy so far and the final checkpoint written (complete
# JSON, no temporary files left), and a resume from that checkpoint that finishes.
set -u
vvc=$1
study=$2
out=$3
signal=$4
expected=${5:-130}
rm -rf "$out" && mkdir -p "$out" || exit 1
# A non-interactive shell starts background commands with SIGINT ignored; env restores the default first.
env --default-signal=INT,TERM "$vvc" train --study "$study" --out "$out/policy.json" --iterations 100000 --scenarios 2 --draws 2 \
  --validation-every 1 --validation-scenarios 2 --threads 1 2>"$out/stderr.txt" >"$out/stdout.txt" &
pid=$!
waited=0
until grep -q "iteration 2/" "$out/stderr.txt" 2>/dev/null; do
  if ! kill -0 "$pid" 2>/dev/null; then echo "vvc train ended before the signal:"; cat "$out/stderr.txt"; exit 1; fi
  sleep 0.2
  waited=$((waited + 1))
  if [ "$waited" -gt 600 ]; then echo "no progress after 120 s"; kill -KILL "$pid"; exit 1; fi
done
kill -"$signal" "$pid"
waited=0
while kill -0 "$pid" 2>/dev/null; do
  sleep 0.2
  waited=$((waited + 1))
  if [ "$waited" -gt 300 ]; then echo "still running 60 s after SIG$signal"; kill -KILL "$pid"; break; fi
done
wait "$pid"
status=$?
fail=0
if [ "$expected" = nonzero ]; then
  [ "$status" -ne 0 ] || { echo "expected a non-zero exit status, got 0"; fail=1; }
else
  [ "$status" -eq "$expected" ] || { echo "expected exit status $expected, got $status"; fail=1; }
fi
for f in policy.json policy.json.checkpoint.json; do
  python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$out/$f" 2>/dev/null || { echo "$f missing or not JSON"; fail=1; }
done
grep -q '"format": "vvc.policy"' "$out/policy.json" 2>/dev/null || { echo "policy.json is not a policy"; fail=1; }
leftover=$(ls -A "$out" | grep -v -e '^policy.json$' -e '^policy.json.checkpoint.json$' -e '^stderr.txt$' -e '^stdout.txt$')
[ -z "$leftover" ] || { echo "files left behind: $leftover"; fail=1; }
done_iterations=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['iteration'])" \
  "$out/policy.json.checkpoint.json" 2>/dev/null)
if [ "$fail" -eq 0 ]; then
  "$vvc" train --study "$study" --out "$out/resumed.json" --resume "$out/policy.json.checkpoint.json" \
    --iterations $((done_iterations + 1)) --eval-seeds 0:2 --quiet >"$out/resume.txt" 2>&1 || {
    echo "the resume failed:"; cat "$out/resume.txt"; fail=1; }
fi
if [ "$fail" -ne 0 ]; then echo "--- stderr:"; cat "$out/stderr.txt"; fi
exit "$fail"
