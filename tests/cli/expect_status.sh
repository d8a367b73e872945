#!/bin/sh
# usage: expect_status.sh STATUS COMMAND [ARGS...]
# Runs COMMAND and checks that it exits with STATUS (a test that any non-zero status would not tell apart).
set -u
expected=$1
shift
"$@"
status=$?
if [ "$status" -ne "$expected" ]; then
  echo "expected exit status $expected, got $status from: $*"
  exit 1
fi
