#!/usr/bin/env bash
# HTTP ingest benchmark: checks the generator against a constant stub, then
# runs opeld (database on disk, or on tmpfs with --tmpfs) under
#   (a) 64 keep-alive connections flat out, and
#   (b) 1,000 submissions/s paced, latency from the scheduled send time.
# Usage: bench/http_bench.sh [--seconds N] [--tmpfs]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=10
dbdir=$(mktemp -d -p "$PWD/var" bench.XXXXXX)
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --tmpfs) rmdir "$dbdir"; dbdir=$(mktemp -d -p /dev/shm opeld-bench.XXXXXX); shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dbdir"' EXIT
cmake --build build --target opeld loadgen > /dev/null
gen=build/loadgen

port_of() { grep -m1 -oE '(listening on [^ ]*:|stub listening on )[0-9]+' "$1" | grep -oE '[0-9]+$'; }
wait_for() { for _ in $(seq 100); do [ -n "$(port_of "$1" 2>/dev/null)" ] && return; sleep 0.1; done; echo "no port in $1" >&2; exit 1; }

echo "== stub answering a constant (the generator's ceiling)"
"$gen" --stub --port 0 > "$dbdir/stub.log" 2>&1 &
wait_for "$dbdir/stub.log"
"$gen" --port "$(port_of "$dbdir/stub.log")" -c 64 -d "$seconds"
kill %1; wait %1 2>/dev/null || true

sed -e "s#^database: .*#database: $dbdir/opeld.db#" -e 's#^  rate: 50#  rate: 0#' \
    -e 's#^  listen: 127.0.0.1:8080#  listen: 127.0.0.1:0#' \
    -e 's#^  ingest: .*#  ingest: ""#' -e 's#^  publish: .*#  publish: ""#' \
    -e "s#^practices: #practices: $PWD/config/#" -e "s#^rules: ../#rules: $PWD/#" \
    config/opeld.yaml > "$dbdir/opeld.yaml"
build/opeld --config "$dbdir/opeld.yaml" --log-level warn 2> "$dbdir/opeld.log" &
opeld=$!
# --log-level warn hides the "listening on" line: find the port in the socket table.
port=
for _ in $(seq 100); do
  port=$(ss -ltnp | grep "pid=$opeld," | grep -oE '127.0.0.1:[0-9]+' | head -1 | cut -d: -f2 || true)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "opeld did not start: $(cat "$dbdir/opeld.log")" >&2; exit 1; }
echo "== opeld (database in $dbdir): 64 connections flat out"
"$gen" --port "$port" -c 64 -d "$seconds"
echo "== opeld: 1,000 submissions/s paced over 16 connections"
"$gen" --port "$port" -c 16 -r 1000 -d "$seconds"
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^opeld_store_(commits|jobs)_total'
