#!/bin/sh
# Installs, on Debian, whatever ftkit needs to build and test that is missing.
# Run as root (or with sudo available).  Extra package names may be given.
# softflowd, tcpreplay, iproute2: tests/sensor.sh's cross-check and live test.
set -e
pkgs="gcc make autoconf automake libtool pkg-config zlib1g-dev libpcap-dev libzstd-dev
      bison flex nettle-dev python3 libmariadb-dev libpq-dev clang libclang-rt-14-dev
      softflowd tcpreplay iproute2 $*"
missing=
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
echo "installing:$missing"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
