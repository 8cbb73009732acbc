#!/usr/bin/env bash
# bench/ingest.sh — HTTP ingest throughput and single-POST latency of a real
# truce server on a fresh SQLite store over loopback (durable commits:
# WAL with synchronous=FULL). Usage: bench/ingest.sh [ingest flags...]
#
# With --signed, the bench source is registered with an Ed25519 key made by
# truce source keygen; bench/ingest signs every observation beforehand, the
# server verifies each one, and the run first measures the raw Ed25519
# verification rate on all cores (see BENCHMARKS.md).
#
# TRUCE=path runs that truce binary instead of building one, and INGEST=path
# that load generator, so that one client can be run against servers built
# from different commits (BENCHMARKS.md, issue 11).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$dir"' EXIT
if [ -n "${TRUCE:-}" ]; then
  cp "$TRUCE" "$dir/truce"
else
  go build -o "$dir/truce" ./cmd/truce
fi
if [ -n "${INGEST:-}" ]; then
  cp "$INGEST" "$dir/ingest"
else
  go build -o "$dir/ingest" ./bench/ingest
fi
keyargs=()
extra=()
for a in "$@"; do
  if [ "$a" = "--signed" ]; then
    pub=$("$dir/truce" source keygen --out "$dir/source.pem" --json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p')
    keyargs=(--public-key "$pub")
    extra=(--key "$dir/source.pem")
  fi
done
token=$("$dir/truce" source add bench-sensor --role sensor "${keyargs[@]}" --db "$dir/truce.db" --json | sed -n 's/.*"token": "\(.*\)".*/\1/p')
# No rate limits: the bench measures ingest, not the limiter.
"$dir/truce" serve --db "$dir/truce.db" --addr 127.0.0.1:0 --read-rate 0 --write-rate 0 2>"$dir/serve.log" &
pid=$!
for _ in $(seq 100); do
  url=$(sed -n 's/.*url=\(http[^ ]*\).*/\1/p' "$dir/serve.log" | head -1)
  [ -n "$url" ] && break
  sleep 0.1
done
echo "server $url, store $dir/truce.db, $(nproc) cores, $(go version | cut -d' ' -f3)"
"$dir/ingest" --url "$url" --token "$token" --server-pid "$pid" "${extra[@]}" "$@"
