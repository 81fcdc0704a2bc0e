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
rm -rf "$demo"; mkdir -p "$demo/gen" "$demo/capture"
say() { printf '\n$ %s\n' "$*"; }

# 1. A realistic quarter hour of a campus edge, 200000 v5 flows.
TZ=UTC ./flow-gen -R -s 7 -n 200000 -V 5 -z 0 -S '2024-03-14 09:00:00' -D 15m \
    -C 'ftkit demo: 15 minutes of a campus edge' >"$demo/gen/flows.ft"

# 2. Exported as NetFlow v5 over loopback into the collector, which writes
#    rotated files (tmp- while open, ft- when complete) nested by date.
port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
./flow-capture -D -N 3 -w "$demo/capture" "127.0.0.1/127.0.0.1/$port" 2>"$demo/capture.log" &
capture=$!
trap 'kill $capture 2>/dev/null' EXIT
sleep 1
say "flow-send -r 100000f 0/127.0.0.1/$port < flows.ft      # v5 datagrams to flow-capture"
./flow-send -r 100000f "0/127.0.0.1/$port" <"$demo/gen/flows.ft"
sleep 1
kill -TERM $capture; wait $capture || true
trap - EXIT
file=$(find "$demo/capture" -name 'ft-*' | head -n 1)

# 3. The classic pipeline on what was captured.
say "flow-header < ${file#$demo/}"
./flow-header <"$file"
say "flow-cat $demo/capture | flow-print | head -n 8"
./flow-cat "$demo/capture" | ./flow-print | head -n 8
say "flow-cat $demo/capture | flow-print -f 5 | head -n 5"
TZ=UTC ./flow-cat "$demo/capture" | TZ=UTC ./flow-print -f 5 | head -n 5
say "flow-cat $demo/capture | flow-nfilter -f ../etc/demo-filter.cfg -F dns | flow-print -f json | head -n 1"
./flow-cat "$demo/capture" | ./flow-nfilter -f "$top/etc/demo-filter.cfg" -F dns | ./flow-print -f json | head -n 1
printf '\nflow-capture stored %s of 200000 flows in %s (%s bytes on disk).\n' \
    "$(./flow-cat "$demo/capture" | ./flow-print -f csv | tail -n +2 | wc -l)" "${file#$demo/}" "$(wc -c <"$file")"

# 4. Reports: flow-tools' classic flow-stat, and the nightly page (flow-report's
#    reports drawn by flow-rptfmt -f chart) over the day the collector stored.
say "flow-cat $demo/capture | flow-stat -f 9 -S 2 | head -n 14      # top talkers"
./flow-cat "$demo/capture" | ./flow-stat -f 9 -S 2 | head -n 14
day=$(basename "$file" | sed -n 's/^ft-v[0-9]*\.\([0-9]\{4\}\)-\([0-9][0-9]\)-\([0-9][0-9]\).*/\1-\2-\3/p')
export FTKIT_SYMDIR="$top/etc/sym"      # the symbol tables ftkit ships (installed in sysconfdir/sym)
say "flow-nightly -d $demo/capture -o $demo -D $day -v"
page=$(sh ./flow-nightly -b "$top/build" -c "$top/etc/nightly" -d "$demo/capture" -o "$demo" -D "$day" \
    -t "ftkit demo" -v) || exit 1
printf '\nThe report of the day, one self-contained HTML page: %s\n' "$page"
