# bench/report-ch.sh - the ClickHouse part of bench/report.sh (sourced, not run).
#
# Debian's clickhouse-server (18.16), started as a daemon with a config of our
# own under WORK/ch (no systemd), loaded once with the same flows as F
# (flow-print -f csv into a staging table, then into a MergeTree table with
# addresses as UInt32), and asked the same top-10 as flow-report.  The load is
# kept for later runs while the table holds N flows.
# Expects B, F, N, WORK, RUNS, RES, CH (0: skip), CH_PORT, FT_TOTALS.

CHD=$WORK/ch
CH_NOTE=""      # why there is no ClickHouse figure, when there is none

# The server itself is tests/lib.sh's ch_server_start (shared with the tests).
. "$TOP/tests/lib.sh"

chq() { clickhouse-client --port "$CH_PORT" --query "$1"; }

# Start the server; CH_PID is its pid.  Bounded: 30 s for SELECT 1.
ch_start() {
    if ! ch_server_start "$CHD" "$CH_PORT" "$((CH_PORT + 1))"; then
        CH_NOTE="clickhouse-server did not start or answer SELECT 1 within 30 s (see $CHD/log)"
        return 1
    fi
    CH_PID=$(cat "$CHD/pid")
}

# Load F into flows_N unless it is there already with the same totals.
ch_load() {
    T=flows_$N
    have=$(chq "SELECT count(), sum(packets), sum(octets) FROM $T" 2>/dev/null | tr '\t' ' ')
    [ "$have" = "$FT_TOTALS" ] && { say "  $T already holds the same flows: $have"; return 0; }
    say "  loading $N flows: flow-print -f csv | clickhouse-client INSERT (staging), then into MergeTree"
    chq "DROP TABLE IF EXISTS $T" && chq "DROP TABLE IF EXISTS stage_$N" &&
    chq "CREATE TABLE stage_$N (srcaddr String, dstaddr String, srcport UInt16, dstport UInt16,
            prot UInt8, packets UInt64, octets UInt64) ENGINE = Log" &&
    chq "CREATE TABLE $T (srcaddr UInt32, dstaddr UInt32, srcport UInt16, dstport UInt16,
            prot UInt8, packets UInt64, octets UInt64) ENGINE = MergeTree() ORDER BY tuple()" ||
        { CH_NOTE="cannot create the tables"; return 1; }
    t0=$(now_ns)
    "$B/flow-print" -f csv < "$F" | awk -F, -v OFS=, '
        NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; p = ("prot" in c) ? c["prot"] : c["proto"]; next }
        { print $c["srcaddr"], $c["dstaddr"], $c["srcport"], $c["dstport"], $p, $c["packets"], $c["octets"] }' |
        clickhouse-client --port "$CH_PORT" --query "INSERT INTO stage_$N FORMAT CSV" &&
    chq "INSERT INTO $T SELECT IPv4StringToNum(srcaddr), IPv4StringToNum(dstaddr), srcport, dstport,
            prot, packets, octets FROM stage_$N" &&
    chq "OPTIMIZE TABLE $T FINAL" && chq "DROP TABLE stage_$N" ||
        { CH_NOTE="the load failed"; return 1; }
    t1=$(now_ns)
    say "  loaded in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s"
    have=$(chq "SELECT count(), sum(packets), sum(octets) FROM $T" | tr '\t' ' ')
    [ "$have" = "$FT_TOTALS" ] || { CH_NOTE="ClickHouse holds $have, not $FT_TOTALS"; return 1; }
}

ch_section() {
    say ""
    say "(b') the same top-10s in ClickHouse (clickhouse-server 18.16, same machine)"
    if [ "$CH" = 0 ]; then CH_NOTE="left out (CH=0)"; say "  $CH_NOTE"; return; fi
    if ! command -v clickhouse-server > /dev/null 2>&1; then
        ( need clickhouse-server clickhouse-server && need clickhouse-client clickhouse-client ) ||
            { CH_NOTE="clickhouse-server would not install"; say "  $CH_NOTE"; return; }
    fi
    ch_start || { say "  $CH_NOTE"; return; }
    if ch_load; then
        say "  $(chq "SELECT count() FROM flows_$N") rows, $(chq "SELECT sum(data_compressed_bytes) FROM system.parts WHERE table = 'flows_$N' AND active") bytes compressed on disk"
        timed ch_src "clickhouse-client --port $CH_PORT --query 'SELECT srcaddr, sum(octets) AS o FROM flows_$N GROUP BY srcaddr ORDER BY o DESC LIMIT 10' > /dev/null"
        timed ch_port "clickhouse-client --port $CH_PORT --query 'SELECT dstport, sum(octets) AS o FROM flows_$N GROUP BY dstport ORDER BY o DESC LIMIT 10' > /dev/null"
        timed ch_client "clickhouse-client --port $CH_PORT --query 'SELECT 1' > /dev/null"
    else
        say "  $CH_NOTE"
    fi
    stop_daemon "$CH_PID"
}

ch_verdicts() {
    if [ -n "$CH_NOTE" ]; then
        say "MISS  top-10 reports within 1.5x of ClickHouse: no ClickHouse figure: $CH_NOTE"
        return
    fi
    for fmt in zstd z0; do
        vs_verdict "top-10 source addresses on $fmt within 1.5x of ClickHouse" b_rep_src_$fmt ch_src within 1.5
        vs_verdict "top-10 destination ports on $fmt within 1.5x of ClickHouse" b_rep_port_$fmt ch_port within 1.5
    done
    say "  (ClickHouse times are clickhouse-client's wall time; SELECT 1 alone takes $(get ch_client) s)"
}
