#!/bin/sh
# The Quick start demo: installs what is missing, builds ftkit in build/, makes a
# realistic 15-minute flow file the way flow-capture would name it, and reads it
# back with the classic pipeline.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh tools/install-deps.sh
[ -x configure ] || autoreconf -fi >/dev/null
mkdir -p build
cd build
[ -f Makefile ] || ../configure -q CFLAGS="-O2 -g"
make -s -j"$(nproc 2>/dev/null || echo 2)"

demo=$top/build/demo
rm -rf "$demo"; mkdir -p "$demo/2024/2024-03/2024-03-14"
file=$demo/2024/2024-03/2024-03-14/ft-v05.2024-03-14.090000+0000
TZ=UTC ./flow-gen -R -s 7 -n 200000 -V 5 -z 6 -S '2024-03-14 09:00:00' -D 15m \
    -C 'ftkit demo: 15 minutes of a campus edge' >"$file"

say() { printf '\n$ %s\n' "$*"; }
say "flow-header < $(basename "$file")"
TZ=UTC ./flow-header <"$file"
say "flow-cat $demo | flow-print | head -n 12"
TZ=UTC ./flow-cat "$demo" | ./flow-print | head -n 12
say "flow-cat $demo | flow-print -f 5 | head -n 6"
TZ=UTC ./flow-cat "$demo" | TZ=UTC ./flow-print -f 5 | head -n 6
say "flow-cat $demo | flow-print -f json | head -n 2"
TZ=UTC ./flow-cat "$demo" | ./flow-print -f json | head -n 2
printf '\nThe demo file is %s (%s bytes, 200000 flows).\n' "$file" "$(wc -c <"$file")"
