#!/bin/sh
# usage: train_then_eval.sh VVC STUDY OUTDIR [METHOD]
# Trains a DiffOP policy for two iterations on STUDY (a study whose scenarios come from a small file), or with
# METHOD (stable-ddpg, tasrl) that DDPG baseline for one episode, then evaluates the written file with 'vvc eval'
# and its defaults. Both must score the same scenarios, the study's evaluation_seeds, with the same numbers: the
# figures of the two tables' rows (diffop-step, or METHOD) must be identical, and the per-scenario CSV must hold
# exactly the ids of evaluation_seeds.
set -u
vvc=$1
study=$2
out=$3
method=${4:-}
if [ -n "$method" ]; then
  row=$method
  set -- --method "$method" --episodes 1
else
  row=diffop-step
  set -- --iterations 2
fi
rm -rf "$out" && mkdir -p "$out" || exit 1
"$vvc" train --study "$study" --out "$out/policy.json" "$@" --threads 2 --quiet >"$out/train.txt" 2>&1 || {
  echo "vvc train failed:"; cat "$out/train.txt"; exit 1; }
"$vvc" eval --study "$study" --policy "$out/policy.json" --csv "$out/episodes.csv" --quiet >"$out/eval.txt" 2>&1 || {
  echo "vvc eval failed:"; cat "$out/eval.txt"; exit 1; }
# The file's row in vvc eval is "ROW (policy.json)": the figures after the names must be the same.
trained=$(grep "^$row " "$out/train.txt" | tr -s ' ' | cut -d' ' -f2-)
evaluated=$(grep "^$row (policy.json) " "$out/eval.txt" | tr -s ' ' | cut -d' ' -f3-)
if [ -z "$trained" ] || [ "$trained" != "$evaluated" ]; then
  echo "vvc train and vvc eval disagree:"; echo "train: $trained"; echo "eval:  $evaluated"; exit 1
fi
seeds=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['evaluation_seeds'])" "$study")
first=${seeds%:*}
last=${seeds#*:}
ids=$(tail -n +2 "$out/episodes.csv" | cut -d, -f1 | tr '\n' ' ')
expected=$(seq "$first" $((last - 1)) | tr '\n' ' ')
if [ "$ids" != "$expected" ]; then
  echo "vvc eval scored scenarios '$ids', expected the study's evaluation seeds '$expected'"; exit 1
fi
