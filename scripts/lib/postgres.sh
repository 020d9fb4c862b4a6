#!/usr/bin/env bash
# postgres.sh - a throwaway PostgreSQL server for tests, with its own data directory, TCP
# port and socket directory, never the machine's own cluster (5432).
#
#   scripts/lib/postgres.sh start DIR   initdb DIR/data (first time), start postgres on
#                                       127.0.0.1 and a free port from 5433 up, socket in
#                                       DIR/run, wait until it answers, write DIR/env
#   scripts/lib/postgres.sh stop DIR    fast shutdown (the data stays; rm -rf DIR to drop it)
#   scripts/lib/postgres.sh kill DIR    SIGKILL the postmaster (crash tests), then clean up
#   scripts/lib/postgres.sh env DIR     print DIR/env
#
# DIR/env (shell syntax, also read by the Java tests through PROXYMAP_TEST_PG_DIR):
#   PG_HOST=127.0.0.1 PG_PORT=5433 PG_SOCKET_DIR=DIR/run PG_USER=pmtest PG_PASSWORD=pmtest
#   PG_DATABASE=pmtest PG_SUPERUSER=postgres PG_BIN=/usr/lib/postgresql/15/bin
# pmtest is a superuser with a password (scram over TCP and the socket); the cluster is
# UTF8 with fsync off. A restart (stop, start) keeps the port when it is still free.
# postgres refuses to run as root; as root it runs as user postgres.
set -euo pipefail

die() { echo "postgres.sh: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: postgres.sh start|stop|kill|env DIR"
cmd=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
run=$dir/run
pidfile=$dir/data/postmaster.pid

bindir() {
    local b
    for b in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) /usr/bin; do
        [ -x "$b/postgres" ] && [ -x "$b/initdb" ] && { echo "$b"; return 0; }
    done
    return 1
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

as_pg() { if [ -n "$user" ]; then runuser -u "$user" -- "$@"; else "$@"; fi; }

pid() { [ -f "$pidfile" ] && head -1 "$pidfile"; }

running() { local p; p=$(pid) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

# await_exit PID N: waits up to N tenths of a second for process PID to end (never fails: callers look)
await_exit() { local i; for i in $(seq 1 "$2"); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; }

user=
[ "$(id -u)" = 0 ] && user=postgres

start() {
    local bin port
    bin=$(bindir) || die "postgres not found; install postgresql (scripts/install-deps)"
    if running; then echo "postgres.sh: already running in $dir" >&2; return 0; fi
    mkdir -p "$run"
    if [ -n "$user" ]; then
        chown "$user" "$dir" "$run"; chmod 755 "$dir"
        runuser -u "$user" -- test -x "$dir" \
            || die "user $user cannot reach $dir: make its parent directories searchable (chmod o+x)"
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        printf 'pmtest\n' >"$dir/pwfile"; [ -n "$user" ] && chown "$user" "$dir/pwfile"
        as_pg "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C.UTF-8 --no-sync \
            --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
        rm -f "$dir/pwfile"
        # the superuser by socket without a password (this script); everyone else with one,
        # so wrong-password tests work over the socket as over TCP
        printf '%s\n' 'local all postgres trust' 'local all all scram-sha-256' \
            'host all all 127.0.0.1/32 scram-sha-256' >"$dir/data/pg_hba.conf"
    fi
    port=
    if [ -f "$dir/env" ]; then
        port=$(sed -n 's/^PG_PORT=//p' "$dir/env")
        # not running here, so a socket left by a crash is stale
        rm -f "$run/.s.PGSQL.$port" "$run/.s.PGSQL.$port.lock"
        port_free "$port" || port=
    fi
    if [ -z "$port" ]; then
        port=5433
        while ! port_free "$port" || [ -e "$run/.s.PGSQL.$port" ]; do port=$((port + 1)); done
    fi
    rm -f "$pidfile"
    # setsid: the server must not get the test runner's terminal signals
    as_pg setsid "$bin/postgres" -D "$dir/data" -p "$port" -k "$run" -c listen_addresses=127.0.0.1 \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
        -c shared_buffers=16MB -c log_min_messages=warning -c logging_collector=off \
        </dev/null >>"$dir/server.log" 2>&1 &
    local i
    for i in $(seq 1 150); do
        if as_pg "$bin/psql" -h "$run" -p "$port" -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then break; fi
        sleep 0.1
    done
    as_pg "$bin/psql" -h "$run" -p "$port" -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1 \
        || { tail -20 "$dir/server.log" >&2; die "postgres did not start (see $dir/server.log)"; }
    as_pg "$bin/psql" -q -v ON_ERROR_STOP=1 -h "$run" -p "$port" -U postgres -d postgres >/dev/null <<'SQL'
SELECT 'CREATE ROLE pmtest SUPERUSER LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pmtest') \gexec
ALTER ROLE pmtest PASSWORD 'pmtest';
SELECT 'CREATE DATABASE pmtest OWNER pmtest' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'pmtest') \gexec
SQL
    cat >"$dir/env" <<ENV
PG_HOST=127.0.0.1
PG_PORT=$port
PG_SOCKET_DIR=$run
PG_USER=pmtest
PG_PASSWORD=pmtest
PG_DATABASE=pmtest
PG_SUPERUSER=postgres
PG_BIN=$bin
ENV
    echo "postgres.sh: PostgreSQL on 127.0.0.1:$port, socket $run/.s.PGSQL.$port, data $dir/data" >&2
}

stop() {
    running || { echo "postgres.sh: not running in $dir" >&2; return 0; }
    local p
    p=$(pid)
    kill -INT "$p" 2>/dev/null || true   # fast shutdown
    await_exit "$p" 100
    if kill -0 "$p" 2>/dev/null; then kill -9 "$p" 2>/dev/null || true; fi
}

crash() {
    running || { echo "postgres.sh: not running in $dir" >&2; return 0; }
    local p c kids
    p=$(pid)
    kids=$(pgrep -P "$p" 2>/dev/null || true)
    kill -9 "$p" 2>/dev/null || true
    # its backends would notice the postmaster is gone only at their next client message
    for c in $kids; do kill -9 "$c" 2>/dev/null || true; done
    await_exit "$p" 50
    rm -f "$pidfile"
}

case $cmd in
    start) start ;;
    stop) stop ;;
    kill) crash ;;
    env) cat "$dir/env" ;;
    *) die "unknown command $cmd; use start, stop, kill or env" ;;
esac
