#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests and for trying several gateways by hand.
#
#   scripts/pg-test-cluster.sh start   # initdb + pg_ctl start on a private port and socket folder
#   scripts/pg-test-cluster.sh url     # the URL the tests read (SESSIONGATE_TEST_POSTGRES_URL)
#   scripts/pg-test-cluster.sh psql …  # psql as the superuser, e.g. psql -c 'SELECT 1'
#   scripts/pg-test-cluster.sh stop    # stops it and removes its folder
#   scripts/pg-test-cluster.sh halt    # stops the server, keeping its data (an outage, for tests)
#   scripts/pg-test-cluster.sh resume  # starts a halted server again
#
# Uses Debian's server binaries (/usr/lib/postgresql/*/bin; `make deps` installs them). PostgreSQL
# refuses to run as root, so as root (CI) the server runs as the `postgres` user the Debian package
# creates. Settings (environment): PG_TEST_PORT (default 55432), PG_TEST_DIR (default
# /tmp/sessiongate-pg-PORT), PG_TEST_FSYNC (default off; benchmarks set on). The superuser `postgres` is trusted on 127.0.0.1 (no password): this
# cluster is for tests, never for data.
set -euo pipefail

PORT=${PG_TEST_PORT:-55432}
FSYNC=${PG_TEST_FSYNC:-off}
DIR=${PG_TEST_DIR:-/tmp/sessiongate-pg-$PORT}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

# A server started from a test process must not inherit its descriptors (sockets of other tests):
# PostgreSQL counts the descriptors left under the limit and refuses to start with too few.
for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
done
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

as_server_user() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

need_binaries() {
    if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
        echo "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin: run 'make deps' (apt-get install postgresql)" >&2
        exit 1
    fi
}

case "${1:-}" in
start)
    need_binaries
    if [ -f "$DIR/data/postmaster.pid" ] && as_server_user "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
        echo "already running on port $PORT ($DIR)" >&2
        exit 0
    fi
    rm -rf "$DIR"
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$DIR"
    chmod 700 "$DIR"
    as_server_user "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
        || { cat "$DIR/initdb.log" >&2; exit 1; }
    # fsync off by default: a crash of this throw-away cluster loses nothing anyone needs, and tests
    # run faster.
    as_server_user "$BIN/pg_ctl" -D "$DIR/data" -w -l "$DIR/server.log" \
        -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=$FSYNC -c max_connections=300" start >/dev/null \
        || { cat "$DIR/server.log" >&2; exit 1; }
    echo "PostgreSQL $(basename "$(dirname "$BIN")") running on 127.0.0.1:$PORT (folder $DIR)" >&2
    ;;
halt)
    need_binaries
    as_server_user "$BIN/pg_ctl" -D "$DIR/data" -w -m fast stop >/dev/null
    ;;
resume)
    need_binaries
    as_server_user "$BIN/pg_ctl" -D "$DIR/data" -w -l "$DIR/server.log" \
        -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=$FSYNC -c max_connections=300" start >/dev/null
    ;;
stop)
    need_binaries
    if [ -d "$DIR/data" ]; then
        as_server_user "$BIN/pg_ctl" -D "$DIR/data" -w -m fast stop >/dev/null 2>&1 || true
    fi
    rm -rf "$DIR"
    ;;
url)
    echo "postgres://postgres@127.0.0.1:$PORT/postgres?sslmode=disable"
    ;;
psql)
    shift
    as_server_user "$BIN/psql" -h "$DIR" -p "$PORT" -U postgres -d postgres "$@"
    ;;
*)
    echo "usage: $0 start|stop|halt|resume|url|psql [ARGS]" >&2
    exit 2
    ;;
esac
