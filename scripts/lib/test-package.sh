#!/usr/bin/env bash
# test-package.sh - builds the Debian package twice (two versions) with scripts/package and takes
# it through its life in a throwaway root with the real dpkg: install, files and modes, conffiles,
# man pages, bash completion, unit enablement by deb-systemd-helper, upgrade (an edited conffile
# kept, the service restarted once), remove, purge; and lintian reports no error.
#
# dpkg runs the maintainer scripts without chroot (--force-script-chrootless, DPKG_ROOT set), so
# deb-systemd-helper enables the unit inside the throwaway root. No systemd runs here: the root
# gets a run/systemd/system directory, and systemctl and deb-systemd-invoke on PATH record what
# the scripts ask of systemd, to count starts, restarts and stops.
# Called by scripts/test after the build (needs service/target); CI=true turns skips into failures.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
checks=0
fail() { echo "test-package: FAIL: $*" >&2; exit 1; }
ok() { checks=$((checks + 1)); }
for tool in dpkg dpkg-deb deb-systemd-helper lintian man; do
    if ! command -v $tool >/dev/null; then
        [ "${CI:-}" = true ] && fail "$tool is missing (scripts/install-deps installs it)"
        echo "test-package: skipped: $tool missing" >&2; exit 0
    fi
done
S=$(mktemp -d /tmp/pmp.XXXXXX)
trap 'rm -rf "$S"' EXIT
started=$(date +%s)

"$root/scripts/package" --no-build --version 1.0~test1 --out "$S" >/dev/null
"$root/scripts/package" --no-build --version 1.0~test2 --out "$S" >/dev/null
v1=$S/proxymap_1.0~test1_all.deb v2=$S/proxymap_1.0~test2_all.deb
[ -f "$v1" ] && [ -f "$v2" ] || fail "scripts/package made no .deb"; ok

# lintian: no error (warnings, e.g. Java 25's class version unknown to bookworm's lintian, are allowed)
errors=$(lintian --tag-display-limit 0 "$v1" 2>/dev/null | grep '^E:' || true)
[ -z "$errors" ] || fail "lintian errors: $errors"; ok

R=$S/root REC=$S/bin
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/run/systemd/system" "$REC"
touch "$R/var/lib/dpkg/status"
for c in systemctl deb-systemd-invoke; do
    printf '#!/bin/sh\necho "%s $*" >> "%s/calls"\n' "$c" "$S" > "$REC/$c"; chmod 755 "$REC/$c"
done
: > "$S/calls"
pkg() { PATH=$REC:$PATH dpkg --root="$R" --force-script-chrootless --force-depends \
            --force-confdef --force-confold "$@" >"$S/dpkg.log" 2>&1 || fail "dpkg $*: $(cat "$S/dpkg.log")"; }
calls() { grep -c -- "$1" "$S/calls" || true; }
wants=$R/etc/systemd/system/multi-user.target.wants

# 1. install
pkg -i "$v1"
[ "$(dpkg --root="$R" -s proxymap | sed -n 's/^Version: //p')" = 1.0~test1 ] || fail "version 1.0~test1 not installed"; ok
for f in usr/share/proxymap/proxymap.jar usr/sbin/proxymap usr/sbin/proxymapctl \
         lib/systemd/system/proxymap.service lib/systemd/system/proxymap-java.service \
         etc/postfix/proxymap.cf etc/default/proxymap usr/share/doc/proxymap/copyright \
         usr/share/doc/proxymap/changelog.gz usr/share/bash-completion/completions/proxymapctl \
         usr/share/proxymap/examples/jmx-exporter.yaml \
         usr/share/man/man8/proxymap.8.gz usr/share/man/man8/proxymapctl.8.gz usr/share/man/man5/proxymap.cf.5.gz; do
    [ -f "$R/$f" ] || fail "$f not installed"; ok
done
[ -z "$(find "$R/usr" "$R/etc" "$R/lib" -perm -o+w ! -type l)" ] || fail "world-writable files"; ok
[ "$(find "$R/usr" "$R/etc" "$R/lib" -type f -perm /111 | sed "s|^$R||" | sort | tr '\n' ' ')" = "/usr/sbin/proxymap /usr/sbin/proxymapctl " ] \
    || fail "executables other than the two launchers"; ok
[ -z "$(find "$R/usr" "$R/etc" "$R/lib" ! -user root)" ] || fail "files not owned by root"; ok
[ "$(sort "$R/var/lib/dpkg/info/proxymap.conffiles" | tr '\n' ' ')" = "/etc/default/proxymap /etc/postfix/proxymap.cf " ] \
    || fail "conffiles: $(cat "$R/var/lib/dpkg/info/proxymap.conffiles")"; ok
