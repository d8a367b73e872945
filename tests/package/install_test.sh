#!/bin/sh
# usage: install_test.sh BUILD PREFIX PATH...
# Installs the build tree BUILD into a fresh PREFIX and checks that each PATH (relative to PREFIX) was installed.
set -u
build=$1
prefix=$2
shift 2
rm -rf "$prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null || exit 1
fail=0
for path in "$@"; do
  [ -e "$prefix/$path" ] || { echo "missing $prefix/$path"; fail=1; }
done
exit "$fail"
