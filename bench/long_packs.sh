#!/usr/bin/env bash
# The long packs of issue 20 item 3, and year5-passing itself, rendered by several builds in
# turn in every round (the machine is shared and noisy: load hits every contender alike), in CPU
# time (perf's task-clock of the process: user + system, in milliseconds):
#
#   paragraph  `render --draft` of year5-passing with a 1 MB paragraph put at the head of its
#              needs' `nature` (the same case as the suite's render::bounded test; 225 pages)
#   plans      `render --draft` of year5-passing with plan-3 copied to 60 plans (208 pages)
#   year5      `render` of year5-passing as it is (24 pages), and the render floor if FLOOR is
#              set (examples/render_floor.rs: read the four fonts, deflate 806 KB, write)
#
# Usage: bash bench/long_packs.sh [ROUNDS] NAME=BINARY [NAME=BINARY...]   (default 5 rounds)
#   e.g. bash bench/long_packs.sh 5 old=/work/bin/ehcpack-main new=target/release/ehcpack
#   FLOOR=target/release/examples/render_floor  also run the render floor in every round
# Prints each round, then per case and build: min/median/max CPU, the ratio of each build to
# the first named (min/median/max over the rounds), and the size of each build's pack.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=5
if [[ ${1:-} =~ ^[0-9]+$ ]]; then
  rounds=$1
  shift
fi
[ $# -ge 1 ] || { echo "usage: $0 [ROUNDS] NAME=BINARY..." >&2; exit 2; }
names=()
declare -A bins
for arg in "$@"; do
  names+=("${arg%%=*}")
  bins[${arg%%=*}]=$(realpath "${arg#*=}")
done
floor=${FLOOR:+$(realpath "$FLOOR")}
command -v perf >/dev/null || { echo "needs perf (linux-perf / linux-tools)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The two long cases, made as the suite's render::bounded tests make them.
cp -r sample-cases/year5-passing "$work/paragraph"
python3 - "$work/paragraph/needs.yaml" <<'EOF'
import sys
path = sys.argv[1]
sentence = ("Josh finds it hard to hold on to spoken instructions of more than two "
            "parts, and relies on copying other children in class. ")
text = ""
while len(text) < 1_000_000:
    text += sentence
body = open(path, encoding="utf-8").read()
open(path, "w", encoding="utf-8").write(
    body.replace("  nature: |\n", "  nature: |\n    " + text + "\n", 1))
EOF
cp -r sample-cases/year5-passing "$work/plans"
for n in $(seq 4 60); do
  cp "$work/plans/plan-3.yaml" "$work/plans/plan-$(printf %04d "$n").yaml"
done

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'), load $(cut -d' ' -f1 /proc/loadavg) at start"
for name in "${names[@]}"; do echo "build $name: ${bins[$name]}"; done

# Milliseconds of CPU of one run (perf's task-clock), whatever its exit status (a draft of a
# case with errors exits 1).
cpu() {
  perf stat -x, -e task-clock -o "$work/stat" "$@" >/dev/null 2>"$work/err" || true
  awk -F, '/task-clock/ {printf "%.1f\n", $1}' "$work/stat"
}

# One build's render of one case: its CPU in ms, or "fail" when it wrote no pack.
render() {
  local bin=$1 case=$2 out="$work/$1-$2.pdf" ms
  rm -f "$out"
  case $case in
    year5) ms=$(cpu "${bins[$bin]}" render sample-cases/year5-passing --today 2026-01-15 -o "$out") ;;
    *) ms=$(cpu "${bins[$bin]}" render "$work/$case" --draft --today 2026-01-15 -o "$out") ;;
  esac
  if [ -s "$out" ]; then echo "$ms"; else echo fail; sed 's/^/    /' "$work/err" | head -5 >&2; fi
}

: >"$work/times"
for r in $(seq "$rounds"); do
  line="round $r:"
  for case in paragraph plans year5; do
    for name in "${names[@]}"; do
      ms=$(render "$name" "$case")
      echo "$case $name $r $ms" >>"$work/times"
      line+=" $case/$name $ms"
    done
    if [ "$case" = year5 ] && [ -n "$floor" ]; then
      ms=$(cpu "$floor" "$work/floor.pdf")
      echo "$case floor $r $ms" >>"$work/times"
      line+=" floor $ms"
    fi
  done
  echo "$line ms"
done

first=${names[0]}
echo
printf '%-10s %-10s %10s %10s %10s   %s\n' case build "min ms" "median" "max" "ratio to $first (min/median/max); pack bytes"
for case in paragraph plans year5; do
  others=("${names[@]}")
  [ "$case" = year5 ] && [ -n "$floor" ] && others+=(floor)
  for name in "${others[@]}"; do
    python3 - "$work/times" "$case" "$name" "$first" "$(stat -c %s "$work/$name-$case.pdf" 2>/dev/null || echo -)" <<'EOF'
import statistics, sys
path, case, name, first, size = sys.argv[1:]
rows = [l.split() for l in open(path)]
def times(who):
    return {int(r[2]): float(r[3]) for r in rows if r[0] == case and r[1] == who and r[3] != "fail"}
mine, base = times(name), times(first)
if not mine:
    print(f"{case:<10} {name:<10} failed"); sys.exit()
v = sorted(mine.values())
ratios = sorted(mine[r] / base[r] for r in mine if r in base)
ratio = f"{ratios[0]:.2f}/{statistics.median(ratios):.2f}/{ratios[-1]:.2f}" if ratios else "-"
print(f"{case:<10} {name:<10} {v[0]:10.1f} {statistics.median(v):10.1f} {v[-1]:10.1f}   {ratio}; {size}")
floor = times("floor")
if case == "year5" and floor and name != "floor":
    f = sorted(mine[r] / floor[r] for r in mine if r in floor)
    print(f"{'':<21} {name} / render floor: {f[0]:.2f}/{statistics.median(f):.2f}/{f[-1]:.2f}")
EOF
  done
done
