#!/usr/bin/env bash
# mariadb.sh - a throwaway MariaDB server for tests, with its own datadir, TCP port and
# socket, never the machine's own server (3306).
#
#   scripts/lib/mariadb.sh start DIR   create DIR/data (first time), start mariadbd on
#                                      127.0.0.1 and a free port from 3307 up, wait until
#                                      it answers, write DIR/env
#   scripts/lib/mariadb.sh stop DIR    shut it down (the datadir stays; rm -rf DIR to drop it)
#   scripts/lib/mariadb.sh kill DIR    SIGKILL mariadbd (crash tests; start recovers it)
#   scripts/lib/mariadb.sh env DIR     print DIR/env
#
# DIR/env (shell syntax, also read by the Java tests through PROXYMAP_TEST_DB_DIR):
#   MARIADB_PORT=3307  MARIADB_SOCKET=DIR/run/mysqld.sock  MARIADB_HOST=127.0.0.1
#   MARIADB_ROOT="mariadb --no-defaults -S DIR/run/mysqld.sock -u root"   (unix_socket auth)
#   MARIADB_USER=pmtest MARIADB_PASSWORD=pmtest MARIADB_DATABASE=pmtest (all privileges
#   on pmtest, from 127.0.0.1 and localhost; tests create their own databases as root)
# A restart (stop, start) keeps the port when it is still free, so a test can simulate an
# outage and a recovery. mariadbd refuses to run as root; as root it runs as user mysql.
set -euo pipefail

die() { echo "mariadb.sh: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: mariadb.sh start|stop|kill|env DIR"
cmd=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
sock=$dir/run/mysqld.sock
pidfile=$dir/run/mysqld.pid

find_bin() {
    for b in "$@"; do
        for p in /usr/sbin/$b /usr/bin/$b /usr/local/bin/$b /usr/local/sbin/$b; do
            [ -x "$p" ] && { echo "$p"; return 0; }
        done
    done
    return 1
}

port_free() {   # nothing listening on 127.0.0.1:$1
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

running() { [ -S "$sock" ] && [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

# await_exit PID N: waits up to N tenths of a second for process PID to end (never fails: callers look)
await_exit() { local i; for i in $(seq 1 "$2"); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; }

admin() { "$(find_bin mariadb-admin mysqladmin)" --no-defaults -S "$sock" -u root "$@"; }

start() {
    local mariadbd install_db client port user=
    mariadbd=$(find_bin mariadbd mysqld) || die "mariadbd not found; install mariadb-server (scripts/install-deps)"
    install_db=$(find_bin mariadb-install-db mysql_install_db) || die "mariadb-install-db not found"
    client=$(find_bin mariadb mysql) || die "mariadb client not found"
    if running; then echo "mariadb.sh: already running in $dir" >&2; return 0; fi
    mkdir -p "$dir/data" "$dir/run"
    [ "$(id -u)" = 0 ] && user=mysql
    if [ -n "$user" ]; then
        chown -R "$user" "$dir"; chmod 755 "$dir"
        command -v runuser >/dev/null && ! runuser -u "$user" -- test -x "$dir" \
            && die "user $user cannot reach $dir: make its parent directories searchable (chmod o+x)"
    fi
    if [ ! -d "$dir/data/mysql" ]; then
        "$install_db" --no-defaults --datadir="$dir/data" ${user:+--user=$user} --skip-test-db \
            --auth-root-authentication-method=socket >"$dir/install.log" 2>&1 \
            || { cat "$dir/install.log" >&2; die "mariadb-install-db failed"; }
    fi
    port=
    if [ -f "$dir/env" ]; then
        port=$(sed -n 's/^MARIADB_PORT=//p' "$dir/env")
        port_free "$port" || port=
    fi
    if [ -z "$port" ]; then
        port=3307
        while ! port_free "$port" || [ "$port" = 3306 ]; do port=$((port + 1)); done
    fi
    rm -f "$sock" "$pidfile"
    # setsid: the server must not get the test runner's terminal signals
    setsid "$mariadbd" --no-defaults --datadir="$dir/data" --socket="$sock" --port="$port" \
        --bind-address=127.0.0.1 --pid-file="$pidfile" ${user:+--user=$user} --skip-name-resolve \
        --innodb-buffer-pool-size=32M --max-connections=500 --log-error="$dir/error.log" \
        </dev/null >/dev/null 2>&1 &
    local i
    for i in $(seq 1 150); do
        if admin ping >/dev/null 2>&1; then break; fi
        sleep 0.1
    done
    admin ping >/dev/null 2>&1 || { tail -20 "$dir/error.log" >&2; die "mariadbd did not start (see $dir/error.log)"; }
    "$client" --no-defaults -S "$sock" -u root -e "
        CREATE DATABASE IF NOT EXISTS pmtest;
        CREATE USER IF NOT EXISTS 'pmtest'@'127.0.0.1' IDENTIFIED BY 'pmtest';
        CREATE USER IF NOT EXISTS 'pmtest'@'localhost' IDENTIFIED BY 'pmtest';
        GRANT ALL ON *.* TO 'pmtest'@'127.0.0.1' WITH GRANT OPTION;
        GRANT ALL ON *.* TO 'pmtest'@'localhost' WITH GRANT OPTION;"
    cat >"$dir/env" <<EOF
MARIADB_HOST=127.0.0.1
MARIADB_PORT=$port
MARIADB_SOCKET=$sock
MARIADB_USER=pmtest
MARIADB_PASSWORD=pmtest
MARIADB_DATABASE=pmtest
MARIADB_ROOT="$client --no-defaults -S $sock -u root"
EOF
    echo "mariadb.sh: MariaDB on 127.0.0.1:$port, socket $sock, datadir $dir/data" >&2
}

stop() {
    running || { echo "mariadb.sh: not running in $dir" >&2; return 0; }
    local pid
    pid=$(cat "$pidfile")
    admin shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    await_exit "$pid" 100
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    rm -f "$sock" "$pidfile"
}

crash() {
    running || { echo "mariadb.sh: not running in $dir" >&2; return 0; }
    local pid
    pid=$(cat "$pidfile")
    kill -9 "$pid" 2>/dev/null || true
    await_exit "$pid" 100
}

case $cmd in
    start) start ;;
    stop) stop ;;
    kill) crash ;;
    env) cat "$dir/env" ;;
    *) die "unknown command $cmd; use start, stop, kill or env" ;;
esac
