#!/usr/bin/env bash
# bench/correlate.sh — truce's clustering of dense sensor detections
# (correlate's ST-DBSCAN) against PostGIS ST_ClusterDBSCAN, in one run on
# the same machine. It installs PostgreSQL 15 and PostGIS 3 from Debian if
# they are missing, starts a throwaway cluster in a temporary directory
# (Unix socket only, no TCP port), runs bench/correlate against it and
# removes the cluster on exit.
# Usage: bench/correlate.sh [correlate flags...], e.g.
#   bench/correlate.sh --points 1000000 --seed 1
set -euo pipefail
cd "$(dirname "$0")/.."

pgbin=/usr/lib/postgresql/15/bin
if [ ! -x "$pgbin/initdb" ] || [ ! -e /usr/share/postgresql/15/extension/postgis.control ]; then
  echo "installing PostgreSQL 15 and PostGIS 3..." >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "correlate.sh: PostgreSQL 15 or PostGIS 3 is missing and only root can install them:" >&2
    echo "  apt-get install -y postgresql-15 postgresql-15-postgis-3" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q postgresql-15 postgresql-15-postgis-3 >/dev/null ||
    { apt-get update -q >/dev/null && apt-get install -y -q postgresql-15 postgresql-15-postgis-3 >/dev/null; }
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/truce-bench-correlate.XXXXXX")
# PostgreSQL refuses to run as root: as root, run the cluster as the
# postgres system user (created by the Debian package).
as=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$dir"
  as=(runuser -u postgres --)
fi
cleanup() {
  "${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${as[@]}" "$pgbin/initdb" -D "$dir/data" --auth=trust --username=postgres --encoding=UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
# Durability settings only speed up loading; the timed query reads.
# Autovacuum is off so that it does not visit the freshly loaded tables
# while a query is timed (the program analyzes them itself). The planner
# settings the comparison depends on (jit, parallel workers, work_mem) are
# set per session by the program, which prints them.
"${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -s start -o \
  "-c listen_addresses='' -k $dir -p 5432 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c autovacuum=off -c shared_buffers=512MB" ||
  { cat "$dir/postgres.log" >&2; exit 1; }

go build -o "$dir/correlate" ./bench/correlate
echo "PostgreSQL cluster in $dir, $(nproc) cores, $(go version | cut -d' ' -f3)" >&2
"$dir/correlate" --dsn "host=$dir port=5432 user=postgres dbname=postgres" "$@"
