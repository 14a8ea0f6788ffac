# Sourced by cpu_per_cycle.sh and allocs_per_cycle.sh: starts the server to measure (the
# gateway on the benchmark function, or WebSocketFloor) on a free port, warms it with a 2 s
# loadgen run, and sets PID and URL; the server is killed when the calling script exits.
#   start_per_cycle_server gateway|floor --reuse|--new-conn
start_per_cycle_server() {
    local server=$1 mode=$2
    local bin
    bin=$(swift build -c release --show-bin-path)
    local port=$((20000 + RANDOM % 12000))  # below the ephemeral range, which new-conn runs fill
    if [ "$server" = gateway ]; then
        "${GATEWAY:-$bin/sessiongate}" serve --port "$port" --functions ../shared/tools/bench-functions --database sqlite::memory: \
            --log-level warn --address-failure-limit off --username-failure-limit off ${GATEWAY_ARGS:-} >/dev/null 2>&1 &
    else
        "$bin/WebSocketFloor" "$port" >/dev/null 2>&1 &
    fi
    PID=$!
    trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
    sleep 1.5
    URL="ws://127.0.0.1:$port/v1/session"
    .build/tools/loadgen ws "$mode" "$URL" -c 64 -d 2 -q >/dev/null
}
