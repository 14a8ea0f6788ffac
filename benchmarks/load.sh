#!/usr/bin/env bash
# The gateway load benchmark (release builds). Builds sessiongate and LoadBenchmark, then for
# each scenario starts a fresh gateway on a temporary functions folder (--port 0), runs the
# load tool against it, and stops the gateway with SIGTERM. Everything goes to stdout.
#
#   benchmarks/load.sh                       # every scenario, the defaults below
#   DURATION=5s SCENARIOS="reuse-guest held-guest" benchmarks/load.sh
#
# Settings (environment):
#   DURATION   each cycles scenario's length            (default 10s)
#   CLIENTS    concurrent clients of the cycles runs    (default 64)
#   TRANSPORT  the cycles runs' --transport: raw (blocking sockets, a thread per client, light on the
#              tool's CPU) or hummingbird (HummingbirdWSClient); held runs always use hummingbird (default raw)
#   HELD       sessions of the held runs                (default 10000)
#   DATABASE   file (a fresh sqlite file per scenario, as `make run` uses; the default), memory (sqlite::memory:)
#              or postgres (a fresh database per scenario on a throw-away PostgreSQL started for the run, on
#              port PG_BENCH_PORT, default 55442, with PostgreSQL's default durability: fsync and synchronous
#              commit on); several, space-separated, run each scenario once per database: DATABASE="file postgres"
#   LOG_LEVEL  the gateway's --log-level; its log goes to a file (default info, the gateway's default)
#   SCENARIOS  any of: reuse-guest new-guest reuse-password new-password held-guest held-password,
#              reuse-ping new-ping (two pings per cycle, no session: the floor of the WebSocket stack),
#              floor-reuse-ping floor-new-ping (the same against WebSocketFloor, a ping answerer written
#              directly on SwiftNIO's WebSocket handlers, in place of the gateway)
#   GATEWAY    the sessiongate binary to measure (default: the release build), e.g. a copy built
#              from another commit, for A/B runs
#   BIN_DIR    where the built LoadBenchmark (and the default gateway) are, e.g. a --scratch-path build's
#              release folder (default: swift build -c release --show-bin-path)
#   SETTLE     seconds to wait after `sync` before each scenario, so that one run's writeback does not
#              land on the next (default 3)
#   SKIP_BUILD set to 1 to use the release binaries already built (the header prints when they were
#              built: the commit it prints is the tree's, not necessarily the binaries')
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CLIENTS=${CLIENTS:-64}
TRANSPORT=${TRANSPORT:-raw}
HELD=${HELD:-10000}
DATABASE=${DATABASE:-file}
LOG_LEVEL=${LOG_LEVEL:-info}
SCENARIOS=${SCENARIOS:-"reuse-guest new-guest reuse-password new-password held-guest"}
PASSWORD="load-bench-password"

# 10,000 held sessions need 10,000 descriptors on each side; ask for 65536, settle for the hard limit.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

run() { echo "+ $*"; "$@"; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    run swift build -c release --product sessiongate
    run swift build -c release --product LoadBenchmark
    case "$SCENARIOS" in *floor-*) run swift build -c release --product WebSocketFloor ;; esac
fi
BIN=${BIN_DIR:-$(swift build -c release --show-bin-path)}
GATEWAY=${GATEWAY:-$BIN/sessiongate}

WORK=$(mktemp -d /tmp/sessiongate-load.XXXXXX)
GW_PID=""
cleanup() {
    if [ -n "$GW_PID" ] && kill -0 "$GW_PID" 2>/dev/null; then kill -TERM "$GW_PID" 2>/dev/null || true; wait "$GW_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

PG_BENCH_PORT=${PG_BENCH_PORT:-55442}
pg() { PG_TEST_PORT=$PG_BENCH_PORT PG_TEST_DIR="/tmp/sessiongate-pg-bench-$PG_BENCH_PORT" PG_TEST_FSYNC=${PG_BENCH_FSYNC:-on} scripts/pg-test-cluster.sh "$@"; }
case " $DATABASE " in *" postgres "*)
    pg start
    trap 'pg stop; cleanup' EXIT ;;
esac

# One cheap authentication function: compare the password, nothing else.
mkdir "$WORK/functions"
cat > "$WORK/functions/10-password.lua" <<LUA
return function(event)
  if event.authParams.password == "$PASSWORD" then return true end
  return false, "Wrong password"
end
LUA

