#!/usr/bin/env bash
# Soak under attack: opeld from the shipped config (its database on disk,
# synchronous=FULL; HTTP and ZeroMQ on free loopback ports; no per-token rate
# limit, so the paced submissions are not refused by it) while
# build/attack_soak holds 500 idle connections and 200 event streams, sends
# 1,000 hostile requests and 10 MiB of ZeroMQ junk, and submits 100 a second,
# for 5 minutes; then opeld is stopped with SIGTERM and must exit 0. What is
# checked and how: bench/attack_soak.cpp. docs/security.md has the figures.
# Usage: bench/attack_soak.sh [BUILD_DIR] [attack_soak options...]
# e.g.   bench/attack_soak.sh build --duration 20 --idle 50 --streams 20 \
#          --hostile 100 --junk-mib 1 --no-judge-timing     (a smoke run)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=build
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then build=$1; shift; fi
build=$(cd "$build" && pwd)
dir=$(mktemp -d)
opeld=
cleanup() {
  [ -n "$opeld" ] && kill "$opeld" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

# 500 idle connections, 200 streams and the rest want more descriptors than
# a shell's usual soft limit of 1,024 (the systemd unit gives 65,536).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

sed -e "s#^database: .*#database: $dir/opeld.db#" \
    -e "s#^practices: #practices: $root/config/#" \
    -e "s#^rules: \.\./#rules: $root/#" \
    -e 's#^  listen: 127.0.0.1:8080#  listen: 127.0.0.1:0#' \
    -e 's#^  ingest: .*#  ingest: tcp://127.0.0.1:*#' \
    -e 's#^  publish: .*#  publish: tcp://127.0.0.1:*#' \
    -e 's#^  rate: 50#  rate: 0#' \
    "$root/config/opeld.yaml" > "$dir/opeld.yaml"

# The ports are read from opeld's own log as it starts: the read blocks on the
# pipe until the lines come (30 s at most), so nothing polls.
mkfifo "$dir/log"
"$build/opeld" --config "$dir/opeld.yaml" 2> "$dir/log" &
opeld=$!
exec {log}< "$dir/log"
port= zmq=
while IFS= read -r -t 30 -u "$log" line; do
  [[ $line =~ listening\ on\ http://[0-9.]+:([0-9]+) ]] && port=${BASH_REMATCH[1]}
  [[ $line =~ zmq\ ingest\ (tcp://[0-9.]+:[0-9]+) ]] && zmq=${BASH_REMATCH[1]}
  [ -n "$port" ] && [ -n "$zmq" ] && break
done
[ -n "$port" ] && [ -n "$zmq" ] || { echo "opeld did not start" >&2; exit 1; }
cat <&"$log" > "$dir/opeld.log" &

practices=$(grep -oE 'code: [A-Z][0-9]{5}' "$root/config/practices.yaml" | cut -d' ' -f2 |
            paste -sd, -)
echo "machine: $(nproc) cores, load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo "opeld: $("$build/opeld" --version 2>&1 | head -1), pid $opeld, http $port, zmq $zmq"
status=0
"$build/attack_soak" --port "$port" --zmq "$zmq" --pid "$opeld" --practices "$practices" "$@" ||
  status=$?

# A clean stop after it all.
kill -TERM "$opeld"
code=0
wait "$opeld" || code=$?
opeld=
if [ "$code" != 0 ]; then
  echo "FAILED: opeld exited $code after SIGTERM" >&2
  tail -20 "$dir/opeld.log" >&2
  exit 1
fi
echo "opeld stopped cleanly; the warnings and errors it logged, by kind:"
grep -E '^[0-9-]+ [0-9:.]+ (warning|error) ' "$dir/opeld.log" | cut -d' ' -f3- |
  sed -E 's/[0-9]+/N/g' | sort | uniq -c | sort -rn | head -15 || true
exit $status
