#!/bin/sh
# usage: expect_screenshot.sh CHECKER PNG WIDTH HEIGHT COMMAND [ARGS...]
# Removes PNG (creating its folder), runs COMMAND, which must write it, and checks: exit status 0, then CHECKER PNG
# WIDTH HEIGHT (the image reads back, has that size and is not blank).
set -u
checker=$1
png=$2
width=$3
height=$4
shift 4
mkdir -p "$(dirname "$png")" || exit 1
rm -f "$png"
"$@"
status=$?
if [ "$status" -ne 0 ]; then
  echo "expected exit status 0, got $status"
  exit 1
fi
"$checker" "$png" "$width" "$height"
