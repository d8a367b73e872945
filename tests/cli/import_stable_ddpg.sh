#!/bin/sh
# usage: import_stable_ddpg.sh VVC SOURCE_DIR OUTDIR
# scripts/import-stable-ddpg on checkpoints written in PyTorch's format by tests/support/torch_checkpoints.py for
# cases/ieee13_3p: the baseline file holds exactly the checkpoints' float32 slopes and breakpoints, inverter by
# inverter in the study's order with the settings asked for (--linear-gain, --max-step), and vvc eval evaluates it
# (the same for LinearPolicy checkpoints, --linear); a
# checkpoint whose pickle asks for anything but tensors, one of the other actor, or a missing one, is refused with
# exit status 2 and a message naming the file.
set -u
vvc=$1
src=$2
out=$3
study=$src/cases/ieee13_3p
rm -rf "$out" && mkdir -p "$out/good" "$out/malicious" "$out/missing" || exit 1
python3 "$src/tests/support/torch_checkpoints.py" "$study/study.json" "$out/good" || exit 1
"$src/scripts/import-stable-ddpg" --checkpoints "$out/good" --study "$study" --out "$out/nets.json" || {
  echo "import-stable-ddpg failed"; exit 1; }
python3 - "$out/nets.json" "$out/good/expected.json" <<'PY' || exit 1
import json, sys
nets, expected = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert nets["format"] == "vvc.baseline" and nets["kind"] == "stable-ddpg", nets["format"]
assert nets["actors"] == expected, "the networks differ from the checkpoints' values"
assert nets["inverters"][:4] == ["generator.bus633_1", "generator.bus633_2", "generator.bus633_3",
                                 "generator.bus634_1"], nets["inverters"][:4]
assert nets["shape"] == {"hidden": 5, "upper": 1.03, "lower": 0.97, "breakpoint_total": 0.15}, nets["shape"]
assert nets["linear_gain"] == 0.1 and nets["max_step"] == 0.4, (nets["linear_gain"], nets["max_step"])
PY
"$src/scripts/import-stable-ddpg" --checkpoints "$out/good" --study "$study" --out "$out/nets_gain.json" \
  --linear-gain 0.01 --max-step 0.5 || { echo "import-stable-ddpg --linear-gain failed"; exit 1; }
python3 - "$out/nets_gain.json" "$out/good/expected.json" <<'PY' || exit 1
import json, sys
nets, expected = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert nets["actors"] == expected and nets["linear_gain"] == 0.01 and nets["max_step"] == 0.5, nets["linear_gain"]
PY
"$vvc" eval --study "$study" --policy "$out/nets.json" --seeds 0:2 --steps 5 --quiet >"$out/eval.txt" 2>&1 || {
  echo "vvc eval failed:"; cat "$out/eval.txt"; exit 1; }
grep -q '^stable-ddpg ' "$out/eval.txt" || { echo "no stable-ddpg row:"; cat "$out/eval.txt"; exit 1; }
mkdir -p "$out/linear" || exit 1
python3 "$src/tests/support/torch_checkpoints.py" "$study/study.json" "$out/linear" --linear || exit 1
"$src/scripts/import-stable-ddpg" --linear --checkpoints "$out/linear" --study "$study" --out "$out/linear.json" || {
  echo "import-stable-ddpg --linear failed"; exit 1; }
python3 - "$out/linear.json" "$out/linear/expected.json" <<'PY' || exit 1
import json, sys
nets, expected = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert nets["actors"] == expected, "the one-unit networks differ from the checkpoints' slopes"
assert nets["linear_gain"] == 0.0 and nets["shape"]["hidden"] == 1, (nets["linear_gain"], nets["shape"])
PY
"$vvc" eval --study "$study" --policy "$out/linear.json" --seeds 0:2 --steps 5 --quiet >"$out/eval_linear.txt" 2>&1 || {
  echo "vvc eval of the linear policy failed:"; cat "$out/eval_linear.txt"; exit 1; }
sh "$src/tests/cli/expect_cli_error.sh" "policy_net_checkpoint_a0.pth: expected a LinearPolicy (one slope), got policy_a.b" \
  "$src/scripts/import-stable-ddpg" --linear --checkpoints "$out/good" --study "$study" --out "$out/never.json" || exit 1
sh "$src/tests/cli/expect_cli_error.sh" "--linear-gain does not apply to --linear" \
  "$src/scripts/import-stable-ddpg" --linear --linear-gain 0.01 --checkpoints "$out/linear" --study "$study" \
  --out "$out/never.json" || exit 1
sh "$src/tests/cli/expect_cli_error.sh" "--linear-gain: expected a number >= 0, got -0.1" \
  "$src/scripts/import-stable-ddpg" --linear-gain -0.1 --checkpoints "$out/good" --study "$study" \
  --out "$out/never.json" || exit 1
python3 "$src/tests/support/torch_checkpoints.py" "$study/study.json" "$out/malicious" --malicious || exit 1
sh "$src/tests/cli/expect_cli_error.sh" "policy_net_checkpoint_a0.pth: holds posix.system, not a state dict" \
  "$src/scripts/import-stable-ddpg" --checkpoints "$out/malicious" --study "$study" --out "$out/never.json" || exit 1
cp "$out/good"/*.pth "$out/missing" && rm "$out/missing/policy_net_checkpoint_a5.pth"
sh "$src/tests/cli/expect_cli_error.sh" "policy_net_checkpoint_a5.pth: not a PyTorch zip checkpoint" \
  "$src/scripts/import-stable-ddpg" --checkpoints "$out/missing" --study "$study" --out "$out/never.json" || exit 1
[ ! -e "$out/never.json" ] || { echo "a refused import wrote its output"; exit 1; }
