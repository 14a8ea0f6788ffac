#!/usr/bin/env bash
# Heap allocations a server makes per load-generator cycle, by thread: Swift objects
# (swift_allocObject) and the C allocator's malloc, counted with uprobes while loadgen runs a
# fixed number of cycles. Counts, unlike times, do not move with this machine's speed, so a
# change's effect on allocations shows in one run (BENCHMARKS.md §3).
#
#   benchmarks/allocs_per_cycle.sh gateway [--reuse|--new-conn]
#   benchmarks/allocs_per_cycle.sh floor   [--reuse|--new-conn]
#   GATEWAY=/path/to/another/sessiongate benchmarks/allocs_per_cycle.sh gateway
# Needs perf with uprobes (root), the release builds and .build/tools/loadgen
# (benchmarks/loadgen.sh makes both). N=20000 cycles by default.
set -euo pipefail
cd "$(dirname "$0")/.."
SERVER=${1:-gateway}
MODE=${2:---reuse}
BIN=$(swift build -c release --show-bin-path)
SWIFT_CORE=$(ldd "$BIN/sessiongate" | awk '/libswiftCore.so/ {print $3}')
TCMALLOC=$(ldd "$BIN/sessiongate" | awk '/libtcmalloc_minimal/ {print $3}')
EVENTS=probe_libswiftCore:swift_allocObject
perf probe -l 2>/dev/null | grep -q "$EVENTS" || perf probe -q -x "$SWIFT_CORE" swift_allocObject
if [ -n "$TCMALLOC" ]; then
    perf probe -l 2>/dev/null | grep -q probe_libtcmalloc_minimal:tc_malloc || perf probe -q -x "$TCMALLOC" tc_malloc
    EVENTS="$EVENTS,probe_libtcmalloc_minimal:tc_malloc"
fi
source benchmarks/per_cycle_server.sh
start_per_cycle_server "$SERVER" "$MODE"
STAT=$(mktemp)
RESULT=$(perf stat --per-thread -e "$EVENTS" -p "$PID" -o "$STAT" -- .build/tools/loadgen ws "$MODE" "$URL" -c 64 -n "${N:-20000}" -q)
OPS=$(sed 's/.* ops=\([0-9]*\).*/\1/' <<<"$RESULT")
echo "$RESULT" | cut -d' ' -f1-9
# perf prints one line per thread: NAME-TID COUNT EVENT; threads of one name are summed.
awk -v ops="$OPS" '/probe_/ && $2 ~ /^[0-9,]+$/ {
        gsub(",", "", $2); name = $1; sub(/-[0-9]+$/, "", name)
        per[name " " $3] += $2; total[$3] += $2 }
    END {
        for (k in per) if (per[k] / ops >= 0.05) printf "  %-50s %6.2f per cycle\n", k, per[k] / ops
        for (e in total) printf "  total %-44s %6.2f per cycle\n", e, total[e] / ops }' "$STAT" | sort
rm -f "$STAT"
