#!/usr/bin/env bash
# Profiles the opeld a benchmark starts. Runs COMMAND; once a new opeld
# process appears, waits DELAY seconds (to skip start-up and any earlier phase
# of the benchmark), then samples it for SECONDS with
# `perf record -e cpu-clock --call-graph dwarf` (a software event: this works
# where the CPU's counters are not available to perf; DWARF unwinding because
# the Release build keeps no frame pointers) and prints where the time went:
# by thread, by library, by function (self time), and for each busy thread
# the share of its time spent inside each of the daemon's functions and the
# big library calls (inclusive). With --syscalls it records
# `perf trace -s` instead: the system calls of each thread, with their count
# and time, which is what shows time spent waiting rather than computing.
# The data stays in var/profile-<time>/.
# Usage: bench/profile.sh [--delay S] [--seconds S] [--syscalls] -- COMMAND [ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
delay=2 seconds=6 mode=record
while [ $# -gt 0 ]; do
  case "$1" in
    --delay) delay=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --syscalls) mode=trace; shift ;;
    --) shift; break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: bench/profile.sh [--delay S] [--seconds S] [--syscalls] -- COMMAND..." >&2; exit 2; }
command -v perf >/dev/null || scripts/deps linux-perf
out=var/profile-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
before=$(pgrep -x opeld | tr '\n' ' ' || true)
"$@" > "$out/command.log" 2>&1 &
cmd=$!
trap 'kill $cmd 2>/dev/null || true' EXIT
pid=
for _ in $(seq 600); do
  for p in $(pgrep -x opeld || true); do
    case " $before " in *" $p "*) ;; *) pid=$p ;; esac
  done
  [ -n "$pid" ] && break
  kill -0 $cmd 2>/dev/null || { echo "the command ended before an opeld started" >&2; exit 1; }
  sleep 0.1
done
[ -n "$pid" ] || { echo "no opeld started within 60 s" >&2; exit 1; }
sleep "$delay"
echo "== $* : opeld pid $pid, ${seconds} s from ${delay} s after it started" | tee "$out/report.txt"
if [ $mode = record ]; then
  # The whole machine is sampled (attaching to one process gets no samples of
  # a software event on some kernels) and the report keeps the daemon's.
  perf record -q -a -e cpu-clock -F 499 --call-graph dwarf,16384 -o "$out/perf.data" \
    -- sleep "$seconds" 2>/dev/null
  report() {
    perf report -i "$out/perf.data" --pid "$pid" --no-children --stdio -g none "$@" 2>/dev/null |
      grep -E '^ +[0-9]' | cut -c1-160
  }
  # Percentages below are of all the machine's samples; the inclusive lists
  # divide by the thread's own total, so they read "share of this thread".
  inclusive() {
    local comm=$1 total=$2
    echo "-- $comm ($total% of the machine): share of its time inside (inclusive), 3% and over"
    perf report -i "$out/perf.data" --pid "$pid" --comm "$comm" --children --sort sym --stdio \
      -g none 2>/dev/null | grep -E '^ +[0-9]' |
      grep -E 'opel::|sqlite3_(step|exec|prepare)|boost::json::|operator new|malloc|free|pwrite|fdatasync|send|recv|epoll|SSL_' |
      awk -v t="$total" '{ v = $1 + 0; if (t > 0 && 100 * v / t >= 3) { $1 = sprintf("%5.1f%%", 100 * v / t); $2 = ""; print } }' |
      cut -c1-160 | head -30
  }
  {
    echo "-- the machine: samples by command"
    perf report -i "$out/perf.data" --no-children --sort comm --stdio -g none 2>/dev/null |
      grep -E '^ +[0-9]' | head -8
    echo "-- opeld by thread"
    report --sort comm
    echo "-- opeld by thread and library"
    report --sort comm,dso --percent-limit 1
    echo "-- opeld by function (self), 1% and over"
    report --sort comm,dso,sym --percent-limit 1
    report --sort comm | while read -r share comm; do
      share=${share%\%}
      awk -v s="$share" 'BEGIN { exit !(s >= 5) }' && inclusive "$comm" "$share"
    done
  } | tee -a "$out/report.txt"
else
  perf trace -s -p "$pid" -o "$out/trace.txt" -- sleep "$seconds" 2>/dev/null || true
  grep -E '^ [a-z].*\(|^ +[a-z_0-9]+ +[0-9]' "$out/trace.txt" | tee -a "$out/report.txt"
fi
wait $cmd || true
trap - EXIT
echo "data: $out" >&2
