#!/usr/bin/env bash
# Instructions the rules engine executes for one report of rules_bench's
# workload (6,300 practices, the shipped rules, reports at random levels and
# themes), counted by callgrind, so two builds compare on a busy machine too:
# the count does not depend on what else runs. rules_bench runs under
# callgrind for --small and --large reports; the difference over
# (large - small) is the cost of one report, the set-up taken out.
#
# Usage: bench/engine_instructions.sh [--build DIR] [--small N] [--large N] [--keep]
#   --keep   leave the callgrind files for callgrind_annotate
# Prints: "<instructions a report> instructions a report (<build>)".
set -euo pipefail
cd "$(dirname "$0")/.."
build=build small=1 large=20000 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --small) small=$2; shift 2 ;;
    --large) large=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "bench/engine_instructions.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
command -v valgrind >/dev/null || scripts/deps valgrind
cmake --build "$build" --target rules_bench >/dev/null
build=$(cd "$build" && pwd)
mkdir -p var
work=$(mktemp -d -p var engine-instructions.XXXXXX)
count() {
  valgrind --tool=callgrind --callgrind-out-file="$work/$1.out" \
    "$build/rules_bench" --reports "$1" >/dev/null 2>"$work/$1.log"
  awk '/^(summary|totals):/ {print $2; exit}' "$work/$1.out"
}
a=$(count "$small")
b=$(count "$large")
echo "$(( (b - a) / (large - small) )) instructions a report ($build)"
if [ $keep = 0 ]; then rm -rf "$work"; else echo "callgrind files: $work/$large.out"; fi
