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
bench=build/webhook_bench

echo "== stub: the generator and receiver alone"
"$bench" --stub -r "$rate" -d "$seconds"

rport=$("$bench" --free-port)
sed -e "s#^database: .*#database: $dir/opeld.db#" -e 's#^  rate: 50#  rate: 0#' \
    -e 's#^  listen: 127.0.0.1:8080#  listen: 127.0.0.1:0#' \
    -e 's#^  ingest: .*#  ingest: ""#' -e 's#^  publish: .*#  publish: ""#' \
    -e "s#^practices: #practices: $PWD/config/#" \
    -e "s#^rules: .*#rules: $PWD/bench/webhook_rules.yaml#" \
    -e '/^subscribers:/,$d' config/opeld.yaml > "$dir/opeld.yaml"
cat >> "$dir/opeld.yaml" <<YAML
subscribers:
  - name: bench
    url: http://127.0.0.1:$rport/hook
    audiences: [primary_care_team]
YAML
build/opeld --config "$dir/opeld.yaml" 2> "$dir/opeld.log" &
for _ in $(seq 100); do grep -q 'listening on' "$dir/opeld.log" 2>/dev/null && break; sleep 0.1; done
port=$(grep -m1 -oE 'listening on http://[0-9.]+:[0-9]+' "$dir/opeld.log" | grep -oE '[0-9]+$')
echo "== opeld (database in $dir): $rate submissions/s, one webhook each"
"$bench" --port "$port" --receiver-port "$rport" -r "$rate" -d "$seconds"
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^opeld_webhook_deliveries_total|^opeld_store_commits_total'
