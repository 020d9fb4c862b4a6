#!/usr/bin/env bash
# test-install.sh - tests scripts/install and scripts/uninstall into throwaway DESTDIRs, checks
# the installed systemd units with systemd-analyze verify (against the staged tree), and runs
# the installed launcher under the real jsvc with the real postmap as client.
# Called by scripts/test after the build (needs service/target); CI=true turns skips into failures.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib/java.sh"
checks=0
fail() { echo "test-install: FAIL: $*" >&2; exit 1; }
ok() { checks=$((checks + 1)); }
skip() { if [ "${CI:-}" = true ]; then fail "$1 is missing (scripts/install-deps installs it)"; fi; echo "test-install: skipped: $1 missing" >&2; }
S=$(mktemp -d /tmp/pmi.XXXXXX)
chmod 755 "$S"
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$S"; }
trap cleanup EXIT
snapshot() { (cd "$1" && find . -printf '%M %u %p %l\n' | sort && find . -type f -print0 | sort -z | xargs -0 md5sum); }
started=$(date +%s)
t0=$EPOCHREALTIME
lap() { echo "test-install: $1 ok ($(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s)" >&2; t0=$EPOCHREALTIME; }

# 1. layout, modes, idempotence
A=$S/a
"$root/scripts/install" DESTDIR="$A" 2>/dev/null
for f in usr/share/proxymap/proxymap.jar usr/share/proxymap/lib/commons-daemon-1.5.1.jar \
         usr/share/proxymap/lib/log4j-core-2.26.1.jar usr/share/proxymap/log4j2.xml \
         usr/share/proxymap/examples/proxymap.cf usr/share/proxymap/examples/jmx-exporter.yaml \
         usr/sbin/proxymap usr/sbin/proxymapctl \
         lib/systemd/system/proxymap.service lib/systemd/system/proxymap-java.service \
         lib/systemd/system/proxymap@.service lib/systemd/system/proxymap.socket lib/systemd/system/proxymap@.socket \
         etc/postfix/proxymap.cf etc/default/proxymap; do
    [ -f "$A/$f" ] || fail "$f not installed"; ok
done
[ -x "$A/usr/sbin/proxymap" ] || fail "launcher not executable"; ok
grep -q '^home=${PROXYMAP_HOME:-/usr/share/proxymap}$' "$A/usr/sbin/proxymap" || fail "launcher's datadir not substituted"; ok
rc=0; PROXYMAP_DEFAULTS=/dev/null PROXYMAP_HOME="$A/usr/share/proxymap" "$A/usr/sbin/proxymapctl" >/dev/null 2>&1 || rc=$?
[ $rc = 2 ] || fail "installed proxymapctl without a command: exit $rc, expected 2 (usage)"; ok
ww=$(find "$A" -perm -o+w ! -type l)
[ -z "$ww" ] || fail "world-writable: $ww"; ok
[ -z "$(find "$A" -type f -perm /111 ! -path '*/sbin/proxymap' ! -path '*/sbin/proxymapctl')" ] || fail "unexpected executables"; ok
before=$(snapshot "$A")
"$root/scripts/install" DESTDIR="$A" 2>/dev/null
[ "$before" = "$(snapshot "$A")" ] || fail "second install changed the tree"; ok
# an administrator's proxymap.cf survives; a stale jar from an older version goes
echo "proxymap_shutdown_grace = 3s   # mine" >> "$A/etc/postfix/proxymap.cf"
touch "$A/usr/share/proxymap/lib/stale-0.9.jar"
msg=$("$root/scripts/install" DESTDIR="$A" 2>&1)
grep -q '# mine' "$A/etc/postfix/proxymap.cf" || fail "install overwrote an edited proxymap.cf"; ok
grep -q 'kept your /etc/postfix/proxymap.cf' <<<"$msg" || fail "install did not say it kept proxymap.cf: $msg"; ok
[ ! -e "$A/usr/share/proxymap/lib/stale-0.9.jar" ] || fail "stale jar left in lib/"; ok
lap "layout, modes, idempotence"

