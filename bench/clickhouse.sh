#!/bin/sh
# bench/clickhouse.sh [BUILD_DIR] - loading flows into ClickHouse (issue 12,
# section 5): the load rate of an N-flow file into one clickhouse-server and
# into a 2-shard cluster (Distributed table, synchronous inserts) by
# flow-clickhouse, against the do-it-yourself path, flow-print -f csv
# turned into TabSeparated and fed to clickhouse-client INSERT ... FORMAT
# TabSeparated (flow-export -f 2 where built, else flow-print -f csv); CPU of each (client side
# and server side); bytes per flow on disk in ClickHouse beside ftkit's files.
# Targets: flow-clickhouse at least as fast as the DIY path, at less CPU.
# Not part of the test suite; the servers are started here (tests/lib.sh).
#
# Environment: N flows [10000000], WORK directory [/tmp/ftkit-bench-ch],
# RUNS per figure [1] (a load of 10M flows is long; the median is taken).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(dirname "$HERE")
B=$(cd "${1:-$TOP/build-bench}" 2>/dev/null && pwd) || { echo "bench: no build directory ${1:-$TOP/build-bench}" >&2; exit 1; }
. "$HERE/common.sh"
. "$TOP/tests/lib.sh"

N=${N:-10000000}
RUNS=${RUNS:-1}
WORK=${WORK:-/tmp/ftkit-bench-ch}
for p in flow-gen flow-print flow-clickhouse; do
    [ -x "$B/$p" ] || die "$B/$p is missing: build first"
done
command -v clickhouse-server >/dev/null 2>&1 || need clickhouse-server clickhouse-server
command -v clickhouse-client >/dev/null 2>&1 || need clickhouse-client clickhouse-client
mkdir -p "$WORK" || die "cannot create $WORK"
F=$WORK/flows-$N.ft
[ -s "$F" ] || "$B/flow-gen" -R -n "$N" -V 5 -z 6 > "$F" || die "flow-gen failed"

t1=$(free_tcp_port) h1=$(free_tcp_port) t2=$(free_tcp_port) h2=$(free_tcp_port)
cluster="<remote_servers><bench>
  <shard><replica><host>127.0.0.1</host><port>$t1</port></replica></shard>
  <shard><replica><host>127.0.0.1</host><port>$t2</port></replica></shard>
</bench></remote_servers>"
trap 'ch_server_stop "$WORK/ch1"; ch_server_stop "$WORK/ch2"' EXIT INT TERM
rm -rf "$WORK/ch1" "$WORK/ch2"
ch_server_start "$WORK/ch1" "$t1" "$h1" "$cluster" || die "server 1 did not start"
ch_server_start "$WORK/ch2" "$t2" "$h2" "$cluster" || die "server 2 did not start"
U1="http://127.0.0.1:$h1/" U2="http://127.0.0.1:$h2/"
q1() { clickhouse-client --port "$t1" --query "$1"; }
q2() { clickhouse-client --port "$t2" --query "$1"; }

srv_ticks() { echo $(( $(cpu_ticks "$(cat "$WORK/ch1/pid")") + $(cpu_ticks "$(cat "$WORK/ch2/pid")") )); }
HZ=$(getconf CLK_TCK)

