#!/bin/sh
# Every systemd unit under etc/ passes `systemd-analyze verify` (with the
# programs' paths pointed at the build directory, since verify checks that
# ExecStart's program exists; a program not built yet becomes /bin/true),
# the tmpfiles.d entry parses, and the init scripts are valid sh.
#
#   tests/services.sh BUILD_DIR
set -u
build=$(cd "${1:?usage: services.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

for s in "$top"/etc/*.init "$top"/etc/clickhouse/ship-hook; do
    check "sh -n $(basename "$s")" sh -n "$s"
done
if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "skip services: systemd-analyze not installed"
    finish services
    exit
fi
units=$(find "$top/etc" -name '*.service' | sort)
[ -n "$units" ] || give_up services "services: no units under etc/"
for u in $units; do
    name=$(basename "$u")
    # a template is verified as an instance of it
    case $name in *@.service) inst=${name%@.service}@test.service ;; *) inst=$name ;; esac
    prog=$(sed -n 's|^ExecStart=/usr/bin/\([^ ]*\).*|\1|p' "$u")
    to=/bin/true
    [ -x "$build/$prog" ] && to=$build/$prog
    sed "s|^ExecStart=/usr/bin/$prog|ExecStart=$to|" "$u" > "$tmp/$name"
    out=$(cd "$tmp" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$tmp/$inst" 2>&1 |
          grep -v "Failed to resolve user\|Failed to resolve group\|Unit configured to use BPF\|network-online.target\|clickhouse-server.service" )
    check_eq "systemd-analyze verify $name${prog:+ ($prog$( [ "$to" = /bin/true ] && echo ': not built, /bin/true'))}" "$out" ""
done
if command -v systemd-tmpfiles >/dev/null 2>&1; then
    check "tmpfiles.d: ftkit.conf parses" sh -c "systemd-tmpfiles --cat-config >/dev/null 2>&1; \
        systemd-tmpfiles --dry-run --create '$top/etc/systemd/ftkit.conf' 2>&1 | grep -v 'Failed to resolve\\|unknown user\\|unknown group' | grep -qi 'error\\|invalid' && exit 1; exit 0"
fi
finish services
