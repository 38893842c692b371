#!/usr/bin/env bash
# Batch benchmark: validate generated corpora of 1,000 and 10,000 cases, reporting cases per
# second and peak memory, and the same files checked schema-only by check-jsonschema (the peer).
# Usage: bash bench/batch.sh [COUNTS...]     (default: 1000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("${@:-1000 10000}")
[ $# -eq 0 ] && counts=(1000 10000)

command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
command -v check-jsonschema >/dev/null || pip install -q check-jsonschema
cargo build --release -q
bin=target/release/ehcpack
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" schema --out "$work/schemas" >/dev/null

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}')"
printf '%-8s %-16s %10s %12s %12s\n' cases tool seconds cases/s peak_MB
for n in "${counts[@]}"; do
  corpus="$work/corpus-$n"
  "$bin" generate "$corpus" --count "$n" --seed 42 --faults 0.3 >/dev/null
  # ehcpack: every stage and every rule, JSON report to /dev/null.
  /usr/bin/time -f '%e %M' -o "$work/time" "$bin" validate "$corpus" --today 2026-01-15 --format json >/dev/null || true
  read -r secs kb < <(tail -n 1 "$work/time")
  printf '%-8s %-16s %10s %12.0f %12.1f\n' "$n" ehcpack "$secs" "$(echo "$n / $secs" | bc -l)" "$(echo "$kb / 1024" | bc -l)"
  # The peer: schema-only, one check-jsonschema run per document kind over the same files.
  start=$(date +%s.%N); peak=0
  for kind in pupil family needs health plan attainment views professionals request consent evidence; do
    pattern="$kind.yaml"; [ "$kind" = plan ] && pattern='plan-*.yaml'
    find "$corpus" -name "$pattern" -print0 >"$work/files"
    /usr/bin/time -f '%M' -o "$work/ptime" xargs -0 check-jsonschema --schemafile "$work/schemas/$kind.schema.json" <"$work/files" >/dev/null 2>&1 || true
    kb=$(tail -n 1 "$work/ptime"); [ "$kb" -gt "$peak" ] && peak=$kb
  done
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc -l)
  printf '%-8s %-16s %10.2f %12.0f %12.1f\n' "$n" check-jsonschema "$secs" "$(echo "$n / $secs" | bc -l)" "$(echo "$peak / 1024" | bc -l)"
done
