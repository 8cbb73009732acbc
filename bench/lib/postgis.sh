# bench/lib/postgis.sh — a throwaway PostgreSQL 15 cluster with PostGIS 3
# for the scripts that compare truce with PostGIS (bench/control.sh,
# bench/correlate.sh). Source it from the root of the work tree in a
# script run with set -euo pipefail, then call
#
#   postgis_run PROGRAM [FLAGS...]
#
# to start a cluster, build ./bench/PROGRAM and run it with --dsn naming
# the cluster and FLAGS; or, to run something else against the cluster,
#
#   postgis_start NAME
#
# It installs PostgreSQL 15 and PostGIS 3 from Debian if they are missing
# (as root; otherwise it says what to install and exits), starts a cluster
# in a new temporary directory truce-bench-NAME.XXXXXX (Unix socket only,
# no TCP port) and sets an EXIT trap that stops the cluster and removes the
# directory. As root, the cluster runs as the postgres system user (created
# by the Debian package): PostgreSQL refuses to run as root. It sets
#
#   postgis_dir  the temporary directory, also free for the caller's files
#   postgis_dsn  the libpq DSN of the cluster's postgres database
#
# Durability settings only speed up loading; the timed queries read.
# Autovacuum is off so that it does not visit the freshly loaded tables
# while a query is timed (the programs analyze them themselves). The
# planner settings a comparison depends on (jit, parallel workers,
# work_mem) are set per session by the program, which prints them.

postgis_bin=/usr/lib/postgresql/15/bin

postgis_start() {
  local name=$1
  if [ ! -x "$postgis_bin/initdb" ] || [ ! -e /usr/share/postgresql/15/extension/postgis.control ]; then
    echo "installing PostgreSQL 15 and PostGIS 3..." >&2
    if [ "$(id -u)" -ne 0 ]; then
      echo "$name.sh: PostgreSQL 15 or PostGIS 3 is missing and only root can install them:" >&2
      echo "  apt-get install -y postgresql-15 postgresql-15-postgis-3" >&2
      exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q postgresql-15 postgresql-15-postgis-3 >/dev/null ||
      { apt-get update -q >/dev/null && apt-get install -y -q postgresql-15 postgresql-15-postgis-3 >/dev/null; }
  fi

  postgis_dir=$(mktemp -d "${TMPDIR:-/tmp}/truce-bench-$name.XXXXXX")
  postgis_as=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$postgis_dir"
    postgis_as=(runuser -u postgres --)
  fi
  trap postgis_stop EXIT

  "${postgis_as[@]}" "$postgis_bin/initdb" -D "$postgis_dir/data" --auth=trust --username=postgres --encoding=UTF8 --no-sync \
    >"$postgis_dir/initdb.log" 2>&1 ||
    { cat "$postgis_dir/initdb.log" >&2; exit 1; }
  "${postgis_as[@]}" "$postgis_bin/pg_ctl" -D "$postgis_dir/data" -l "$postgis_dir/postgres.log" -w -s start -o \
    "-c listen_addresses='' -k $postgis_dir -p 5432 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c autovacuum=off -c shared_buffers=512MB" ||
    { cat "$postgis_dir/postgres.log" >&2; exit 1; }
  postgis_dsn="host=$postgis_dir port=5432 user=postgres dbname=postgres"
}

# postgis_stop stops the cluster and removes its directory; postgis_start
# sets it as the EXIT trap.
postgis_stop() {
  "${postgis_as[@]}" "$postgis_bin/pg_ctl" -D "$postgis_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$postgis_dir"
}

# postgis_run PROGRAM [FLAGS...] starts a cluster (postgis_start PROGRAM),
# builds ./bench/PROGRAM into its directory and runs it with --dsn naming
# the cluster, then FLAGS.
postgis_run() {
  local program=$1
  shift
  postgis_start "$program"
  go build -o "$postgis_dir/$program" "./bench/$program"
  echo "PostgreSQL cluster in $postgis_dir, $(nproc) cores, $(go version | cut -d' ' -f3)" >&2
  "$postgis_dir/$program" --dsn "$postgis_dsn" "$@"
}
