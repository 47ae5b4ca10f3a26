#!/usr/bin/env bash
# Where opeld's heap goes at many open alerts: bench/compare's breadth
# workload (one level-3 report from each of --count practices, every one
# opening an alert) against opeld on bench/compare's configuration, then
# the heap in use read from /metrics (`opeld_heap_inuse_bytes`, the figure
# bench/compare reports) and, unless --no-heaptrack, heaptrack's largest
# consumers at the peak (opeld runs under heaptrack: slower, same heap).
#
# Usage: bench/heap_profile.sh [--build DIR] [--count N] [--no-heaptrack] [--keep]
#   --build DIR     the build to run (default build/; built if missing)
#   --count N       practices, one report each (default 50000)
#   --no-heaptrack  only the heap in use, at full speed
#   --keep          keep the run's directory under var/ (config, database,
#                   heaptrack's file) and say where it is
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD build=build count=50000 heaptrack=1 keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    --no-heaptrack) heaptrack=0; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "heap_profile: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ $heaptrack = 0 ] || command -v heaptrack >/dev/null || scripts/deps heaptrack
[ -x "$build/opeld" ] && [ -x "$build/compare_load" ] ||
  cmake --build "$build" -j "$(nproc)" --target opeld compare_load >/dev/null

gen=$root/$build/compare_load
# shellcheck source=bench/opeld_config.sh
source bench/opeld_config.sh
mkdir -p var
dir=$(mktemp -d -p "$root/var" heap.XXXXXX)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ $keep = 1 ] || rm -rf "$dir"
}
trap cleanup EXIT
port=$("$gen" free-port) rport=$("$gen" free-port)
opeld_config "$dir" "$count" "$port" "$rport" ""
wrap=()
[ $heaptrack = 1 ] && wrap=(heaptrack -o "$dir/heap")
# Its output to files: a process holding this script's stdout would keep a
# pipe reading it open.
"${wrap[@]}" "$root/$build/opeld" --config "$dir/opeld.yaml" --log-level warn \
  > "$dir/heaptrack.log" 2> "$dir/opeld.log" &
wrapper=$!
for _ in $(seq 1200); do
  curl -fs "http://127.0.0.1:$port/metrics" >/dev/null && break
  kill -0 "$wrapper" 2>/dev/null || { cat "$dir/opeld.log" >&2; exit 1; }
  sleep 0.1
done
# opeld itself: under heaptrack, a child of its wrapper script.
pid=$(pgrep -f "^$root/$build/opeld --config $dir/opeld.yaml" | head -1)
"$gen" run --api opeld --port "$port" --receiver-port "$rport" -n "$count" --level 3 --rate 0 \
  -c 64 --wait 600 --system opeld --workload breadth --rep 1 --json "$dir/run.jsonl" >/dev/null
heap=$(curl -fs "http://127.0.0.1:$port/metrics" | awk '/^opeld_heap_inuse_bytes /{print $2}')
echo "$count practices, one report each: heap in use $(awk -v b="$heap" 'BEGIN{printf "%.1f", b/1048576}') MiB"
kill "$pid"; pid=""
wait "$wrapper" 2>/dev/null || true  # heaptrack writes its file as opeld exits
if [ $heaptrack = 1 ]; then
  file=""
  for f in "$dir/heap.zst" "$dir/heap.gz"; do [ -f "$f" ] && file=$f; done
  # The largest consumers at the peak, a line each: size, calls, the
  # allocating function and the two frames above it.
  heaptrack_print -f "$file" --print-peaks 1 --print-allocators 0 --print-temporary 0 \
    --print-leaks 0 --peak-limit 15 --sub-peak-limit 1 2>/dev/null |
    awk 'function flush() { if (head != "") print head (frames != "" ? " <- " frames : ""); head = "" }
         /peak memory consumed over/ { flush(); getline f; sub(/^ +/, "", f)
                                       head = $1 " (" $6 " calls) " substr(f, 1, 70); frames = ""; n = 0; next }
         /consumed over .* calls from:/ { n = 2; next }
         n > 0 && !/^ *(in|at) / { sub(/^ +/, ""); frames = frames (frames == "" ? "" : " <- ") substr($0, 1, 60); n--; next }
         /^peak heap memory consumption/ { flush(); print }
         END { flush() }'
fi
[ $keep = 1 ] && echo "kept: $dir"
exit 0
