#!/bin/sh
# usage: consumer_test.sh PREFIX WORK EXPECTED [CMAKE_OPTIONS...]
# Configures and builds the project of this folder in WORK against the vvc package installed in PREFIX, runs it,
# and checks that it prints the line EXPECTED.
set -u
source_dir=$(cd "$(dirname "$0")" && pwd)
prefix=$1
work=$2
expected=$3
shift 3
rm -rf "$work"
cmake -S "$source_dir" -B "$work" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release "$@" || exit 1
cmake --build "$work" || exit 1
output=$("$work/vvc_package_consumer")
status=$?
if [ "$status" -ne 0 ] || [ "$output" != "$expected" ]; then
  echo "expected exit status 0 and: $expected"
  echo "got exit status $status and: $output"
  exit 1
fi
