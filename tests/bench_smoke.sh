#!/usr/bin/env bash
# Keeps the benchmark programs working: each micro-benchmark runs a few
# iterations and must say it succeeded, and the timed ingest generator runs
# every request shape for half a second against its stub, with the webhook
# receiver, and must count answers in its window, which the report turns
# into the ingest table and the generator check. Figures are not checked:
# a test machine's timings mean nothing.
# Usage: tests/bench_smoke.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 source=$2
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT

"$build/parser_bench" -n 2000
"$build/writer_bench" --dir "$tmp" -n 16 --batch 1 --batch 8
"$build/rules_bench" --reports 2000 --rules "$source/rules/llr.yaml"

# A server's port, read from its own output as it starts: the read blocks on
# the pipe until the line comes (10 s at most), so nothing polls. The rest of
# its output then goes to LOG.
port_from() {  # FD LOG
  local line
  while IFS= read -r -t 10 -u "$1" line; do
    if [[ $line =~ listening\ on\ ([0-9]+) ]]; then
      cat <&"$1" > "$2" &
      echo "${BASH_REMATCH[1]}"
      return
    fi
  done
  echo "no port from the server writing $2" >&2
}
zport=$("$build/compare_load" free-port)
exec {stub_out}< <(exec "$build/ingest_load" stub --port 0 --zmq "tcp://127.0.0.1:$zport" 2>&1)
stub=$!; pids+=("$stub")
exec {receiver_out}< <(exec "$build/ingest_load" receiver --port 0 2>&1)
receiver=$!; pids+=("$receiver")
port=$(port_from "$stub_out" "$tmp/stub.log")
rport=$(port_from "$receiver_out" "$tmp/receiver.log")
[ -n "$port" ] && [ -n "$rport" ] || exit 1

# Each shape as the stub (stub-am for Alertmanager's), and one more under
# another name, so that the report has a system to check the stub against.
for run in "http stub" "import stub" "zmq stub" "am stub-am" "am-batch stub-am" "am probe"; do
  read -r shape system <<< "$run"
  "$build/ingest_load" run --shape "$shape" --port "$port" --zmq "tcp://127.0.0.1:$zport" \
    --threads 1 -c 4 --window 4 --warmup 0.2 --duration 0.5 --pid "$stub" \
    --receiver-port "$rport" --receiver-pid "$receiver" --system "$system" --workload smoke \
    --json "$tmp/results.jsonl" > /dev/null
done
[ "$(grep -c '"kind":"ingest"' "$tmp/results.jsonl")" = 6 ] || { echo "missing result lines" >&2; exit 1; }
if grep -q '"accepted":0,' "$tmp/results.jsonl"; then
  echo "a shape got no answer in its window:" >&2; cat "$tmp/results.jsonl" >&2; exit 1
fi
"$build/compare_load" report --json "$tmp/results.jsonl" > "$tmp/report.md"
grep -q '| smoke | am-batch | stub-am | 1 |' "$tmp/report.md"
grep -q -- "- am: stub [1-9][0-9]*/s, fastest system" "$tmp/report.md"  # stub-am is the ceiling
echo "bench smoke: ok"
