#!/usr/bin/env bash
# Two builds side by side, in one run, on the same received items (these machines are noisy, so
# the two take turns): a folder of case folders and a folder of pack PDFs, each validated by
# each build ROUNDS times. Prints wall time, CPU time and peak memory per run.
# Usage: bash bench/compare.sh OLD_BINARY NEW_BINARY [COUNT] [ROUNDS]   (default 1000 items, 3)
# e.g.   git worktree add ../old <commit> && (cd ../old && cargo build --release)
#        cargo build --release && bash bench/compare.sh ../old/target/release/ehcpack target/release/ehcpack
set -euo pipefail
old=$1
new=$2
n=${3:-1000}
rounds=${4:-3}
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'), load $(cut -d' ' -f1 /proc/loadavg)"
"$new" generate "$work/cases" --count "$n" --seed 42 --faults 0.3 >/dev/null
mkdir -p "$work/packs"
ls "$work/cases" | xargs -P "$(nproc)" -I{} sh -c '"$0" render "$1/cases/$2" --draft \
  --today 2026-01-15 -o "$1/packs/$2.pdf" >/dev/null 2>&1 || true' "$new" "$work" {}
echo "$(ls "$work/cases" | wc -l) case folders, $(ls "$work/packs" | wc -l) packs"
printf '%-8s %-6s %10s %10s %12s\n' items build "wall s" "CPU s" "peak MB"
for round in $(seq "$rounds"); do
  for items in cases packs; do
    for build in old new; do
      bin=$old; [ "$build" = new ] && bin=$new
      /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$bin" validate "$work/$items" \
        --today 2026-01-15 --format json >/dev/null || true
      read -r wall user sys rss < <(tail -n 1 "$work/time")
      printf '%-8s %-6s %10s %10.2f %12.1f\n' "$items" "$build" "$wall" \
        "$(echo "$user + $sys" | bc)" "$(echo "$rss / 1024" | bc -l)"
    done
  done
done
