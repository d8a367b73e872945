#!/bin/sh
# usage: mpi_failures.sh MPIEXEC VVC STUDY OUTDIR
# Failures on 3 MPI ranks give one message from vvc: bad input that every rank meets (an unknown controller), bad
# input that only rank 0 meets (an output folder that does not exist) and bad input files, which rank 0 alone
# reads (a study that does not exist, a truncated policy), exit with status 2 and print one
# "vvc ...: error:" line; a failure after the inputs were read (the per-scenario CSV cannot be written) names the
# rank and ends the job with a non-zero status.
set -u
mpiexec=$1
vvc=$2
study=$3
out=$4
rm -rf "$out" && mkdir -p "$out" || exit 1
printf '{"format": "vvc.policy", "version": 1,' >"$out/bad-policy.json"
fail=0
check() {  # check NAME EXPECTED_STATUS FRAGMENT COMMAND...
  name=$1
  expected=$2
  fragment=$3
  shift 3
  "$mpiexec" --allow-run-as-root --oversubscribe -np 3 "$@" >"$out/$name.stdout" 2>"$out/$name.stderr"
  status=$?
  lines=$(grep -c "^vvc " "$out/$name.stderr")
  ok=1
  if [ "$expected" = "nonzero" ]; then [ "$status" -ne 0 ] || ok=0; else [ "$status" -eq "$expected" ] || ok=0; fi
  [ "$ok" -eq 1 ] || { echo "$name: exit status $status, expected $expected"; fail=1; }
  [ "$lines" -eq 1 ] || { echo "$name: $lines messages from vvc, expected 1"; fail=1; }
  grep -qF -- "$fragment" "$out/$name.stderr" || { echo "$name: stderr does not contain: $fragment"; fail=1; }
  [ "$fail" -eq 0 ] || cat "$out/$name.stderr"
}
check every_rank 2 "vvc eval: error: unknown controller 'magic'" \
  "$vvc" eval --study "$study" --controller magic
check rank_0_only 2 "vvc train: error: --out $out/missing/policy.json: cannot write into" \
  "$vvc" train --study "$study" --out "$out/missing/policy.json"
check missing_input 2 "vvc eval: error: $out/no-such-study: cannot open" \
  "$vvc" eval --study "$out/no-such-study" --controller zero
check bad_policy 2 "vvc eval: error: $out/bad-policy.json" \
  "$vvc" eval --study "$study" --policy "$out/bad-policy.json"
check after_inputs nonzero "vvc eval: rank 0: error: $out/missing/episodes.csv: cannot write" \
  "$vvc" eval --study "$study" --controller zero --seeds 0:5 --quiet --csv "$out/missing/episodes.csv"
exit "$fail"
