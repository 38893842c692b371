#!/usr/bin/env bash
# ehcpack against its floors and its peer, interleaved in one run (these machines are shared and
# noisy: each round runs every contender once, in turn, so load hits them alike), in CPU time
# (user + system), with the ratio of each round and their min/median/max:
#
#   batch   `ehcpack validate` of N generated cases (--faults 0.3, every rule) against the parse
#           floor (examples/parse_floor.rs: saphyr-parser over the same files, nothing else),
#           and the peer (bench/peer.py: one Python process, PyYAML's C loader + fastjsonschema,
#           schemas only) against ehcpack;
#   packs   the same cases as received pack PDFs (`render --draft`) against them as folders;
#   render  `ehcpack render` of year5-passing against the render floor
#           (examples/render_floor.rs: read the four bundled fonts, deflate 806 KB, write).
#
# Usage: bash bench/side_by_side.sh [ROUNDS] [COUNTS...]   (default 5 rounds; 1000 and 10000)
#   BIN=path/to/ehcpack  measure that build (default: target/release/ehcpack, built here)
#   OLD=path/to/ehcpack  also run the previous build in every round, beside the new one, and
#                        print new/old ratios (issue 20: compare every change with the build
#                        before it in the same run)
#   FLOORS=dir           take parse_floor and render_floor from dir instead of building them
#   PACKS=200            how many cases are also measured as packs
#   RENDERS=5            renders per round (a render is tens of milliseconds: several per round
#                        make the ratio steadier)
#
# CPU is read from the kernel's accounting of each child (wait4: user + system, microseconds),
# not from GNU time's 10 ms figures, so a 50 ms render is measured as finely as a batch.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
shift || true
counts=("$@")
[ ${#counts[@]} -eq 0 ] && counts=(1000 10000)
packs=${PACKS:-200}
renders=${RENDERS:-5}
old=${OLD:-}

command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
python3 -c 'import yaml, fastjsonschema; assert yaml.__with_libyaml__' 2>/dev/null ||
  pip install -q pyyaml fastjsonschema
# PROFILE=debug only to try the script quickly: the figures mean nothing unoptimised.
profile=${PROFILE:-release}
flag=--release; [ "$profile" = debug ] && flag=
if [ -n "${FLOORS:-}" ]; then
  floor=$FLOORS/parse_floor
  render_floor=$FLOORS/render_floor
else
  cargo build $flag -q --example parse_floor --example render_floor
  floor=target/$profile/examples/parse_floor
  render_floor=target/$profile/examples/render_floor
fi
if [ -z "${BIN:-}" ]; then cargo build $flag -q; fi
bin=${BIN:-target/$profile/ehcpack}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" schema --out "$work/schemas" >/dev/null

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'), load $(cut -d' ' -f1 /proc/loadavg) at start"
echo "build: $bin ($("$bin" --version))"
[ -n "$old" ] && echo "previous build: $old ($("$old" --version))"

# CPU seconds (user + system) of one run and its peak memory in MB, from the kernel's
# accounting of that one child (wait4), whatever its exit status (a batch with findings exits 1).
cpu() {
  python3 -c '
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, _, use = os.wait4(child.pid, 0)
print(f"{use.ru_utime + use.ru_stime:.4f} {use.ru_maxrss / 1024:.1f}")
' "$@"
}

# The CPU of RENDERS runs of a command, summed (one round of the render comparison).
cpu_n() {
  local total=0 one
  for _ in $(seq "$renders"); do
    read -r one _ < <(cpu "$@")
    total=$(echo "$total + $one" | bc -l)
  done
  printf '%.4f\n' "$total"
}

# name ratio lines to $work/ratios; summary at the end.
: >"$work/ratios"
for n in "${counts[@]}"; do
  corpus="$work/cases-$n"
  "$bin" generate "$corpus" --count "$n" --seed 42 --faults 0.3 >/dev/null
  for r in $(seq "$rounds"); do
    read -r e_cpu e_mb < <(cpu "$bin" validate "$corpus" --today 2026-01-15 --format json)
    read -r f_cpu _ < <(cpu "$floor" "$corpus")
    read -r p_cpu _ < <(cpu python3 bench/peer.py "$work/schemas" "$corpus")
    echo "round $r, $n cases: ehcpack $e_cpu s ($e_mb MB), floor $f_cpu s, peer $p_cpu s"
    if [ -n "$old" ]; then
      read -r o_cpu o_mb < <(cpu "$old" validate "$corpus" --today 2026-01-15 --format json)
      echo "round $r, $n cases: previous build $o_cpu s ($o_mb MB)"
      echo "batch-$n previous/floor $(echo "$o_cpu / $f_cpu" | bc -l)" >>"$work/ratios"
      echo "batch-$n new/previous $(echo "$e_cpu / $o_cpu" | bc -l)" >>"$work/ratios"
      echo "batch-$n previous-MB $o_mb" >>"$work/ratios"
    fi
    echo "batch-$n ehcpack/floor $(echo "$e_cpu / $f_cpu" | bc -l)" >>"$work/ratios"
    echo "batch-$n peer/ehcpack $(echo "$p_cpu / $e_cpu" | bc -l)" >>"$work/ratios"
    echo "batch-$n ehcpack-MB $e_mb" >>"$work/ratios"
  done
done

# Packs against the same cases as folders: the first $packs cases that render.
mkdir -p "$work/pk/cases" "$work/pk/packs"
"$bin" generate "$work/pk/all" --count "$((packs + packs / 5))" --seed 7 --faults 0.3 >/dev/null
# A draft of a case with errors is written and exits 1: its case goes with its pack all the
# same (until 2026-12-05 only the cases that exited 0 did, so 100 packs were measured against
# about 68 folders and the ratio read half as high again as it was).
for c in $(ls "$work/pk/all"); do
  [ "$(ls "$work/pk/packs" | wc -l)" -ge "$packs" ] && break
  "$bin" render "$work/pk/all/$c" --draft --today 2026-01-15 -o "$work/pk/packs/$c.pdf" \
    >/dev/null 2>&1 || true
  if [ -f "$work/pk/packs/$c.pdf" ]; then
    mv "$work/pk/all/$c" "$work/pk/cases/$c"
  fi
done
[ "$(ls "$work/pk/packs" | wc -l)" = "$(ls "$work/pk/cases" | wc -l)" ] ||
  { echo "packs and folders differ in number" >&2; exit 1; }
echo "packs: $(ls "$work/pk/packs" | wc -l) packs ($(du -sm "$work/pk/packs" | cut -f1) MB) and the same $(ls "$work/pk/cases" | wc -l) cases as folders"
for r in $(seq "$rounds"); do
  read -r k_cpu k_mb < <(cpu "$bin" validate "$work/pk/packs" --today 2026-01-15 --format json)
  read -r c_cpu _ < <(cpu "$bin" validate "$work/pk/cases" --today 2026-01-15 --format json)
  echo "round $r: packs $k_cpu s ($k_mb MB), folders $c_cpu s"
  echo "packs packs/folders $(echo "$k_cpu / $c_cpu" | bc -l)" >>"$work/ratios"
  if [ -n "$old" ]; then
    read -r ok_cpu _ < <(cpu "$old" validate "$work/pk/packs" --today 2026-01-15 --format json)
    read -r oc_cpu _ < <(cpu "$old" validate "$work/pk/cases" --today 2026-01-15 --format json)
    echo "round $r: previous build: packs $ok_cpu s, folders $oc_cpu s"
    echo "packs previous:packs/folders $(echo "$ok_cpu / $oc_cpu" | bc -l)" >>"$work/ratios"
    echo "packs packs:new/previous $(echo "$k_cpu / $ok_cpu" | bc -l)" >>"$work/ratios"
  fi
done

# Render against its floor ($renders renders a round, summed).
for r in $(seq "$rounds"); do
  r_cpu=$(cpu_n "$bin" render sample-cases/year5-passing --today 2026-01-15 -o "$work/pack.pdf")
  f_cpu=$(cpu_n "$render_floor" "$work/floor.pdf")
  echo "round $r: $renders renders $r_cpu s ($(stat -c %s "$work/pack.pdf") bytes), floor $f_cpu s"
  echo "render render/floor $(echo "$r_cpu / $f_cpu" | bc -l)" >>"$work/ratios"
  if [ -n "$old" ]; then
    o_cpu=$(cpu_n "$old" render sample-cases/year5-passing --today 2026-01-15 -o "$work/old-pack.pdf")
    echo "round $r: previous build $o_cpu s ($(stat -c %s "$work/old-pack.pdf") bytes)"
    echo "render previous/floor $(echo "$o_cpu / $f_cpu" | bc -l)" >>"$work/ratios"
    echo "render new/previous $(echo "$r_cpu / $o_cpu" | bc -l)" >>"$work/ratios"
  fi
done

echo "load $(cut -d' ' -f1 /proc/loadavg) at end"
python3 - "$work/ratios" <<'PY'
import collections, statistics, sys
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    group, name, value = line.split()
    rows.setdefault((group, name), []).append(float(value))
print(f"{'measure':<34} {'min':>7} {'median':>7} {'max':>7}  (rounds)")
for (group, name), values in rows.items():
    print(f"{group + ' ' + name:<34} {min(values):7.2f} {statistics.median(values):7.2f} {max(values):7.2f}  ({len(values)})")
PY
