#!/usr/bin/env bash
# Webhook latency benchmark: submissions paced at --rate (default 1,000/s)
# over HTTP, each raising or resolving one alert that opeld delivers by
# webhook to a receiver in bench/webhook_bench.cpp; latency is from each
# submission's scheduled send time to the webhook's arrival. First the same
# generator and receiver run against an in-process stub (their floor), then
# against opeld with its database on disk (synchronous=FULL, as shipped).
# Usage: bench/webhook_bench.sh [--seconds N] [--rate R]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/webhook_opeld.sh
seconds=10
rate=1000
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p var
dir=$(mktemp -d -p "$PWD/var" webhook-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
cmake --build build --target opeld webhook_bench > /dev/null
bench=build/webhook_bench

echo "== stub: the generator and receiver alone"
"$bench" --stub -r "$rate" -d "$seconds"

rport=$("$bench" --free-port)
start_webhook_opeld "$dir" "$rport" bench
echo "== opeld (database in $dir): $rate submissions/s, one webhook each"
"$bench" --port "$port" --receiver-port "$rport" -r "$rate" -d "$seconds"
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^opeld_webhook_deliveries_total|^opeld_store_commits_total'
