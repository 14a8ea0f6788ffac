#!/usr/bin/env bash
# PostgreSQL and two gateways on it, for trying several instances by hand (`make cluster`):
#
#   gateway A  http://127.0.0.1:8080   (instance id "a")
#   gateway B  http://127.0.0.1:8081   (instance id "b")
#   admin API  Authorization: Bearer $ADMIN_TOKEN (default "cluster-demo-token")
#
# The database is a throw-away cluster (scripts/pg-test-cluster.sh, port 55432); Ctrl-C stops
# both gateways and the database. Put nginx in front of them with the README's example.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.build/debug/sessiongate}
FUNCTIONS=${FUNCTIONS:-./functions}
ADMIN_TOKEN=${ADMIN_TOKEN:-cluster-demo-token}
export PG_TEST_PORT=${PG_TEST_PORT:-55432}

scripts/pg-test-cluster.sh start
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    scripts/pg-test-cluster.sh stop
}
trap cleanup EXIT INT TERM

scripts/pg-test-cluster.sh psql -qc "CREATE DATABASE sessiongate" >/dev/null 2>&1 || true
DATABASE="postgres://postgres@127.0.0.1:$PG_TEST_PORT/sessiongate?sslmode=disable"

for pair in a:8080 b:8081; do
    "$BIN" serve --functions "$FUNCTIONS" --database "$DATABASE" --instance-id "${pair%%:*}" \
        --port "${pair##*:}" --admin-token "$ADMIN_TOKEN" &
    PIDS+=($!)
done
echo "two gateways on one PostgreSQL: http://127.0.0.1:8080 (a) and http://127.0.0.1:8081 (b); Ctrl-C stops them" >&2
wait -n "${PIDS[@]}"
