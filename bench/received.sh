#!/usr/bin/env bash
# The LA's side: validate a folder of received packs, reporting packs per second and peak memory,
# beside the same cases as case folders and as one zip each.
# Usage: bash bench/received.sh [COUNT]            (default: 1000)
#   PACKS=render   (default) packs made by `ehcpack render --draft` (real pages, fonts, reports)
#   PACKS=embedded packs made by examples/received_packs.rs: the same embedded case on one page
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
packs=${PACKS:-render}

command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release -q
bin=target/release/ehcpack
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'), load $(cut -d' ' -f1 /proc/loadavg)"
# A fifth more cases than measured: the few whose YAML cannot be read cannot be rendered.
"$bin" generate "$work/cases" --count "$((n + n / 5))" --seed 42 --faults 0.3 >/dev/null
mkdir -p "$work/packs" "$work/zips"
case "$packs" in
  render)
    # Draft, so that the cases with a fault are rendered too, one a core (such a draft is
    # written and exits 1). A case whose YAML cannot be read cannot be rendered (a school could
    # not send it either): left out. Until 2026-12-05 every case that exited 1 was left out
    # while its pack stayed, so there were more packs than folders.
    ls "$work/cases" | xargs -P "$(nproc)" -I{} sh -c '"$0" render "$1/cases/$2" --draft \
      --today 2026-01-15 -o "$1/packs/$2.pdf" >/dev/null 2>&1
      [ -f "$1/packs/$2.pdf" ] || rm -rf "$1/cases/$2"' \
      "$bin" "$work" {}
    ;;
  embedded)
    cargo run --release -q --example received_packs -- "$work/cases" "$work/packs" >/dev/null
    ;;
  *) echo "PACKS is render or embedded" >&2; exit 2 ;;
esac
if "$bin" validate "$work/packs/$(ls "$work/packs" | head -n 1)" --today 2026-01-15 | grep -q "not an ehcpack pack"; then
  echo "this build's packs carry no embedded case; use PACKS=embedded" >&2
  exit 2
fi
# Exactly n of each: the first n cases that rendered.
ls "$work/cases" | tail -n +"$((n + 1))" | while read -r c; do rm -rf "$work/cases/$c" "$work/packs/$c.pdf"; done
(cd "$work/cases" && for c in *; do python3 -m zipfile -c "$work/zips/$c.zip" "$c" >/dev/null; done)
pack_mb=$(du -sm "$work/packs" | cut -f1)
n=$(ls "$work/packs" | wc -l)

printf '%-6s %-24s %8s %10s %12s %9s\n' items what seconds items/s cpu_seconds peak_MB
for what in packs zips cases; do
  /usr/bin/time -f '%e %M %U %S' -o "$work/time" "$bin" validate "$work/$what" --today 2026-01-15 \
    --received 2026-01-05 --format json >"$work/out.json" || true
  read -r secs kb user sys < <(tail -n 1 "$work/time")
  label=$what; [ "$what" = packs ] && label="packs ($packs, ${pack_mb} MB)"
  printf '%-6s %-24s %8s %10.0f %12.2f %9.1f\n' "$n" "$label" "$secs" "$(echo "$n / $secs" | bc -l)" "$(echo "$user + $sys" | bc -l)" "$(echo "$kb / 1024" | bc -l)"
done