# 2. PREFIX for packagers
B=$S/b
"$root/scripts/install" DESTDIR="$B" PREFIX=/usr/local 2>/dev/null
[ -f "$B/usr/local/share/proxymap/proxymap.jar" ] && [ -x "$B/usr/local/sbin/proxymap" ] || fail "PREFIX=/usr/local layout"; ok
grep -q '^ExecStart=/usr/local/sbin/proxymap -c /etc/postfix --jsvc postfix$' "$B/usr/local/lib/systemd/system/proxymap.service" \
    || fail "unit's ExecStart does not follow PREFIX"; ok
lap "PREFIX=/usr/local"

# 3. systemd-analyze verify, inside a copy of the staged tree plus the host's own units and kill
if command -v systemd-analyze >/dev/null; then
    for t in "$A:/lib/systemd/system" "$B:/usr/local/lib/systemd/system"; do
        tree=${t%%:*}; unitdir=${t#*:}; V=$S/verify
        rm -rf "$V"; cp -a "$tree" "$V"
        mkdir -p "$V/lib/systemd/system" "$V/bin"
        cp -an /lib/systemd/system/. "$V/lib/systemd/system/"
        cp "$(type -P kill)" "$V/bin/kill"
        out=$(systemd-analyze verify --man=no --root="$V" "$unitdir/proxymap.service" "$unitdir/proxymap-java.service" \
              "$unitdir/proxymap@postfix-out.service" "$unitdir/proxymap.socket" "$unitdir/proxymap@postfix-out.socket" 2>&1) \
            || fail "systemd-analyze verify ($unitdir): $out"
        [ -z "$out" ] || fail "systemd-analyze verify warns ($unitdir): $out"; ok
        # the check is real: a unit whose program is missing fails
        rm "$V$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$V$unitdir/proxymap.service")"
        if systemd-analyze verify --man=no --root="$V" "$unitdir/proxymap.service" >/dev/null 2>&1; then
            fail "systemd-analyze verify passed a unit without its program"
        fi; ok
        # the instance's socket unit serves that instance's queue directory and precedes its Postfix
        grep -q '^ListenStream=/var/spool/%i/private/proxywrite$' "$V$unitdir/proxymap@.socket" \
            && grep -q '^Before=postfix@%i.service$' "$V$unitdir/proxymap@.socket" || fail "proxymap@.socket not made for instances"; ok
    done
    # hardening, as systemd scores it (0 best, 10 worst): reported, and held at its level
    for u in proxymap.service proxymap-java.service; do
        score=$(systemd-analyze security --offline=true --root="$A" "$A/lib/systemd/system/$u" 2>&1 \
                | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
        [ -n "$score" ] || fail "systemd-analyze security gave no score for $u"
        echo "test-install: systemd-analyze security $u: exposure $score" >&2
        awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }' || fail "$u exposure $score > 3.0: hardening lost"; ok
    done
    lap "systemd-analyze verify"
else
    skip systemd-analyze
fi

