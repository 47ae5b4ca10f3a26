#!/usr/bin/env bash
# Soak: opeld with its database on disk (synchronous=FULL, as shipped) under a
# paced load for a long time, to show that memory, open files, the WAL and
# latency stay flat. The load is bench/webhook_bench's: submissions at --rate
# over HTTP, each raising or resolving one alert (practice level 4, then 1)
# that opeld delivers by webhook to the bench's receiver; so every submission
# also writes an alert, an event and an outbox row, and one webhook goes out.
# Every --interval seconds it samples opeld's resident memory, open files,
# thread count, CPU seconds and database and WAL sizes; at the end the bench
# prints answer and webhook latency for each interval of the schedule.
# Usage: bench/soak.sh [--seconds N] [--rate R] [--interval S] [--out DIR]
# (defaults: 1800 s at 1,000/s, a line per 60 s, results in var/soak-<time>/).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/webhook_opeld.sh
seconds=1800 rate=1000 interval=60
out=var/soak-$(date -u +%Y%m%dT%H%M%SZ)
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x build/opeld ] && [ -x build/webhook_bench ] ||
  cmake --build build -j "$(nproc)" --target opeld webhook_bench
mkdir -p "$out"
dir=$(mktemp -d -p "$PWD/var" soak.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
bench=build/webhook_bench

rport=$("$bench" --free-port)
start_webhook_opeld "$dir" "$rport" soak
{
  echo "date: $(date -u +%FT%TZ)"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "opeld: $(build/opeld --version 2>&1 | head -1), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "load: $rate submissions/s for $seconds s, samples every $interval s"
} | tee "$out/machine.txt"

kib() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$pid/status"; }
sample() {  # one line: seconds since start, RSS (MiB) and its anonymous, file and
            # shared parts (KiB), peak RSS, fds, threads, CPU s, db and WAL (MiB)
  local st ticks
  st=$(cat "/proc/$pid/stat")
  ticks=$(( $(echo "$st" | awk '{print $14 + $15}') ))
  printf '%8d %8d %8d %8d %8d %8d %5d %5d %8.1f %8d %8d\n' "$1" \
    "$(( $(kib VmRSS) / 1024 ))" "$(kib RssAnon)" "$(kib RssFile)" "$(kib RssShmem)" \
    "$(( $(kib VmHWM) / 1024 ))" \
    "$(ls "/proc/$pid/fd" | wc -l)" \
    "$(awk '/^Threads/{print $2}' "/proc/$pid/status")" \
    "$(echo "$ticks / $(getconf CLK_TCK)" | bc -l)" \
    "$(( $(stat -c %s "$dir/opeld.db") / 1048576 ))" \
    "$(( $(stat -c %s "$dir/opeld.db-wal" 2>/dev/null || echo 0) / 1048576 ))"
}
printf '%8s %8s %8s %8s %8s %8s %5s %5s %8s %8s %8s\n' at_s rss_mib anon_kib file_kib \
  shmem_kib hwm_mib fds thr cpu_s db_mib wal_mib \
  | tee "$out/memory.txt"
sample 0 | tee -a "$out/memory.txt"
"$bench" --port "$port" --receiver-port "$rport" -r "$rate" -d "$seconds" \
  --interval "$interval" > "$out/latency.txt" 2>&1 &
load=$!
start=$(date +%s)
while kill -0 $load 2>/dev/null; do
  sleep "$interval"
  kill -0 $pid || { echo "opeld died" >&2; exit 1; }
  sample $(( $(date +%s) - start )) | tee -a "$out/memory.txt"
done
status=0
wait $load || status=$?
cat "$out/latency.txt"
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^opeld_(webhook_deliveries_total|store_commits_total|store_jobs_total)' | tee "$out/metrics.txt"
echo "results in $out"
exit $status