# timed_load LABEL TABLE_FOR_COUNT COMMAND: wall s, client CPU s, server CPU s
timed_load() {
    label=$1 count_q=$2
    shift 2
    s0=$(srv_ticks)
    t0=$(now_ns)
    /usr/bin/time -f '%U %S' -o "$WORK/time.txt" sh -c "$*" || die "$label: the load failed"
    t1n=$(now_ns)
    s1=$(srv_ticks)
    wall=$(awk -v a="$t0" -v b="$t1n" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
    cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$WORK/time.txt")
    scpu=$(awk -v a="$s0" -v b="$s1" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz }')
    got=$(eval "$count_q")
    [ "$got" = "$N" ] || die "$label: $got rows, not $N"
    rate=$(awk -v n="$N" -v w="$wall" 'BEGIN { printf "%.0f", n / w }')
    say "$(printf '%-44s %8s s %10s flows/s  client CPU %7s s  server CPU %7s s' "$label" "$wall" "$rate" "$cpu" "$scpu")"
    LAST_WALL=$wall LAST_CPU=$(awk -v a="$cpu" -v b="$scpu" 'BEGIN { print a + b }')
}

say "bench/clickhouse.sh: $N flows (flow-gen -R, v5, zlib 6), $RUNS run(s) each"
describe_machine
say "clickhouse: $(clickhouse-client --version 2>&1 | head -1)"
say ""

# --- one server: flow-clickhouse -------------------------------------------
"$B/flow-clickhouse" -c -u "$U1" -t flows || die "create failed"
timed_load "flow-clickhouse, one server" "q1 'SELECT count() FROM flows'" \
    "'$B/flow-clickhouse' -u '$U1' -t flows '$F'"
FT_WALL=$LAST_WALL FT_CPU=$LAST_CPU

# --- one server: the do-it-yourself path ---------------------------------
# flow-export -f 2 (the issue's DIY path) where it is built, else flow-print -f csv
if [ -x "$B/flow-export" ]; then
    CSV="'$B/flow-export' -f 2 < '$F' 2>/dev/null" CSV_LABEL="flow-export -f 2"
else
    CSV="'$B/flow-print' -f csv < '$F'" CSV_LABEL="flow-print -f csv"
fi
cols=$(eval "$CSV" | head -1 | sed 's/^#://')
ddl=$(printf '%s' "$cols" | awk -F, '{ for (i = 1; i <= NF; i++) printf "%s%s String", (i > 1 ? ", " : ""), $i }')
q1 "CREATE TABLE diy ($ddl) ENGINE = MergeTree() ORDER BY tuple()" || die "diy table"
timed_load "$CSV_LABEL | clickhouse-client (TSV)" "q1 'SELECT count() FROM diy'" \
    "$CSV | tail -n +2 | tr , '\\t' | clickhouse-client --port $t1 --query 'INSERT INTO diy FORMAT TabSeparated'"
DIY_WALL=$LAST_WALL DIY_CPU=$LAST_CPU

# --- the 2-shard cluster -----------------------------------------------------
"$B/flow-clickhouse" -c -u "$U1" -S "$U1" -S "$U2" -C bench -L flows_local -t flows_all || die "cluster create failed"
timed_load "flow-clickhouse, 2-shard cluster" "q1 'SELECT count() FROM flows_all'" \
    "'$B/flow-clickhouse' -u '$U1' -S '$U1' -S '$U2' -C bench -L flows_local -t flows_all '$F'"
say "  shards: $(q1 'SELECT count() FROM flows_local') + $(q2 'SELECT count() FROM flows_local') rows"

# --- bytes per flow ---------------------------------------------------------
q1 "OPTIMIZE TABLE flows FINAL" >/dev/null 2>&1
q1 "OPTIMIZE TABLE diy FINAL" >/dev/null 2>&1
say ""
for t in flows diy; do
    b=$(q1 "SELECT sum(data_compressed_bytes) FROM system.parts WHERE table = '$t' AND active")
    say "$(printf 'ClickHouse table %-6s %12s bytes on disk, %6.1f bytes per flow' "$t" "$b" "$(awk -v b="$b" -v n="$N" 'BEGIN { print b / n }')")"
done
fb=$(stat -c %s "$F")
say "$(printf 'ftkit file (v5, zlib 6)  %12s bytes,         %6.1f bytes per flow' "$fb" "$(awk -v b="$fb" -v n="$N" 'BEGIN { print b / n }')")"
say ""
ge1=$(awk -v a="$DIY_WALL" -v b="$FT_WALL" 'BEGIN { print (b <= a) ? 1 : 0 }')
lt1=$(awk -v a="$DIY_CPU" -v b="$FT_CPU" 'BEGIN { print (b < a) ? 1 : 0 }')
[ "$ge1" = 1 ] && say "PASS  load at least as fast as the DIY path ($FT_WALL s vs $DIY_WALL s)" ||
    say "MISS  load at least as fast as the DIY path ($FT_WALL s vs $DIY_WALL s)"
[ "$lt1" = 1 ] && say "PASS  less CPU than the DIY path, client + server ($FT_CPU s vs $DIY_CPU s)" ||
    say "MISS  less CPU than the DIY path, client + server ($FT_CPU s vs $DIY_CPU s)"
