#!/bin/sh
# usage: train_resume_conflict.sh VVC STUDY OUTDIR
# Writes a checkpoint (two short iterations), then checks that a resume naming a different --mode, --horizon and
# --backoff is refused with exit status 2 and a message naming them and what a resume may change, and that a
# resume repeating the checkpoint's own values is accepted.
set -u
vvc=$1
study=$2
out=$3
rm -rf "$out" && mkdir -p "$out" || exit 1
common="--scenarios 2 --draws 2 --validation-every 0 --threads 1 --quiet"
"$vvc" train --study "$study" --out "$out/p.json" --iterations 2 --checkpoint-every 1 --eval-seeds 0:2 $common \
  >/dev/null 2>"$out/err.txt" || { echo "the first run failed"; cat "$out/err.txt"; exit 1; }
"$vvc" train --study "$study" --out "$out/q.json" --resume "$out/p.json.checkpoint.json" --iterations 3 \
  --mode traj --horizon 4 --backoff off --eval-seeds 0:2 >"$out/out.txt" 2>"$out/err.txt"
status=$?
fail=0
[ "$status" -eq 2 ] || { echo "expected exit status 2, got $status"; fail=1; }
for fragment in "--mode traj (checkpoint: step)" "--horizon 4 (checkpoint: 1)" "--backoff off (checkpoint: on)" \
  "a resume may change only --iterations"; do
  grep -qF -- "$fragment" "$out/err.txt" || { echo "stderr does not contain: $fragment"; fail=1; }
done
[ -e "$out/q.json" ] && { echo "a refused resume wrote its policy"; fail=1; }
"$vvc" train --study "$study" --out "$out/r.json" --resume "$out/p.json.checkpoint.json" --iterations 3 \
  --mode step --draws 2 --backoff on --eval-seeds 0:2 --quiet >/dev/null 2>"$out/err2.txt" || {
  echo "a resume repeating the checkpoint's values failed:"; cat "$out/err2.txt"; fail=1; }
[ "$fail" -eq 0 ] || { echo "--- stderr:"; cat "$out/err.txt"; }
exit "$fail"
