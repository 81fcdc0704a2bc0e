#!/bin/sh
# bench/report.sh [BUILD_DIR] - ftkit's reports against their limits, nfdump
# and ClickHouse, on the flows bench/run.sh uses (issue "Reports", section 5).
#
#   (a) top-10 source addresses and destination ports by octets (flow-report)
#       and flow-stat -f 9 / -f 5 on the zlib-6 file, against zlib inflating
#       that file alone (zlimit);
#   (b) the same top-10s on ftkit's fast formats (zstd, uncompressed) against
#       nfdump -s on its uncompressed file, flow-nfilter against nfdump's
#       filter on its LZ4 file, and the top-10 in ClickHouse;
#   (c) peak RSS per key of reports holding KEYS distinct keys;
#   (d) a day of 96 files through flow-cat DIR | flow-report, on both cores
#       and on one (taskset -c 0).
# Prints medians, ratios and PASS/MISS per target.  Not part of the test suite.
#
# Environment: N flows [10000000], RUNS per figure [3], WORK directory
# [/tmp/ftkit-bench, shared with bench/run.sh], PORT [29995], SEND_RATE
# [250000], KEYS distinct keys for (c) [10000000], CH=0 to leave ClickHouse
# out, CH_PORT first of its two ports [29123], REGEN=1 to make the data again.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(dirname "$HERE")
B=$(cd "${1:-$TOP/build-bench}" 2>/dev/null && pwd) || { echo "bench: no build directory ${1:-$TOP/build-bench}" >&2; exit 1; }
. "$HERE/common.sh"

file_bench_defaults     # N, RUNS, WORK, PORT, SEND_RATE
KEYS=${KEYS:-10000000}
CH=${CH:-1}
CH_PORT=${CH_PORT:-29123}
RES=$WORK/report-results.txt

for p in flow-gen flow-cat flow-print flow-send flow-report flow-stat flow-nfilter flow-split; do
    [ -x "$B/$p" ] || die "$B/$p is missing: build first (see bench/README.md)"
done
common_deps
need taskset util-linux
mkdir -p "$WORK/bin" || die "cannot create $WORK"
cc -O2 -o "$WORK/bin/zlimit" "$HERE/zlimit.c" -lz || die "cannot build zlimit"
: > "$RES"
: > "$RES.failed"

say "== ftkit reports: $N flows, median of $RUNS runs =="
describe_machine
bench_data

FR=$B/flow-report
FS=$B/flow-stat
FZ=$WORK/v5-$N.rep-zstd     # the fast formats, made by this build every run
F0=$WORK/v5-$N.rep-z0
"$B/flow-cat" -z zstd "$F" > "$FZ" || die "flow-cat -z zstd failed"
"$B/flow-cat" -z 0 "$F" > "$F0" || die "flow-cat -z 0 failed"
[ -s "$NF.y" ] || nfdump -r "$NF" -y -w "$NF.y" || die "nfdump -y failed"

# The reports: top 10 by octets.  The 5-tuple one (with ToS: flow-tools has
# no type without it) is only used for memory.
CFG=$WORK/report-stat.cfg
cat > "$CFG" <<'EOF'
stat-report srcaddr
  type ip-source-address
  output
    format ascii
    sort +octets
    records 10

stat-report dstport
  type ip-destination-port
  output
    format ascii
    sort +octets
    records 10

stat-report tuple
  type ip-source/destination-address/ip-protocol/ip-tos/ip-source/destination-port
  output
    format ascii
    sort +octets
    records 10

stat-definition srcaddr
  report srcaddr

stat-definition dstport
  report dstport

stat-definition tuple
  report tuple
EOF
FLT=$WORK/report-filter.cfg
cat > "$FLT" <<'EOF'
filter-primitive tcp
  type ip-protocol
  permit 6

filter-primitive https
  type ip-port
  permit 443

filter-definition web
  match ip-protocol tcp
  match ip-destination-port https
EOF
NF_FILTER='proto tcp and dst port 443'

cat "$F" "$FZ" "$F0" "$NF" "$NF.y" > /dev/null     # all in the page cache

say ""
say "(a) top-10 reports on the zlib-6 file, against inflating it alone"
timed a_limit "$WORK/bin/zlimit $F > /dev/null 2>&1"
timed a_rep_src "$FR -s $CFG -S srcaddr < $F > /dev/null"
timed a_rep_port "$FR -s $CFG -S dstport < $F > /dev/null"
timed a_stat9 "$FS -f 9 -S 2 < $F > /dev/null"
timed a_stat5 "$FS -f 5 -S 2 < $F > /dev/null"

say ""
say "(b) the fast formats against nfdump"
timed b_rep_src_zstd "$FR -s $CFG -S srcaddr < $FZ > /dev/null"
timed b_rep_src_z0 "$FR -s $CFG -S srcaddr < $F0 > /dev/null"
timed b_nf_src "nfdump -r $NF -s srcip/bytes -n 10 > /dev/null"
timed b_rep_port_zstd "$FR -s $CFG -S dstport < $FZ > /dev/null"
timed b_rep_port_z0 "$FR -s $CFG -S dstport < $F0 > /dev/null"
timed b_nf_port "nfdump -r $NF -s dstport/bytes -n 10 > /dev/null"
timed b_nfilter_zstd "$B/flow-nfilter -f $FLT -F web < $FZ > $WORK/out.tmp"
timed b_nfilter_z0 "$B/flow-nfilter -f $FLT -F web < $F0 > $WORK/out.tmp"
FT_KEPT=$(ftkit_totals "$WORK/out.tmp")
timed b_nf_filter "nfdump -r $NF.y -w $WORK/out.tmp '$NF_FILTER'"
NF_KEPT=$(nfdump_totals -r "$WORK/out.tmp")
say "  kept by flow-nfilter: $FT_KEPT; by nfdump: $NF_KEPT (flows packets octets)"
rm -f "$WORK/out.tmp"

