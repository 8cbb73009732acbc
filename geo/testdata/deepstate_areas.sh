#!/bin/sh
# Writes the area in m² of each DeepState snapshot, computed by
# GeographicLib's Planimeter (Debian package geographiclib-tools, GeographicLib
# 2.1.2) with its exact geodesic algorithms (-E): edges are geodesics on
# WGS84, each ring is measured on its own and holes are subtracted.
#
#   sh deepstate_areas.sh ../../../shared/data/deepstate > deepstate_areas.txt
set -eu
dir=${1:-../../../shared/data/deepstate}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "# file area_m2 — GeographicLib 2.1.2 Planimeter -E -w -p 9 per ring (absolute values), outer rings minus holes (deepstate_areas.sh)"
for f in "$dir"/deepstatemap_data_*.geojson.gz; do
	gunzip -c "$f" > "$tmp/json"
	# One line per ring: 1 for an outer ring, -1 for a hole.
	jq -r '.features[0].geometry.coordinates[] | to_entries[] | if .key == 0 then 1 else -1 end' "$tmp/json" > "$tmp/signs"
	# The rings for Planimeter: "lon lat" lines, a blank line after each.
	jq -r '.features[0].geometry.coordinates[][] | (.[] | "\(.[0]) \(.[1])"), ""' "$tmp/json" |
		Planimeter -E -w -p 9 | awk '{printf "%.4f\n", ($3 < 0 ? -$3 : $3)}' > "$tmp/areas"
	printf '%s ' "$(basename "$f")"
	paste -d' ' "$tmp/signs" "$tmp/areas" | awk '{s += $1 * $2} END {printf "%.3f\n", s}'
done
