#!/usr/bin/env bash
# The gateway against WebSocketFloor in one run, with the shared load generator
# (../shared/tools/loadgen.c): start+end cycles on reused connections and with a new connection
# per cycle, then `sessiongate bench` against the bare interpreter on the same function.
# Release builds; the function is ../shared/tools/bench-functions (a password check).
#
#   benchmarks/loadgen.sh                 # ROUNDS=3 DURATION=10 CONNS=64
#   SKIP_BUILD=1 ROUNDS=5 benchmarks/loadgen.sh
#   BASELINE_GATEWAY=/tmp/sessiongate-before SKIP_BUILD=1 benchmarks/loadgen.sh   # A/B: a second build in the same run
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
FUNCTIONS=${FUNCTIONS:-../shared/tools/bench-functions}
LOADGEN_SOURCE=${LOADGEN_SOURCE:-../shared/tools/loadgen.c}
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    swift build -c release --product sessiongate
    swift build -c release --product WebSocketFloor
fi
BIN=$(swift build -c release --show-bin-path)
mkdir -p .build/tools
cc -O2 -o .build/tools/loadgen "$LOADGEN_SOURCE"
LOADGEN=.build/tools/loadgen

WORK=$(mktemp -d /tmp/sessiongate-loadgen.XXXXXX)
SERVER=""
stop() { if [ -n "$SERVER" ]; then kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=""; fi; }
trap 'stop; rm -rf "$WORK"' EXIT

# $1: gateway|floor; sets PORT once the server prints its listening line.
start() {
    : > "$WORK/out"
    if [ "$1" = gateway ] || [ "$1" = baseline ]; then
        gateway="$BIN/sessiongate"
        [ "$1" = baseline ] && gateway="$BASELINE_GATEWAY"
        "$gateway" serve --port 0 --functions "$FUNCTIONS" --database sqlite::memory: --log-level warn \
            --address-failure-limit off --username-failure-limit off >"$WORK/out" 2>"$WORK/err" &
    else
        "$BIN/WebSocketFloor" 0 >"$WORK/out" 2>"$WORK/err" &
    fi
    SERVER=$!
    for _ in $(seq 100); do
        PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/out")
        [ -n "$PORT" ] && return 0
        sleep 0.1
    done
    echo "the $1 did not start"; cat "$WORK/err"; exit 1
}

echo "# $(git rev-parse --short HEAD) $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
    for server in gateway ${BASELINE_GATEWAY:+baseline} floor; do
        for mode in --reuse --new-conn; do
            start "$server"
            # A short warm-up connection set first: the first starts create the users.
            "$LOADGEN" ws "$mode" "ws://127.0.0.1:$PORT/v1/session" -c "$CONNS" -d "$DURATION" -w 2 -q \
                | sed "s/^RESULT/RESULT round=$round server=$server/"
            stop
        done
    done
done

echo "# sessiongate bench (1 worker) and bare lua5.4, same function and event"
for round in $(seq "$ROUNDS"); do
    "$BIN/sessiongate" bench "$FUNCTIONS" --username user1 --auth-params '{"password":"pw-1resu"}' --iterations 200000 | tail -1
    lua5.4 benchmarks/function_bare.lua "$FUNCTIONS/10-bench.lua" user1 pw-1resu 200000
done
