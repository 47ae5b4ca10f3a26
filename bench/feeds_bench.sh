#!/usr/bin/env bash
# Live-feed benchmarks (the live feeds' performance goals), each against a fresh
# opeld on the demo config (database on disk, or on tmpfs with --tmpfs, rate
# limits off, every listener on a port the kernel picks):
#   latency  submit-to-PUB: 1,000 ZeroMQ submissions/s paced, latency from each
#            submission's scheduled send time to its event on a SUB socket;
#   sse      1,000 concurrent /v1/stream clients while events flow: the
#            daemon's RSS above idle, and every client gets every event;
#   ingest   ZeroMQ flat out, 256 in flight.
# Usage: bench/feeds_bench.sh [latency|sse|ingest|all] [--seconds N] [--clients N] [--tmpfs]
set -euo pipefail
cd "$(dirname "$0")/.."
what=all
seconds=20
clients=1000
bin=${BUILD_DIR:-build}
cmake --build "$bin" --target opeld zmq_loadgen sse_clients > /dev/null
mkdir -p var
dbdir=$(mktemp -d -p "$PWD/var" bench.XXXXXX)
while [ $# -gt 0 ]; do
  case "$1" in
    latency|sse|ingest|all) what=$1; shift ;;
    --seconds) seconds=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --tmpfs) rmdir "$dbdir"; dbdir=$(mktemp -d -p /dev/shm opeld-bench.XXXXXX); shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
pid=
stop_daemon() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; fi; }
trap 'stop_daemon; rm -rf "$dbdir"' EXIT

start_daemon() {
  rm -f "$dbdir"/opeld.db* "$dbdir/opeld.log"
  sed -e "s#^database: .*#database: $dbdir/opeld.db#" -e 's#^  rate: 50#  rate: 0#' \
      -e 's#^  listen: 127.0.0.1:8080#  listen: 127.0.0.1:0#' \
      -e 's#^  max_connections: .*#  max_connections: 4096#' \
      -e 's#^  ingest: .*#  ingest: tcp://127.0.0.1:*#' \
      -e 's#^  publish: .*#  publish: tcp://127.0.0.1:*#' \
      -e "s#^practices: #practices: $PWD/config/#" -e "s#^rules: ../#rules: $PWD/#" \
      config/opeld.yaml > "$dbdir/opeld.yaml"
  "$bin"/opeld --config "$dbdir/opeld.yaml" --log-level info 2> "$dbdir/opeld.log" &
  pid=$!
  for _ in $(seq 100); do grep -q 'listening on' "$dbdir/opeld.log" 2>/dev/null && break; sleep 0.1; done
  http_port=$(grep -m1 -oE 'listening on http://[0-9.]+:[0-9]+' "$dbdir/opeld.log" | grep -oE '[0-9]+$')
  ingest=$(grep -m1 -oE 'ingest tcp://[0-9.]+:[0-9]+' "$dbdir/opeld.log" | cut -d' ' -f2)
  publish=$(grep -m1 -oE 'publish tcp://[0-9.]+:[0-9]+' "$dbdir/opeld.log" | cut -d' ' -f2)
  [ -n "$http_port" ] && [ -n "$ingest" ] && [ -n "$publish" ] || { cat "$dbdir/opeld.log" >&2; exit 1; }
}

if [ "$what" = latency ] || [ "$what" = all ]; then
  start_daemon
  echo "== submit-to-PUB latency: 1,000 ZeroMQ submissions/s for $seconds s (database in $dbdir)"
  "$bin"/zmq_loadgen --endpoint "$ingest" --publish "$publish" --rate 1000 -n $((seconds * 1000))
  stop_daemon
fi
if [ "$what" = sse ] || [ "$what" = all ]; then
  start_daemon
  echo "== $clients SSE clients, 200 submissions/s for $seconds s"
  "$bin"/sse_clients --port "$http_port" --pid "$pid" --clients "$clients" --rate 200 \
    --events $((seconds * 200))
  stop_daemon
fi
if [ "$what" = ingest ] || [ "$what" = all ]; then
  start_daemon
  echo "== ZeroMQ ingest flat out, 256 in flight"
  "$bin"/zmq_loadgen --endpoint "$ingest" -n $((seconds * 5000)) --window 256
  stop_daemon
fi
