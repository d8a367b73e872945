#!/bin/sh
# usage: policy_conditions.sh VVC STUDY OTHER_STUDY OUTDIR
# Trains a short policy on STUDY, then evaluates it on OTHER_STUDY, whose voltage band differs: vvc eval must warn
# naming both bands (exit 0), and refuse with --strict (exit 2, nothing on stdout); on STUDY itself it must not
# warn.
set -u
vvc=$1
study=$2
other=$3
out=$4
rm -rf "$out" && mkdir -p "$out" || exit 1
"$vvc" train --study "$study" --out "$out/policy.json" --iterations 1 --scenarios 2 --draws 2 \
  --validation-every 0 --eval-seeds 0:2 --quiet >/dev/null 2>"$out/train.txt" || { cat "$out/train.txt"; exit 1; }
difference="trained for the voltage band [0.95, 1.05] pu, the study's is [0.99, 1.01] pu"
fail=0
"$vvc" eval --study "$other" --policy "$out/policy.json" --seeds 0:2 --quiet >"$out/out.txt" 2>"$out/err.txt"
status=$?
[ "$status" -eq 0 ] || { echo "expected exit status 0 without --strict, got $status"; fail=1; }
grep -qF "vvc eval: warning: $out/policy.json: $difference" "$out/err.txt" || { echo "no warning: $difference"; fail=1; }
"$vvc" eval --study "$other" --policy "$out/policy.json" --seeds 0:2 --strict >"$out/out.txt" 2>"$out/err2.txt"
status=$?
[ "$status" -eq 2 ] || { echo "expected exit status 2 with --strict, got $status"; fail=1; }
[ -s "$out/out.txt" ] && { echo "expected nothing on stdout with --strict"; fail=1; }
grep -qF "$difference" "$out/err2.txt" || { echo "the --strict error does not name the difference"; fail=1; }
"$vvc" eval --study "$study" --policy "$out/policy.json" --seeds 0:2 --quiet >/dev/null 2>"$out/err3.txt"
[ -s "$out/err3.txt" ] && { echo "a policy on its own study must not warn:"; cat "$out/err3.txt"; fail=1; }
if [ "$fail" -ne 0 ]; then echo "--- stderr:"; cat "$out/err.txt" "$out/err2.txt"; fi
exit "$fail"
