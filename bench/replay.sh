#!/usr/bin/env bash
# bench/replay.sh — the real 2025 replay in one command: it builds truce,
# imports the real data into a temporary store, records the advances the
# DeepState maps show during each agreement's window, runs the three 2025
# replays, prints their summaries and times each step. The 30-day replay
# runs RUNS times (default 3); every run must print the same bytes.
# Usage: bench/replay.sh [DATA_DIR]   (default ../shared/data)
# Environment: RUNS=N times the 30-day replay N times; OUT=DIR keeps the
# store and each replay's findings.geojson and findings.csv in DIR.
set -euo pipefail
data=${1:-$(dirname "$0")/../../shared/data}
if [ ! -d "$data/deepstate" ]; then
  echo "replay.sh: no real data in $data (want $data/deepstate, events, firms)" >&2
  exit 1
fi
data=$(cd "$data" && pwd)
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
dir=$(mktemp -d "${TMPDIR:-/tmp}/truce-bench-replay.XXXXXX")
trap 'rm -rf "$dir"' EXIT
out=${OUT:-$dir/out}
mkdir -p "$out"
db=$out/replay.db
rm -f "$db"

go build -o "$dir/truce" ./cmd/truce
# Findings name observations by public id, and a sealed source's (the Air
# Force's, a party's) public ids depend on the store's sealing key: the
# store is sealed under the benchmarks' fixed key, so that the digests
# reproduce.
go run ./bench/internal/sealkey "$db"
truce() { "$dir/truce" "$@"; }

# timed LABEL CMD... runs CMD with its output in $dir/LABEL.out and
# $dir/LABEL.err (so that no progress bar is drawn), records its wall time
# and the CPU time (user + system) of it and its children, in seconds, and
# shows both outputs on failure. The CPU time tells how much of the wall
# time was the machine's other work.
declare -A took cpu
order=()
timed() {
  local label=$1
  shift
  local t0=$EPOCHREALTIME c0
  cpu_now
  c0=$cpu_s
  if ! "$@" >"$dir/$label.out" 2>"$dir/$label.err"; then
    echo "replay.sh: $label failed: $*" >&2
    cat "$dir/$label.out" "$dir/$label.err" >&2
    exit 1
  fi
  took[$label]=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
  cpu_now
  cpu[$label]=$(awk -v a="$c0" -v b="$cpu_s" 'BEGIN { printf "%.2f", b - a }')
  order+=("$label")
}

# cpu_now sets cpu_s to the user + system CPU seconds of this shell's
# finished children, from bash's times builtin (run in this shell: a
# subshell would not count them).
cpu_now() {
  times >"$dir/times"
  cpu_s=$(awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.3f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$dir/times")
}

echo "truce real replay: $(nproc) cores, $(go version | cut -d' ' -f3), data $data" >&2

# Every 2025 snapshot (1 March to 30 April), so that the map in force when
# each window opens is there; the Air Force, VIINA and FIRMS files of the
# same two months.
import_all() {
  truce import deepstate --db "$db" "$data"/deepstate/deepstatemap_data_2025*.geojson.gz &&
    truce import airforce --db "$db" "$data/events/missile_attacks_piterfm/missile_attacks_daily_2025-03-01_2025-04-30.csv.gz" &&
    truce import viina --db "$db" "$data/events/viina_strike_reports/viina_strike_reports_2025-03-01_2025-04-30.csv.gz" &&
    truce import firms --db "$db" "$data/firms/fires_2025-03_2025-04.csv.gz"
}
timed import import_all
grep -c 'new; log size' "$dir/import.out" | xargs printf '%s files imported; ' >&2
tail -n 1 "$dir/import.out" | sed 's/.*log size/log size/' >&2

agreements=(ceasefire-30d-2025 energy-moratorium-2025 easter-truce-2025)
timed agreements truce agreement add --db "$db" $(printf 'examples/%s.yaml ' "${agreements[@]}")
for a in "${agreements[@]}"; do
  timed "advances-$a" truce control advances --db "$db" --agreement "$a"
  tail -n 1 "$dir/advances-$a.out" | sed "s/^/$a: /" >&2
done

# The replays, each over its agreement's own window in whole UTC days.
replay() { # NAME FROM DAYS
  truce replay --db "$db" --agreement "$1" --from "$2" --days "$3" --out "$out/$1"
}
for i in $(seq 1 "$runs"); do
  timed "replay-ceasefire-30d-2025-run$i" replay ceasefire-30d-2025 2025-03-14 30
  if [ "$i" -gt 1 ] && ! cmp -s "$dir/replay-ceasefire-30d-2025-run1.out" "$dir/replay-ceasefire-30d-2025-run$i.out"; then
    echo "replay.sh: run $i of the 30-day replay printed other bytes than run 1" >&2
    exit 1
  fi
done
timed replay-energy-moratorium-2025 replay energy-moratorium-2025 2025-03-17 31
timed replay-easter-truce-2025 replay easter-truce-2025 2025-04-19 2

for r in ceasefire-30d-2025-run1 energy-moratorium-2025 easter-truce-2025; do
  echo
  cat "$dir/replay-$r.out"
done

echo
printf '%-42s %8s %8s\n' "seconds ($(nproc) cores)" wall cpu
for l in "${order[@]}"; do
  printf '  %-40s %8s %8s\n' "$l" "${took[$l]}" "${cpu[$l]}"
done
best=$(for i in $(seq 1 "$runs"); do echo "${took[replay-ceasefire-30d-2025-run$i]}"; done | sort -g | head -n 1)
echo "  30-day replay, best of $runs: $best s (target 10 s)"
