#!/usr/bin/env bash
# bench/simulate.sh — truce's findings against simulated truth, for each
# error model of truce simulate (docs/simulate.md) alone, for none and
# for all together, over SEEDS seeds each. For every model and seed it
# simulates DAYS days along the test DeepState line into a fresh store,
# scores the findings (truce score --json) and sums the counts over the
# seeds; it prints one row per model at probable or above: precision,
# recall, attribution, fabricated and staged allegations in violations
# at probable+ (fabr, stagd) and how many of them raised the finding
# (raised: without every invented and staged report the event has no
# violation at probable+ naming the same party; truce score's ablation),
# the share of events split into several findings (and
# into several at probable+), events with contradictory verdicts, and the
# calibration of the confirmed and probable levels (the share of findings
# rated exactly that level that are true violations naming the right
# party; promises 0.98 and 0.80). A row is marked FAIL if it misses a
# target of issue 12.
# Usage: bench/simulate.sh [MODEL...]   (default: none, each model, all)
# Environment: SEEDS=N (default 10), DAYS=N (default 30), OUT=DIR keeps
# every run's score.json in DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${SEEDS:-10}
days=${DAYS:-30}
map=control/testdata/deepstatemap_data_20250314.geojson.gz
agreement=cmd/truce/testdata/replay-agreement.yaml
dir=$(mktemp -d "${TMPDIR:-/tmp}/truce-bench-simulate.XXXXXX")
trap 'rm -rf "$dir"' EXIT
out=${OUT:-$dir/out}
mkdir -p "$out"
go build -o "$dir/truce" ./cmd/truce
models=("$@")
if [ ${#models[@]} -eq 0 ]; then
  models=(none bearing_bias bearing_only distance_only mixed_clocks multi_victim fabricated staged rear_hot_spots pre_window own_ground all)
fi

printf '%-15s %5s %5s %6s %6s %6s %5s %5s %6s %6s %6s %5s %6s %6s  %s\n' \
  model seeds viol prec recall attrib fabr stagd raised split splitP contr cal.C cal.P verdict
for m in "${models[@]}"; do
  for ((s = 1; s <= seeds; s++)); do
    run=$dir/$m-$s
    mkdir -p "$run"
    if [ "$m" = none ]; then
      echo '{"error_models": []}' >"$run/scenario.json"
    else
      echo "{\"error_models\": [\"$m\"]}" >"$run/scenario.json"
    fi
    "$dir/truce" simulate --scenario "$run/scenario.json" --seed "$s" --days "$days" --map "$map" \
      --agreement "$agreement" --out "$run/sim" --db "$run/sim.db" >/dev/null
    "$dir/truce" score --truth "$run/sim/truth.json" --db "$run/sim.db" --agreement "$agreement" --json \
      >"$out/$m-$s.json"
    rm -rf "$run"
  done
  jq -s -r --arg m "$m" '
    def sum(f): map(f) | add;
    def r(n; d): if d == 0 then "-" else (n / d * 1000 | round / 1000 | tostring) end;
    def lvl(c): map(.score.levels[] | select(.confidence == c));
    def cal(c): map(.score.calibration[] | select(.confidence == c));
    (lvl("probable")) as $p | (cal("confirmed")) as $cc | (cal("probable")) as $cp |
    {viol: sum(.score.violation_events), f: ($p | sum(.findings)), tp: ($p | sum(.true_positives)),
     det: ($p | sum(.detected)), att: ($p | sum(.attributed)),
     fabr: sum(.score.invented_reached_probable), stagd: sum(.score.staged_reached_probable),
     raised: sum(.score.invented_raised_probable + .score.staged_raised_probable),
     ev: sum(.score.events_with_findings), split: sum(.score.split_events), splitp: sum(.score.split_events_probable),
     contr: sum(.score.contradictory_events),
     ccf: ($cc | sum(.findings)), ccr: ($cc | sum(.right)), cpf: ($cp | sum(.findings)), cpr: ($cp | sum(.right)), n: length} as $t |
    ([ if $t.f == 0 or $t.tp / $t.f < 0.97 then "precision" else empty end,
       if $t.viol == 0 or $t.det / $t.viol < 0.93 then "recall" else empty end,
       if $t.tp == 0 or $t.att / $t.tp < 0.98 then "attribution" else empty end,
       if $t.raised > 0 then "raised" else empty end,
       if $t.fabr + $t.stagd > 0 then "fabricated" else empty end,
       if $t.ev == 0 or $t.split / $t.ev >= 0.02 then "split" else empty end,
       if $t.contr > 0 then "contradictory" else empty end,
       if $t.ccf > 0 and $t.ccr / $t.ccf < 0.98 then "cal.confirmed" else empty end,
       if $t.cpf > 0 and $t.cpr / $t.cpf < 0.80 then "cal.probable" else empty end ]) as $fail |
    [$m, $t.n, $t.viol, r($t.tp; $t.f), r($t.det; $t.viol), r($t.att; $t.tp), $t.fabr, $t.stagd, $t.raised,
     r($t.split; $t.ev), r($t.splitp; $t.ev), $t.contr, r($t.ccr; $t.ccf), r($t.cpr; $t.cpf),
     (if ($fail | length) == 0 then "ok" else "FAIL " + ($fail | join(",")) end)] |
    "\(.[0])\t\(.[1])\t\(.[2])\t\(.[3])\t\(.[4])\t\(.[5])\t\(.[6])\t\(.[7])\t\(.[8])\t\(.[9])\t\(.[10])\t\(.[11])\t\(.[12])\t\(.[13])\t\(.[14])"
  ' "$out/$m"-*.json | awk -F'\t' '{printf "%-15s %5s %5s %6s %6s %6s %5s %5s %6s %6s %6s %5s %6s %6s  %s\n", $1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15}'
done
