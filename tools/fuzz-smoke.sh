#!/usr/bin/env bash
# Runs every libFuzzer target of a sanitizer build for a short while on its committed seeds.
# New inputs go to a scratch folder, so the committed corpora stay as they are.
#   tools/fuzz-smoke.sh BUILD_DIR SECONDS
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:?build dir}
seconds=${2:-15}
passed=0
failed=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for src in fuzz/*/*_fuzz.cpp; do
  name=$(basename "$src" .cpp)
  module=$(basename "$(dirname "$src")")
  corpus="fuzz/$module/corpus/${name%_fuzz}"
  bin="$build/$name"
  if [ ! -x "$bin" ]; then
    echo "fuzz: $name was not built" >&2
    failed=$((failed + 1))
    continue
  fi
  mkdir -p "$scratch/$name"
  seeds=()
  [ -d "$corpus" ] && seeds+=("$corpus")
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$scratch/" "$scratch/$name" "${seeds[@]}" >"$scratch/$name.log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$scratch/$name.log" | grep -o '[0-9]*$')
    echo "fuzz: $name ok (${runs:-?} runs in ${seconds}s)"
    passed=$((passed + 1))
  else
    echo "fuzz: $name FAILED; its log:" >&2
    tail -40 "$scratch/$name.log" >&2
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
