#!/bin/sh
# bench/hup-collision.sh BUILD_DIR [BUILD_DIR...] - a SIGHUP in the second of a
# scheduled rotation, under load.
#
# For each build's flow-capture in turn: zlib 6, a rotation every minute
# (-n 1439) and a SIGHUP every second, v5 at RATE flows/s for DURATION seconds
# around a minute boundary, so that one SIGHUP comes in the second the
# scheduled file opened.  Prints files, flows stored, kernel drops and
# receiver stalls per build.  Run bench/ingest.sh first: it builds blast and
# the pre-encoded datagrams in WORK.  Not part of the test suite.
#
# Environment: RATE [400000], DURATION seconds [16], WORK [/tmp/ftkit-ingest],
# PORT [29990].
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
RATE=${RATE:-400000}
SECS=${DURATION:-16}
WORK=${WORK:-/tmp/ftkit-ingest}
PORT=${PORT:-29990}
[ $# -ge 1 ] || die "usage: bench/hup-collision.sh BUILD_DIR [BUILD_DIR...]"
[ -x "$WORK/bin/blast" ] && [ -s "$WORK/d5.bin" ] || die "run bench/ingest.sh first ($WORK)"

for b in "$@"; do
    fc=$(cd "$b" && pwd)/flow-capture
    [ -x "$fc" ] || die "$fc is missing"
    dir=$WORK/collision
    rm -rf "$dir" "$dir.log"
    mkdir -p "$dir"
    # start 10 s before a minute boundary (at most a minute's wait)
    i=0
    while [ "$(date +%S)" != 50 ] && [ $i -lt 400 ]; do sleep 0.2; i=$((i + 1)); done
    "$fc" -D -p - -w "$dir" -B 4194304 -z 6 -n 1439 "127.0.0.1/0/$PORT" 2> "$dir.log" &
    pid=$!
    sleep 1
    "$WORK/bin/blast" -f "$WORK/d5.bin" -p "$PORT" -r "$RATE" -n $((RATE * SECS)) \
        -T $((SECS * 4 + 10)) -k "$pid" -K 1000 > /dev/null
    sleep 3
    kill "$pid"
    wait "$pid"
    files=$(find "$dir" -name 'ft-*' | wc -l)
    stat=$(grep 'STAT (exit)' "$dir.log" | grep -o 'flows=[0-9]*\|socket_drops=[0-9]*\|stalls=[0-9]*' |
        tr '\n' ' ')
    say "$b: sent $((RATE * SECS)) flows, $files files, $stat"
done