start_gateway() { # $1: scenario name
    if [[ "$1" == floor-* ]]; then start_floor "$1"; return; fi
    local database="sqlite::memory:" name
    case "$DB" in
        file) database="sqlite:$WORK/users-$1.sqlite" ;;
        postgres)
            name="bench_${1//-/_}_$RANDOM"
            pg psql -qc "CREATE DATABASE $name" >/dev/null
            database="postgres://postgres@127.0.0.1:$PG_BENCH_PORT/$name?sslmode=disable" ;;
    esac
    : > "$WORK/gateway.out"
    echo "+ $GATEWAY serve --host 127.0.0.1 --port 0 --functions $WORK/functions --database $database" \
        "--username-failure-limit off --address-failure-limit off --no-demo --log-level $LOG_LEVEL 2>>$WORK/gateway-$1-$DB.log"
    "$GATEWAY" serve --host 127.0.0.1 --port 0 --functions "$WORK/functions" --database "$database" \
        --username-failure-limit off --address-failure-limit off --no-demo --log-level "$LOG_LEVEL" \
        > "$WORK/gateway.out" 2>> "$WORK/gateway-$1-$DB.log" &
    GW_PID=$!
    await_listening "$1" gateway
}

start_floor() { # $1: scenario name; WebSocketFloor prints the same listening line as the gateway
    : > "$WORK/gateway.out"
    echo "+ $BIN/WebSocketFloor 0"
    "$BIN/WebSocketFloor" 0 > "$WORK/gateway.out" 2>> "$WORK/gateway-$1-$DB.log" &
    GW_PID=$!
    await_listening "$1" WebSocketFloor
}

await_listening() { # $1: scenario name, $2: what was started (GW_PID); sets PORT
    local line="" i
    for i in $(seq 1 300); do
        line=$(grep -m1 -o 'listening on http://[^ ]*' "$WORK/gateway.out" || true)
        [ -n "$line" ] && break
        if ! kill -0 "$GW_PID" 2>/dev/null; then
            echo "$2 exited before listening:"; cat "$WORK/gateway-$1-$DB.log"; exit 1
        fi
        sleep 0.1
    done
    [ -n "$line" ] || { echo "$2 did not print its listening line within 30 s"; exit 1; }
    PORT=${line##*:}
    echo "  $2 pid $GW_PID, $line"
}

stop_gateway() { # $1: scenario name
    local began=$SECONDS status=0 i
    kill -TERM "$GW_PID"
    for i in $(seq 1 450); do kill -0 "$GW_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$GW_PID" 2>/dev/null; then
        echo "  the gateway did not stop within 45 s of SIGTERM; killing it"; kill -KILL "$GW_PID"
    fi
    wait "$GW_PID" || status=$?
    echo "  gateway stopped on SIGTERM: exit $status after ~$((SECONDS - began)) s;" \
        "log lines: $(wc -l < "$WORK/gateway-$1-$DB.log"), of which warnings/errors:" \
        "$(grep -ciE 'warn|error|critical' "$WORK/gateway-$1-$DB.log" || true)"
    GW_PID=""
}

echo "== sessiongate load benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "   commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (working tree modified)')," \
    "$(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg), open-file limit $(ulimit -n)"
echo "   binaries: $GATEWAY built $(date -u -r "$GATEWAY" +%Y-%m-%dT%H:%M:%SZ), LoadBenchmark built $(date -u -r "$BIN/LoadBenchmark" +%Y-%m-%dT%H:%M:%SZ)"
echo "   database $DATABASE, gateway log level $LOG_LEVEL, clients $CLIENTS, transport $TRANSPORT, duration $DURATION, held $HELD"

for scenario in $SCENARIOS; do
  for DB in $DATABASE; do
    echo
    echo "== $scenario ($DB)"
    # The previous scenario's database files are still being written back to disk; on a small
    # machine that writeback competes with the next run's fsyncs (PostgreSQL's above all).
    sync; sleep "${SETTLE:-3}"
    start_gateway "$scenario"
    url="ws://127.0.0.1:$PORT/v1/session"
    case "$scenario" in
        reuse-guest | new-guest | reuse-password | new-password | reuse-ping | new-ping | floor-reuse-ping | floor-new-ping)
            cycle=${scenario#floor-}   # CONNECTION-AUTH
            run "$BIN/LoadBenchmark" cycles --url "$url" --gateway-pid "$GW_PID" --clients "$CLIENTS" --transport "$TRANSPORT" \
                --duration "$DURATION" --connection "${cycle%%-*}" --auth "${cycle#*-}" --password "$PASSWORD" || true ;;
        held-guest | held-password)
            run "$BIN/LoadBenchmark" held --url "$url" --gateway-pid "$GW_PID" --sessions "$HELD" \
                --auth "${scenario#held-}" --password "$PASSWORD" || true ;;
        *) echo "unknown scenario $scenario"; stop_gateway "$scenario"; exit 2 ;;
    esac
    stop_gateway "$scenario"
  done
done
