#!/usr/bin/env bash
# bench/control.sh — truce's point classification and geodesic areas against
# PostGIS, in one run on the same machine. It installs PostgreSQL 15 and
# PostGIS 3 from Debian if they are missing, starts a throwaway cluster in a
# temporary directory (Unix socket only, no TCP port; bench/lib/postgis.sh),
# runs bench/control against it and removes the cluster on exit.
# Usage: bench/control.sh [control flags...], e.g.
#   bench/control.sh --points 1000000 --snapshot 20250314 --seed 1
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/postgis.sh

postgis_run control "$@"