# man pages render, with their NAME line; proxymap.cf(5) lists a setting with its default
for page in man8/proxymap.8 man8/proxymapctl.8 man5/proxymap.cf.5; do
    text=$(MANWIDTH=80 man -l "$R/usr/share/man/$page.gz" 2>&1) || fail "man -l $page: $text"
    grep -q "^NAME" <<<"$text" && grep -q "$(basename "$page" | sed 's/\.[0-9]$//') - " <<<"$text" || fail "$page has no NAME line"; ok
done
MANWIDTH=200 man -l "$R/usr/share/man/man5/proxymap.cf.5.gz" 2>/dev/null | grep -q 'proxymap_request_deadline (default: 1s)' \
    || fail "proxymap.cf(5) lacks proxymap_request_deadline with its default"; ok
# bash completion offers proxymapctl's commands and options
compl() { bash -c '_init_completion() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
    . "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _proxymapctl; echo "${COMPREPLY[*]}"' _ \
    "$R/usr/share/bash-completion/completions/proxymapctl" "$@"; }
[ "$(compl proxymapctl re)" = reload ] || fail "completion of 'proxymapctl re': $(compl proxymapctl re)"; ok
[ "$(compl proxymapctl he)" = health ] || fail "completion of 'proxymapctl he': $(compl proxymapctl he)"; ok
MANWIDTH=200 man -l "$R/usr/share/man/man8/proxymapctl.8.gz" 2>/dev/null | grep -q 'health: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN' \
    || fail "proxymapctl(8) lacks the health exit codes"; ok
[[ " $(compl proxymapctl --json --pass) " == *" --password-file "* ]] || fail "completion of --pass"; ok
# units: proxymap.service enabled as debhelper does, the plain-JVM one not; started once
[ -L "$wants/proxymap.service" ] || fail "proxymap.service not enabled"; ok
[ ! -e "$wants/proxymap-java.service" ] || fail "proxymap-java.service enabled too"; ok
[ "$(calls 'deb-systemd-invoke start proxymap.service')" = 1 ] || fail "fresh install did not start the service once: $(cat "$S/calls")"; ok
echo "test-package: install ok" >&2

# 2. upgrade: an edited conffile is kept, the service restarted exactly once, never stopped
echo "proxymap_shutdown_grace = 3s   # mine" >> "$R/etc/postfix/proxymap.cf"
: > "$S/calls"
pkg -i "$v2"
[ "$(dpkg --root="$R" -s proxymap | sed -n 's/^Version: //p')" = 1.0~test2 ] || fail "upgrade to 1.0~test2"; ok
grep -q '# mine' "$R/etc/postfix/proxymap.cf" || fail "upgrade overwrote the edited proxymap.cf"; ok
[ "$(calls 'restart proxymap.service')" = 1 ] && [ "$(calls 'stop')" = 0 ] && [ "$(calls 'invoke start ')" = 0 ] \
    || fail "upgrade should restart once and nothing else: $(cat "$S/calls")"; ok
[ -L "$wants/proxymap.service" ] || fail "upgrade disabled the unit"; ok
echo "test-package: upgrade ok" >&2

# 3. remove: program files go, conffiles stay, the service is stopped
: > "$S/calls"
pkg -r proxymap
[ ! -e "$R/usr/share/proxymap/proxymap.jar" ] && [ ! -e "$R/usr/sbin/proxymap" ] || fail "remove left program files"; ok
[ -f "$R/etc/postfix/proxymap.cf" ] && grep -q '# mine' "$R/etc/postfix/proxymap.cf" || fail "remove dropped the configuration"; ok
[ "$(calls 'deb-systemd-invoke stop proxymap.service')" = 1 ] || fail "remove did not stop the service: $(cat "$S/calls")"; ok

# 4. purge: configuration and unit state go
pkg -P proxymap
[ ! -e "$R/etc/postfix/proxymap.cf" ] && [ ! -e "$R/etc/default/proxymap" ] || fail "purge left configuration"; ok
[ ! -e "$wants/proxymap.service" ] && [ -z "$(find "$R/var/lib/systemd" -name 'proxymap*' 2>/dev/null)" ] || fail "purge left unit state"; ok
[ -z "$(dpkg --root="$R" -l 2>/dev/null | grep proxymap || true)" ] || fail "dpkg still lists proxymap after purge"; ok
echo "test-package: PASS ($checks checks, $(( $(date +%s) - started )) s)"
