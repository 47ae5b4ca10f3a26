# Sourced by bench/webhook_bench.sh and bench/soak.sh: starts opeld from the
# shipped config with its database in DIR, no rate limit, HTTP on a free
# loopback port, no ZeroMQ, bench/webhook_rules.yaml, and one subscriber NAME
# at the bench receiver's port RPORT. Sets `pid` and `port`.
# Usage: start_webhook_opeld DIR RPORT NAME
start_webhook_opeld() {
  local dir=$1 rport=$2 name=$3
  sed -e "s#^database: .*#database: $dir/opeld.db#" -e 's#^  rate: 50#  rate: 0#' \
      -e 's#^  listen: 127.0.0.1:8080#  listen: 127.0.0.1:0#' \
      -e 's#^  ingest: .*#  ingest: ""#' -e 's#^  publish: .*#  publish: ""#' \
      -e "s#^practices: #practices: $PWD/config/#" \
      -e "s#^rules: .*#rules: $PWD/bench/webhook_rules.yaml#" \
      -e '/^subscribers:/,$d' config/opeld.yaml > "$dir/opeld.yaml"
  cat >> "$dir/opeld.yaml" <<YAML
subscribers:
  - name: $name
    url: http://127.0.0.1:$rport/hook
    audiences: [primary_care_team]
YAML
  build/opeld --config "$dir/opeld.yaml" 2> "$dir/opeld.log" &
  pid=$!
  for _ in $(seq 100); do grep -q 'listening on' "$dir/opeld.log" 2>/dev/null && break; sleep 0.1; done
  port=$(grep -m1 -oE 'listening on http://[0-9.]+:[0-9]+' "$dir/opeld.log" | grep -oE '[0-9]+$')
}
