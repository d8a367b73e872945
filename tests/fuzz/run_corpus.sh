#!/usr/bin/env bash
# Usage: run_corpus.sh PROGRAM HARNESS SOURCE_DIR WORK_DIR
# The regression run of a fuzz harness (the test fuzz.<harness>.corpus): builds its seed corpus in WORK_DIR
# (seeds.sh) and runs the harness program once over every input, generating none. It fails on a finding: a
# crash, a sanitizer report, a leak, an exception other than InputError, an accepted non-finite number, an input
# that takes longer than the timeout or more than 2 GiB of memory.
set -euo pipefail
program=$1
harness=$2
src=$3
work=$4
rm -rf "$work"
mkdir -p "$work"
bash "$(dirname "${BASH_SOURCE[0]}")/seeds.sh" "$harness" "$src" "$work/corpus"
exec "$program" -runs=0 -timeout="${VVC_FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 -artifact_prefix="$work/" \
  "$work/corpus"