. "$HERE/report-ch.sh"
ch_section

say ""
say "(c) peak RSS with $KEYS distinct keys (flow-gen counter flows: every address and port differs)"
# rss_row LABEL DEFINITION KEYS: peak RSS of flow-report alone, in bytes per key
rss_row() {
    "$B/flow-gen" -n "$3" -V 5 |
        /usr/bin/time -f %M -o "$WORK/rss.tmp" "$FR" -K "$(($3 + 1))" -s "$CFG" -S "$2" > /dev/null || {
        say "  (flow-report failed: $2)"
        say "$1" >> "$RES.failed"
    }
    kb=$(tail -1 "$WORK/rss.tmp")
    per=$(awk -v k="$kb" -v n="$3" 'BEGIN { printf "%.1f", k * 1024 / n }')
    say "$1 $per $kb" >> "$RES"
    printf '  %-44s %8d keys  peak RSS %9d KiB  %6.1f bytes/key\n' "$1" "$3" "$kb" "$per"
}
rss_row c_src_small srcaddr 1000
rss_row c_src srcaddr "$KEYS"
rss_row c_tuple tuple "$KEYS"

say ""
say "(d) a day in 96 files: flow-cat DIR | flow-report, both cores and one"
DAY=$WORK/day-$N
if [ "${REGEN:-0}" = 1 ] || [ "$(ls "$DAY" 2>/dev/null | wc -l)" != 96 ]; then
    rm -rf "$DAY" && mkdir -p "$DAY" || die "cannot create $DAY"
    say "  making $DAY: flow-gen -R -D 1d | flow-split -N $(((N + 95) / 96)) -z 6"
    "$B/flow-gen" -R -n "$N" -D 1d -V 5 |
        "$B/flow-split" -N $(((N + 95) / 96)) -z 6 -o "$DAY/ft-" || die "flow-split failed"
fi
say "  $(ls "$DAY" | wc -l) files, $(du -sm "$DAY" | cut -f1) MB"
timed d_two "$B/flow-cat $DAY | $FR -s $CFG -S srcaddr > /dev/null"
timed d_one "taskset -c 0 sh -c '$B/flow-cat $DAY | $FR -s $CFG -S srcaddr > /dev/null'"

# vs_verdict TEXT FTKIT_LABEL OTHER_LABEL faster|within X: ftkit at least X
# times faster than the other command, or within X times its time.
vs_verdict() {
    ft=$(get "$2") ot=$(get "$3")
    if [ "$4" = faster ]; then
        r=$(ratio "$ot" "$ft")
        ok=$(ge "$r" "$5")
    else
        r=$(ratio "$ft" "$ot")
        ok=$(le "$r" "$5")
    fi
    verdict "$1: $ft vs $ot s = ${r}x" "$ok" "$2" "$3"
}

# ---- summary -----------------------------------------------------------------
say ""
say "== summary: $N flows, medians of $RUNS runs =="
lim=$(getbest a_limit)
say "  inflate-only limit (best zlimit run): $lim s"
for k in a_rep_src a_rep_port a_stat9 a_stat5; do
    r=$(ratio "$(get $k)" "$lim")
    case $k in
    a_rep_src) what="flow-report top-10 source addresses" ;;
    a_rep_port) what="flow-report top-10 destination ports" ;;
    a_stat9) what="flow-stat -f 9 -S 2" ;;
    *) what="flow-stat -f 5 -S 2" ;;
    esac
    verdict "$what on zlib 6 within 1.2x of inflate-only: $(get $k) s = ${r}x (cpu $(getcpu $k) s)" "$(le "$r" 1.2)" a_limit $k
done
for fmt in zstd z0; do
    vs_verdict "top-10 source addresses on $fmt at least 3x faster than nfdump -s srcip/bytes" b_rep_src_$fmt b_nf_src faster 3
    vs_verdict "top-10 destination ports on $fmt at least 3x faster than nfdump -s dstport/bytes" b_rep_port_$fmt b_nf_port faster 3
    vs_verdict "flow-nfilter on $fmt at least 2x faster than nfdump's filter on LZ4" b_nfilter_$fmt b_nf_filter faster 2
done
ch_verdicts
for k in c_src c_tuple; do
    case $k in c_src) what="single-address report" max=64 ;; *) what="5-tuple report" max=96 ;; esac
    per=$(get $k)
    verdict "$what at most $max bytes per key with $KEYS keys: $per" "$(le "$per" $max)" $k
done
r=$(ratio "$(get d_one)" "$(get d_two)")
busy=$(ratio "$(getcpu d_two)" "$(get d_two)")
verdict "a day of 96 files at least 1.6x faster on both cores than on one: $(get d_two) vs $(get d_one) s = ${r}x (cores busy: ${busy})" "$(ge "$r" 1.6)" d_two d_one
say ""
say "raw figures: $RES"
