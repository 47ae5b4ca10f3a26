#!/usr/bin/env bash
# Instructions opeld executes for one report of a storm (a level-4 report
# that opens a practice alert, its event, its webhook, the delivery and its
# mark), counted by callgrind, so two builds compare on a busy machine too:
# the count does not depend on what else runs. opeld runs under callgrind
# on bench/compare's configuration (database on disk, one webhook
# subscriber: compare_load's receiver) twice, for --small and --large
# reports; the difference over (large - small) is the cost of one report,
# start-up and shutdown taken out.
#
# Usage: bench/storm_instructions.sh [--build DIR] [--small N] [--large N] [--keep]
#                                    [--batch SPEC]
#   --batch  the receiver subscribed with `batch: SPEC` (e.g. "{max: 64}"); how
#            many events a POST takes then depends on timing, so the count
#            varies more than without
#   --keep   leave the callgrind files (var/storm-instructions.*/N/callgrind.out)
#            for callgrind_annotate; CALLGRIND_OPTS=--separate-threads=yes in
#            the environment writes one a thread (callgrind.out-NN)
# Prints: "<instructions a report> instructions a storm report (<build>), <W> of
# them on the writer thread" (the thread that bounds ingest; its count is
# store::store::writer_loop's, inclusive).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=build small=20 large=1020 keep=0 batch=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --small) small=$2; shift 2 ;;
    --large) large=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --batch) batch=$2; shift 2 ;;
    *) echo "bench/storm_instructions.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
command -v valgrind >/dev/null || scripts/deps valgrind
build=$(cd "$build" && pwd)
gen=$build/compare_load
[ -x "$build/opeld" ] && [ -x "$gen" ] || { echo "build opeld and compare_load in $build first" >&2; exit 2; }
work=$(mktemp -d -p "$root/var" storm-instructions.XXXXXX)
pid=""
source bench/opeld_config.sh
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ $keep = 1 ] || rm -rf "$work"' EXIT

# Sets ir to the instructions (Ir) of opeld for N storm reports. Called
# directly, not in $(...), so that set -e, pid and the EXIT trap hold in it.
count() {  # N
  local dir=$work/$1 port rport
  mkdir -p "$dir"
  port=$("$gen" free-port) rport=$("$gen" free-port)
  opeld_config "$dir" "$large" "$port" "$rport" "" "$batch"
  valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.out" ${CALLGRIND_OPTS:-} \
    "$build/opeld" --config "$dir/opeld.yaml" --log-level warn 2> "$dir/opeld.log" &
  pid=$!
  for _ in $(seq 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/metrics" || true)" = 200 ] && break
    sleep 0.1
  done
  "$gen" run --api opeld --port "$port" --receiver-port "$rport" -n "$1" --level 4 --rate 0 -c 8 \
    --wait 600 > "$dir/load.txt"
  grep -q "\"notified\":$1," "$dir/load.txt" ||
    { echo "not every report was notified: $(cat "$dir/load.txt")" >&2; exit 1; }
  kill -TERM "$pid"; wait "$pid" || true; pid=""
  # One file, or one a thread with CALLGRIND_OPTS=--separate-threads=yes
  # (callgrind then leaves the plain name empty, which callgrind_annotate
  # would not read).
  local files=()
  for f in "$dir"/callgrind.out*; do [ -s "$f" ] && files+=("$f"); done
  ir=$(awk '/^(summary|totals):/ {s += $2; nextfile} END {if (s) print s}' "${files[@]}")
  [ -n "$ir" ] || { echo "no instruction count in $dir/callgrind.out" >&2; exit 1; }
  # The writer thread's part: it is the one thread that bounds ingest.
  writer=$(for f in "${files[@]}"; do callgrind_annotate --inclusive=yes --threshold=100 "$f"; done 2>/dev/null |
    awk '!w && /store::store::writer_loop\(\)/ {gsub(",", "", $1); print $1; w = 1}')
  [ -n "$writer" ] || { echo "no writer thread in $dir/callgrind.out" >&2; exit 1; }
}

ir="" writer=""
count "$small"; a=$ir wa=$writer
count "$large"; b=$ir wb=$writer
echo "$(( (b - a) / (large - small) )) instructions a storm report ($build)," \
  "$(( (wb - wa) / (large - small) )) of them on the writer thread"
[ $keep = 0 ] || echo "callgrind files: $work/$small/callgrind.out, $work/$large/callgrind.out"
