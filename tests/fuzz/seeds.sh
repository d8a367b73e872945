#!/usr/bin/env bash
# Usage: seeds.sh HARNESS SOURCE_DIR OUT_DIR
# Writes the seed corpus of a fuzz harness (tests/fuzz/<harness>_fuzz.cpp) into OUT_DIR: the files of cases/ and
# tests/data/ its reader reads, in the harness's input format, one seed per file.
set -euo pipefail
harness=$1
src=$(cd "$2" && pwd)
out=$3
mkdir -p "$out"
cd "$src"

# A seed named after its file's path in the source tree.
seed_name() { printf '%s' "$1" | tr '/' '_'; }

# The files found by find(1) under the given folders whose names end in the given suffix (case-insensitive).
files_ending() {
  local suffix=$1
  shift
  find "$@" -type f -iname "*$suffix" | LC_ALL=C sort
}

copy_seeds() {
  while IFS= read -r file; do cp "$file" "$out/$(seed_name "$file")"; done
}

# opendss: the script, then each file of its folder (or its helpers/) that it or an included file names, as
# "\0<name>\n<text>" (opendss_fuzz.cpp).
pack_opendss() {
  local script=$1 folder included names changed name
  folder=$(dirname "$script")
  included=("$script")
  names=()
  changed=1
  while [ $changed -eq 1 ]; do
    changed=0
    while IFS= read -r candidate; do
      name=${candidate#"$folder"/}
      case " ${names[*]-} " in *" $name "*) continue ;; esac
      [ "$candidate" = "$script" ] && continue
      if grep -qiF -- "$name" "${included[@]}"; then
        names+=("$name")
        included+=("$candidate")
        changed=1
      fi
    done < <(find "$folder" -maxdepth 1 -type f; [ -d "$folder/helpers" ] && find "$folder/helpers" -type f)
  done
  {
    cat "$script"
    for name in "${names[@]+"${names[@]}"}"; do
      printf '\000%s\n' "$name"
      cat "$folder/$name"
    done
  } > "$out/$(seed_name "$script")"
}

case "$harness" in
  opendss)
    while IFS= read -r script; do pack_opendss "$script"; done < <(files_ending .dss cases tests/data)
    ;;
  matpower)
    files_ending .m cases tests/data | copy_seeds
    ;;
  case_json)
    { find cases -name case.json; find tests/data/bad_cases -maxdepth 1 -name '*.json'; } | LC_ALL=C sort | copy_seeds
    ;;
  study)
    # The study's folder on the first line (study_fuzz.cpp).
    while IFS= read -r study; do
      { dirname "$study"; cat "$study"; } > "$out/$(seed_name "$study")"
    done < <({ find cases -name 'study*.json'; find tests/data/bad_studies -maxdepth 1 -name '*.json'; } | LC_ALL=C sort)
    ;;
  scenario_json)
    { find cases -path '*/examples/scenarios*.json'; find tests/data/bad_studies/helpers -name '*.json'; } |
      LC_ALL=C sort | copy_seeds
    ;;
  scenario_csv)
    { find cases -path '*/examples/*.csv'; find tests/data/bad_studies/helpers -name '*.csv'; } | LC_ALL=C sort |
      copy_seeds
    ;;
  policy)
    find tests/data/policies docs/results -name '*.json' ! -name '*checkpoint*' | LC_ALL=C sort | copy_seeds
    ;;
  checkpoint)
    find tests/data/policies -name '*checkpoint*.json' | LC_ALL=C sort | copy_seeds
    ;;
  baseline)
    find tests/data/baselines -name '*.json' | LC_ALL=C sort | copy_seeds
    ;;
  *)
    echo "seeds.sh: unknown harness '$harness'" >&2
    exit 2
    ;;
esac
if [ -z "$(ls -A "$out")" ]; then
  echo "seeds.sh: no seed for $harness" >&2
  exit 1
fi
