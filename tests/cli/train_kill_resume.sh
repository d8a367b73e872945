#!/bin/sh
# usage: train_kill_resume.sh VVC STUDY OUTDIR [KILLS] [SEED]
# Outputs that survive a crash: 'vvc train --checkpoint-every 1' killed with SIGKILL at KILLS (default 20) random
# moments. The moments are drawn from a generator seeded with SEED (default 16), as fractions of the time an
# uninterrupted run takes here. After each kill: the checkpoint on disk, when one was written, is complete JSON and
# loads (the resume reads it), the policy file is either absent or complete, and the resume from the checkpoint
# ends on the policy of the uninterrupted run, apart from its wall-clock fields ("seconds"). A run killed before
# its first checkpoint leaves nothing to resume and is counted as such.
set -u
vvc=$1
study=$2
out=$3
kills=${4:-20}
seed=${5:-16}
rm -rf "$out" && mkdir -p "$out" || exit 1
iterations=10
train="--study $study --scenarios 2 --draws 2 --validation-every 1 --validation-scenarios 2 --eval-seeds 0:2
  --threads 1 --quiet --checkpoint-every 1"

# The policy without its wall-clock fields, keys sorted, one line: two runs compare equal as text.
policy_numbers() {
  python3 - "$1" <<'EOF'
import json, sys
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k != "seconds"}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
print(json.dumps(strip(json.load(open(sys.argv[1]))), sort_keys=True))
EOF
}

start=$(date +%s.%N)
# shellcheck disable=SC2086
"$vvc" train $train --iterations $iterations --out "$out/reference.json" >/dev/null 2>"$out/reference.err" || {
  echo "the uninterrupted run failed:"; cat "$out/reference.err"; exit 1; }
took=$(python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$start" "$(date +%s.%N)")
reference=$(policy_numbers "$out/reference.json") || exit 1

# The kill moments: uniform over the uninterrupted run's duration, from a seeded generator.
delays=$(python3 -c "
import random, sys
rng = random.Random(int(sys.argv[1]))
print(' '.join('%.3f' % (rng.random() * float(sys.argv[3])) for _ in range(int(sys.argv[2]))))" \
  "$seed" "$kills" "$took")

fail=0
resumed=0
k=0
for delay in $delays; do
  k=$((k + 1))
  run="$out/kill$k"
  mkdir -p "$run"
  # shellcheck disable=SC2086
  "$vvc" train $train --iterations $iterations --out "$run/policy.json" >/dev/null 2>"$run/train.err" &
  pid=$!
  sleep "$delay"
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  checkpoint="$run/policy.json.checkpoint.json"
  if [ -e "$run/policy.json" ] && ! python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$run/policy.json" \
    2>/dev/null; then
    echo "kill $k after ${delay} s: policy.json is not complete JSON"; fail=1
  fi
  if [ ! -e "$checkpoint" ]; then
    continue
  fi
  if ! python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$checkpoint" 2>/dev/null; then
    echo "kill $k after ${delay} s: the checkpoint is not complete JSON"; fail=1; continue
  fi
  done_iterations=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['iteration'])" "$checkpoint")
  if [ "$done_iterations" -ge "$iterations" ]; then
    # The run had finished training; its checkpoint holds the last iteration and nothing is left to resume.
    continue
  fi
  if ! "$vvc" train --resume "$checkpoint" --study "$study" --iterations $iterations --eval-seeds 0:2 --threads 1 \
    --quiet --out "$run/resumed.json" >/dev/null 2>"$run/resume.err"; then
    echo "kill $k after ${delay} s: the resume from iteration $done_iterations failed:"; cat "$run/resume.err"
    fail=1; continue
  fi
  resumed=$((resumed + 1))
  if [ "$(policy_numbers "$run/resumed.json")" != "$reference" ]; then
    echo "kill $k after ${delay} s: the resume from iteration $done_iterations ends on another policy"; fail=1
  fi
done
echo "$kills kills over $took s runs (seed $seed): $resumed resumed from a checkpoint, $((kills - resumed)) killed" \
  "before the first checkpoint or after the last iteration"
exit "$fail"
