#!/bin/sh
# Installs, on Debian, whatever ftkit needs that is missing.  Run as root (or
# with sudo available).
#
#   sh tools/install-deps.sh            # to build (and run the demo)
#   sh tools/install-deps.sh --tests    # and what the test suite runs against
#
# Extra package names may be given too.
set -e
build="gcc make autoconf automake libtool pkg-config zlib1g-dev libpcap-dev libzstd-dev
       bison flex nettle-dev python3 libmariadb-dev libpq-dev"
# the peers, servers and tools the tests start: exporters and replay (sensor,
# captures), packet decodes (export), a browser (the nightly page), the
# databases (SQL exports, ClickHouse), unit checks (services), the fuzzers
tests="softflowd pmacct tcpreplay iproute2 tshark chromium mariadb-server postgresql
       clickhouse-server clickhouse-client systemd clang libclang-rt-14-dev"
pkgs=$build
for a in "$@"; do
    case $a in --tests) pkgs="$pkgs $tests" ;; *) pkgs="$pkgs $a" ;; esac
done
missing=
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
echo "installing:$missing"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
