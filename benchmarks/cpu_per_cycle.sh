#!/usr/bin/env bash
# CPU time a server spends per load-generator cycle, in total and by thread (from
# /proc/PID/task/*/stat around a 5 s loadgen run), for the profile in BENCHMARKS.md §3.
#
#   benchmarks/cpu_per_cycle.sh gateway [--reuse|--new-conn]
#   benchmarks/cpu_per_cycle.sh floor   [--reuse|--new-conn]
#   GATEWAY=/path/to/another/sessiongate benchmarks/cpu_per_cycle.sh gateway   (an A/B build)
# Needs the release builds and .build/tools/loadgen (benchmarks/loadgen.sh makes both).
set -euo pipefail
cd "$(dirname "$0")/.."
SERVER=${1:-gateway}
MODE=${2:---reuse}
source benchmarks/per_cycle_server.sh
start_per_cycle_server "$SERVER" "$MODE"
# A thread may end between the listing and the read (the runtime's pools come and go).
snapshot() {
    for t in /proc/$PID/task/*; do
        line="$(basename "$t") $(tr ' ' _ < "$t/comm" 2>/dev/null) $(awk '{print $14+$15}' "$t/stat" 2>/dev/null)" || continue
        [ "$(wc -w <<<"$line")" = 3 ] && echo "$line"
    done | sort
}
snapshot > /tmp/cpu_per_cycle.before
RESULT=$(.build/tools/loadgen ws "$MODE" "$URL" -c 64 -d 5 -q)
snapshot > /tmp/cpu_per_cycle.after
OPS=$(sed 's/.* ops=\([0-9]*\).*/\1/' <<<"$RESULT")
echo "$RESULT" | cut -d' ' -f1-9
join /tmp/cpu_per_cycle.before /tmp/cpu_per_cycle.after | awk -v ops="$OPS" '
    { d = $5 - $3; total += d; if (d > 0) printf "  thread %s %-16s %6.1f us/cycle\n", $1, $2, d * 10000 / ops }
    END { printf "  total %.1f us of CPU per cycle (clock ticks of 10 ms)\n", total * 10000 / ops }'