# 4. the installed launcher under the real jsvc as nobody, answering the real postmap
if [ "$(id -u)" = 0 ] && [ -x /usr/bin/jsvc ] && [ -x /usr/sbin/postmap ]; then
    C=$S/conf
    mkdir -p "$C/queue/private"
    chown nobody "$C/queue/private"; chmod 700 "$C/queue/private"
    printf 'queue_directory = %s\nproxy_read_maps = proxy:texthash:%s/t\n' "$C/queue" "$C" > "$C/main.cf"
    printf 'alice@example.com  alice@mailhost\n' > "$C/t"
    PROXYMAP_HOME=$A/usr/share/proxymap PROXYMAP_DEFAULTS=/dev/null PROXYMAP_PIDFILE=$S/jsvc.pid \
        "$A/usr/sbin/proxymap" -c "$C" --jsvc nobody > "$S/out.log" 2>&1 &
    pid=$!
    for _ in $(seq 600); do grep -q 'configuration generation 1 in force' "$S/out.log" && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
    grep -q 'configuration generation 1 in force' "$S/out.log" || fail "installed launcher did not start: $(cat "$S/out.log")"; ok
    v=$(/usr/sbin/postmap -c "$C" -q alice@example.com "proxy:texthash:$C/t") || fail "postmap -q through the service failed"
    [ "$v" = alice@mailhost ] || fail "postmap -q gave '$v'"; ok
    kill -TERM $pid; rc=0; wait $pid || rc=$?; pid=
    [ $rc = 0 ] || fail "jsvc exit status $rc after SIGTERM: $(cat "$S/out.log")"; ok
    [ ! -e "$C/queue/private/proxymap" ] || fail "socket left after stop"; ok
    lap "installed launcher under jsvc, postmap -q"
    # the same with the sockets passed as the installed proxymap.socket passes them: its ListenStream=
    # paths (moved under $C/queue) and FileDescriptorName=; systemd-socket-activate plays systemd
    if [ -x /usr/bin/systemd-socket-activate ]; then
        unit=$A/lib/systemd/system/proxymap.socket
        listen=()
        while read -r p; do listen+=(-l "${p/\/var\/spool\/postfix/$C/queue}"); done < <(sed -n 's/^ListenStream=//p' "$unit")
        [ ${#listen[@]} = 4 ] || fail "proxymap.socket should listen on two paths: ${listen[*]}"; ok
        name=$(sed -n 's/^FileDescriptorName=//p' "$unit")
        systemd-socket-activate "${listen[@]}" --fdname="$name:$name" -E PROXYMAP_HOME="$A/usr/share/proxymap" \
            -E PROXYMAP_DEFAULTS=/dev/null -E PROXYMAP_PIDFILE="$S/jsvc.pid" \
            "$A/usr/sbin/proxymap" -c "$C" --jsvc nobody > "$S/sa.log" 2>&1 &
        pid=$!
        for _ in $(seq 100); do [ -S "$C/queue/private/proxywrite" ] && break; sleep 0.05; done
        v=$(/usr/sbin/postmap -c "$C" -q alice@example.com "proxy:texthash:$C/t") \
            || fail "postmap -q through the socket-activated service failed: $(cat "$S/sa.log")"
        [ "$v" = alice@mailhost ] || fail "postmap -q gave '$v' under socket activation"; ok
        grep -q "proxywrite service listening on $C/queue/private/proxywrite (socket passed by systemd" "$S/sa.log" \
            || fail "the service did not serve the passed sockets: $(cat "$S/sa.log")"; ok
        kill -TERM $pid; rc=0; wait $pid || rc=$?; pid=
        [ $rc = 0 ] || fail "jsvc exit status $rc after SIGTERM under socket activation: $(cat "$S/sa.log")"; ok
        [ -S "$C/queue/private/proxymap" ] && [ -S "$C/queue/private/proxywrite" ] || fail "the service removed systemd's sockets"; ok
        lap "installed launcher under socket activation"
    else
        skip systemd-socket-activate
    fi
else
    skip "root, /usr/bin/jsvc or /usr/sbin/postmap (for the launcher run)"
fi

# 5. uninstall: program files go, an edited proxymap.cf stays unless --purge; idempotent
"$root/scripts/uninstall" DESTDIR="$A" 2>/dev/null
left=$(cd "$A" && find . -type f | sort)
[ "$left" = ./etc/postfix/proxymap.cf ] || fail "after uninstall, left: $left"; ok
"$root/scripts/uninstall" DESTDIR="$A" 2>/dev/null; ok
"$root/scripts/uninstall" --purge DESTDIR="$A" 2>/dev/null
[ -z "$(cd "$A" && find . -type f)" ] || fail "uninstall --purge left files"; ok
"$root/scripts/uninstall" DESTDIR="$B" PREFIX=/usr/local 2>/dev/null
[ -z "$(cd "$B" && find . -type f)" ] || fail "uninstall PREFIX=/usr/local left: $(cd "$B" && find . -type f)"; ok

lap uninstall
echo "test-install: PASS ($checks checks, $(( $(date +%s) - started )) s)"
