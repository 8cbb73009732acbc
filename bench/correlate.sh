#!/usr/bin/env bash
# bench/correlate.sh — truce's clustering of dense sensor detections
# (correlate's ST-DBSCAN) against PostGIS ST_ClusterDBSCAN, in one run on
# the same machine. It installs PostgreSQL 15 and PostGIS 3 from Debian if
# they are missing, starts a throwaway cluster in a temporary directory
# (Unix socket only, no TCP port; bench/lib/postgis.sh), runs
# bench/correlate against it and removes the cluster on exit.
# Usage: bench/correlate.sh [correlate flags...], e.g.
#   bench/correlate.sh --points 1000000 --seed 1
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/postgis.sh

postgis_run correlate "$@"
