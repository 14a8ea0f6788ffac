#!/usr/bin/env bash
# A/B of gateway builds on PostgreSQL: each build in turn, ROUNDS times, on a fresh database of one
# throw-away PostgreSQL (fsync on), 64 clients on reused connections, release binaries.
#
#   cp .build/release/sessiongate /tmp/sg-before     # then change, rebuild, and:
#   benchmarks/pg_ab.sh /tmp/sg-before .build/release/sessiongate
#
# Settings (environment): AUTHS (default "password guest"), ROUNDS (default 2), DURATION in seconds
# (default 8), PG_BENCH_PORT (default 55442), STATEMENTS=1 to print pg_stat_statements' top
# statements after each run (the cluster is then started with the extension preloaded).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 GATEWAY [GATEWAY …]" >&2; exit 2; }

AUTHS=${AUTHS:-password guest}
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-8}
PORT=${PG_BENCH_PORT:-55442}
DIR=/tmp/sessiongate-pg-ab-$PORT
LOADER="$(swift build -c release --show-bin-path)/LoadBenchmark"
WORK=$(mktemp -d /tmp/sessiongate-pg-ab.XXXXXX)
pg() { PG_TEST_PORT=$PORT PG_TEST_DIR=$DIR PG_TEST_FSYNC=on scripts/pg-test-cluster.sh "$@"; }
trap 'pg stop; rm -rf "$WORK"' EXIT

pg start
if [ "${STATEMENTS:-}" = 1 ]; then
    BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    as_server() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
    as_server "$BIN/pg_ctl" -D "$DIR/data" -w -m fast stop >/dev/null
    as_server "$BIN/pg_ctl" -D "$DIR/data" -w -l "$DIR/server.log" -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 \
        -c max_connections=300 -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_planning=on" start >/dev/null
fi

mkdir "$WORK/functions"
cat > "$WORK/functions/10-password.lua" <<'LUA'
return function(event)
  if event.authParams.password == "ab-password" then return true end
  return false, "Wrong password"
end
LUA

echo "== PostgreSQL A/B, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD), load average $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  for gateway in "$@"; do
    for auth in $AUTHS; do
        db="ab_${round}_${auth}_$RANDOM"
        pg psql -qc "CREATE DATABASE $db"
        [ "${STATEMENTS:-}" = 1 ] && pg psql -d "$db" -qc "CREATE EXTENSION pg_stat_statements" -qc "SELECT pg_stat_statements_reset()" >/dev/null
        "$gateway" serve --host 127.0.0.1 --port 0 --functions "$WORK/functions" \
            --database "postgres://postgres@127.0.0.1:$PORT/$db?sslmode=disable" \
            --username-failure-limit off --address-failure-limit off --no-demo > "$WORK/out" 2> "$WORK/log" &
        gw=$!
        for _ in $(seq 1 100); do grep -q 'listening on' "$WORK/out" && break; sleep 0.1; done
        url="ws://$(grep -o 'listening on http://[^ ]*' "$WORK/out" | sed 's|listening on http://||')/v1/session"
        printf 'round %s  %-40s %-8s ' "$round" "$gateway" "$auth"
        "$LOADER" cycles --url "$url" --gateway-pid "$gw" --clients 64 --transport raw --duration "${DURATION}s" \
            --connection reuse --auth "$auth" --password ab-password \
            | grep -oE 'completed cycles: [0-9]+ = [0-9]+ cycles/s|startSession +p50 [0-9.]+ ms +p99 [0-9.]+ ms|gateway CPU[^=]*= [0-9]+%|other processes: [0-9.]+ cores' \
            | sed 's/ (pid [0-9]*)//; s/(user+sys) over [0-9.]* s wall = //' | tr '\n' ' '
        echo
        kill -TERM "$gw"; wait "$gw" || true
        if [ "${STATEMENTS:-}" = 1 ]; then
            pg psql -d "$db" -c "SELECT calls, rows, round(total_plan_time::numeric) AS plan_ms, round(total_exec_time::numeric) AS exec_ms,
                left(regexp_replace(query, '\s+', ' ', 'g'), 60) AS statement FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 5"
        fi
        pg psql -qc "DROP DATABASE $db"
    done
  done
done
