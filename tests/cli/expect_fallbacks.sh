#!/bin/sh
# usage: expect_fallbacks.sh COMMAND [ARGS...]
# Runs a 'vvc eval' COMMAND and checks that its table ends with a "fallbacks" column and that the last row (the
# policy) reports a positive number of fallback steps.
set -u
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
"$@" >"$out" || { echo "command failed"; cat "$out"; exit 1; }
if [ "$(head -n 1 "$out" | awk '{ print $NF }')" != fallbacks ]; then
  echo "no fallbacks column:"; cat "$out"; exit 1
fi
value=$(tail -n 1 "$out" | awk '{ print $NF }')
if ! [ "$value" -gt 0 ] 2>/dev/null; then
  echo "expected fallback steps > 0 in the last row, got '$value':"; cat "$out"; exit 1
fi
