#!/bin/sh
# exporter-settings.sh BUILD_DIR - per-exporter settings (flow-receive -k,
# ftkit-exporters(5)) on real captures and on a hand-made v5 datagram.
#
# Every expectation is computed from a run without settings or from the
# bytes written into the hand-made capture:
#   - nfv5.pcap (v5, header says 0): sampling override, scale (packets and
#     octets times the interval), swap-interfaces, uptime-seconds;
#   - samplingrate.pcap (v9, 2048 from options data): sampling override,
#     fallback-sampling keeps the exported rate, `any scale` scales by it;
#   - a v5 datagram with a zero packet count and uptimes in seconds:
#     zero-packets, uptime-seconds, receive-time (the pcap's own timestamp);
#   - the counters of -d, and the errors of bad settings files.
# Prints one line per check and "exporter-settings: N passed, M failed".

build=${1:-.}
here=$(cd "$(dirname "$0")" && pwd)
shared=${FTKIT_SHARED:-$here/../../shared}
caps=$shared/captures/akvorado
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$here/lib.sh"
ok_pad='   '

tool() {
    for d in capture print .; do
        [ -x "$build/$d/$1" ] && { echo "$build/$d/$1"; return; }
    done
    echo "$build/$1"
}
receive=$(tool flow-receive)
print=$(tool flow-print)
capture=$(tool flow-capture)
fanout=$(tool flow-fanout)
send=$(tool flow-send)
cat=$(tool flow-cat)

# csv CONF PCAP OUT [FLOW-RECEIVE OPTIONS]: the flows as CSV; CONF "-" = none.
csv() {
    conf=$1 pcap=$2 out=$3; shift 3
    if [ "$conf" = - ]; then
        "$receive" "$@" -r "$pcap" 2>"$out.err" | "$print" -f csv >"$out"
    else
        "$receive" -k "$conf" "$@" -r "$pcap" 2>"$out.err" | "$print" -f csv >"$out"
    fi
}

# pairs A.csv B.csv CONDITIONS: every row of B against the same row of A.
# CONDITIONS are "b.COL = TERM [OP TERM]" separated by ';', where a TERM is
# a.COL (A's value), b.COL (B's) or a number, and OP is *, + or -.  True
# when both files have the same number (> 0) of rows and every row holds.
pairs() {
    awk -F, -v conds="$3" '
        FNR == 1 { for (i = 1; i <= NF; i++) name[i] = $i; next }
        FILENAME == ARGV[1] { rows_a++; for (i = 1; i <= NF; i++) A[FNR, name[i]] = $i; next }
        {
            rows_b++
            for (i = 1; i <= NF; i++) { b[name[i]] = $i; a[name[i]] = A[FNR, name[i]] }
            if (!holds()) { bad++; if (bad == 1) print "  first bad row " FNR ": " $0 }
        }
        function holds(   n, parts, i, f, r) {
            n = split(conds, parts, ";")
            for (i = 1; i <= n; i++) {
                split(parts[i], f, " ")
                r = value(f[3])
                if (f[4] == "*") r = r * value(f[5])
                if (f[4] == "+") r = r + value(f[5])
                if (f[4] == "-") r = r - value(f[5])
                if (value(f[1]) != r) return 0
            }
            return 1
        }
        function value(s) {
            if (s ~ /^b\./) return b[substr(s, 3)] + 0
            if (s ~ /^a\./) return a[substr(s, 3)] + 0
            return s + 0
        }
        END { exit !(rows_a > 0 && rows_a == rows_b && !bad) }
    ' "$1" "$2"
}

# column FILE NAME: the values of one column, one a line.
column() {
    awk -F, -v want="$2" 'FNR == 1 { for (i = 1; i <= NF; i++) if ($i == want) c = i; next }
                          { print $c }' "$1"
}

for f in "$receive" "$print" "$capture" "$fanout" "$send" "$cat" "$caps/nfv5.pcap" "$caps/merged/samplingrate.pcap"; do
    [ -e "$f" ] || give_up exporter-settings "missing $f"
done

# ---- v5: override, scale, swap-interfaces, uptime-seconds ----------------

nfv5=$caps/nfv5.pcap
csv - "$nfv5" "$tmp/v5.csv" -V extended
echo "exporter 10.19.144.41 sampling 100 scale quirks swap-interfaces" >"$tmp/a.conf"
csv "$tmp/a.conf" "$nfv5" "$tmp/v5a.csv" -V extended -d 1
check "v5 override: sampling_interval 100 on every flow" \
    pairs "$tmp/v5.csv" "$tmp/v5a.csv" "b.sampling_interval = 100"
check "v5 scale: packets and octets times 100" \
    pairs "$tmp/v5.csv" "$tmp/v5a.csv" "b.packets = a.packets * 100;b.octets = a.octets * 100"
check "v5 swap-interfaces" \
    pairs "$tmp/v5.csv" "$tmp/v5a.csv" "b.input = a.output;b.output = a.input"
check "v5 times untouched without a time quirk" \
    pairs "$tmp/v5.csv" "$tmp/v5a.csv" "b.start_ms = a.start_ms;b.end_ms = a.end_ms"
n=$(($(wc -l <"$tmp/v5.csv") - 1))
check "v5 -d counts $n scaled flows" \
    grep -q "settings_flows=$n sampling_set=$n scaled=$n swapped_interfaces=$n" "$tmp/v5a.csv.err"
# the same entry with CRLF line ends, tabs and comments longer than a line
printf '# %s\r\n\texporter\t10.19.144.41 sampling 100\tscale quirks swap-interfaces # %s\r\n' \
    "$(seq -s ' ' 300)" "$(seq -s ' ' 400)" >"$tmp/crlf.conf"
csv "$tmp/crlf.conf" "$nfv5" "$tmp/v5crlf.csv" -V extended
check "v5 settings with CRLF, tabs and long comments read alike" \
    cmp -s "$tmp/v5a.csv" "$tmp/v5crlf.csv"

# uptime-seconds: start = export time - (sysUptime - first) seconds.
echo "exporter 10.19.144.41 quirks uptime-seconds" >"$tmp/b.conf"
for fmt in extended 5; do
    csv "$tmp/b.conf" "$nfv5" "$tmp/v5b.csv" -V $fmt
    csv - "$nfv5" "$tmp/v5p.csv" -V $fmt
    check "v5 uptime-seconds (-V $fmt): times from uptimes in seconds" awk -F, '
        FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        FILENAME == ARGV[1] { s[FNR] = $c["unix_secs"] * 1000 + int($c["unix_nsecs"] / 1000000)
                              up[FNR] = $c["sys_uptime"]; fi[FNR] = $c["first"]
                              la[FNR] = $c["last"]; n1++; next }
        { n2++
          if ($c["start_ms"] != s[FNR] - (up[FNR] - fi[FNR]) * 1000 ||
              $c["end_ms"] != s[FNR] - (up[FNR] - la[FNR]) * 1000) bad++ }
        END { exit !(n1 > 0 && n1 == n2 && !bad) }' "$tmp/v5p.csv" "$tmp/v5b.csv"
done

# ---- v9 with the rate from options data ----------------------------------

v9=$caps/merged/samplingrate.pcap
csv - "$v9" "$tmp/v9.csv"
check "v9 reference run has the exporter's rate" \
    test "$(column "$tmp/v9.csv" sampling_interval | sort -u | tr -d '\n')" = 2048
echo "exporter 192.168.0.1 sampling 10" >"$tmp/c.conf"
csv "$tmp/c.conf" "$v9" "$tmp/v9c.csv"
check "v9 override replaces the options-data rate, counters kept" \
    pairs "$tmp/v9.csv" "$tmp/v9c.csv" "b.sampling_interval = 10;b.packets = a.packets"
echo "exporter 192.168.0.0/16 fallback-sampling 10" >"$tmp/d.conf"
csv "$tmp/d.conf" "$v9" "$tmp/v9d.csv"
check "v9 fallback-sampling keeps the exported rate" \
    pairs "$tmp/v9.csv" "$tmp/v9d.csv" "b.sampling_interval = a.sampling_interval"
printf '# every exporter\nexporter any scale\n' >"$tmp/e.conf"
csv "$tmp/e.conf" "$v9" "$tmp/v9e.csv"
check "v9 'any scale' multiplies by the exported rate" \
    pairs "$tmp/v9.csv" "$tmp/v9e.csv" \
    "b.packets = a.packets * a.sampling_interval;b.octets = a.octets * a.sampling_interval"
echo "exporter 192.168.0.2 scale" >"$tmp/f.conf"
csv "$tmp/f.conf" "$v9" "$tmp/v9f.csv"
check "v9 entry of another exporter changes nothing" cmp -s "$tmp/v9.csv" "$tmp/v9f.csv"

# ---- a hand-made v5 datagram: zero packets, uptimes in seconds -----------

# hex2bin HEX: the bytes (POSIX printf with octal escapes; no xxd needed).
hex2bin() {
    printf "$(printf '%s' "$1" | tr -d ' \n' | sed 's/../& /g' | awk '
        { for (i = 1; i <= NF; i++) printf "\\%03o", 16 * index("0123456789abcdef",
              substr($i, 1, 1)) - 16 + index("0123456789abcdef", substr($i, 2, 1)) - 1 }')"
}
# pcap (little-endian, Ethernet), one frame at 1700000100 s, 192.0.2.7:3000 ->
# 192.0.2.1:9991; v5 header: sysUptime 100000, unix_secs 1700000000, one
# record with 0 packets, 1500 octets, first 99970 and last 99990.
hex2bin "d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000000
         64f15365 00000000 72000000 72000000
         020000000001 020000000002 0800
         4500 0064 0000 0000 4011 0000 c0000207 c0000201
         0bb8 2707 0050 0000
         0005 0001 000186a0 6553f100 00000000 00000001 00 00 0000
         0a000001 0a000002 00000000 0003 0004 00000000 000005dc 00018682 00018696
         1f90 0050 00 00 06 00 0000 0000 00 00 0000" >"$tmp/zero.pcap"
csv - "$tmp/zero.pcap" "$tmp/z.csv" -V extended
check "hand-made datagram decodes with 0 packets" \
    test "$(column "$tmp/z.csv" packets)" = 0
echo "exporter 192.0.2.7 quirks zero-packets,uptime-seconds" >"$tmp/z.conf"
csv "$tmp/z.conf" "$tmp/zero.pcap" "$tmp/z1.csv" -V extended -d 1
check "zero-packets: 1 packet" test "$(column "$tmp/z1.csv" packets)" = 1
check "uptime-seconds: start 30 s before the export" \
    test "$(column "$tmp/z1.csv" start_ms)" = 1699999970000
check "uptime-seconds: end 10 s before the export" \
    test "$(column "$tmp/z1.csv" end_ms)" = 1699999990000
check "-d counts zero_packets and uptime_seconds" \
    grep -q "uptime_seconds=1 zero_packets=1" "$tmp/z1.csv.err"
echo "exporter 192.0.2.0/24 sampling 4 scale quirks zero-packets,uptime-seconds,receive-time" \
    >"$tmp/z2.conf"
csv "$tmp/z2.conf" "$tmp/zero.pcap" "$tmp/z2.csv" -V extended
check "receive-time: export time is the pcap timestamp" \
    test "$(column "$tmp/z2.csv" unix_secs)" = 1700000100
check "receive-time: start moved by 100 s" \
    test "$(column "$tmp/z2.csv" start_ms)" = 1700000070000
check "zero packet made 1, then scaled by 4" \
    test "$(column "$tmp/z2.csv" packets),$(column "$tmp/z2.csv" octets)" = 4,6000

# ---- flow-capture -k and flow-fanout -k ------------------------------------

printf 'exporter 10.19.144.41 scale\nexporter 10.19.144.42 samplng 10\n' >"$tmp/bad.conf"

# flow-capture reads the same capture (sent to UDP port 9990) into a file.
mkdir "$tmp/work"
"$capture" -D -k "$tmp/a.conf" -r "$nfv5" -V extended -N 0 -w "$tmp/work" 0/0/9990 \
    2>"$tmp/cap.err"
check "flow-capture -k: exit 0" test $? = 0
"$cat" "$tmp"/work/ft-* 2>/dev/null | "$print" -f csv >"$tmp/cap.csv"
check "flow-capture -k: override, scale and swap in the file" \
    pairs "$tmp/v5.csv" "$tmp/cap.csv" "b.sampling_interval = 100;b.packets = a.packets * 100;b.octets = a.octets * 100;b.input = a.output"
check "flow-capture -k: STAT line counts the scaled flows" \
    grep -q "exporter settings: settings_flows=$n sampling_set=$n scaled=$n" "$tmp/cap.err"
"$capture" -D -k "$tmp/bad.conf" -r "$nfv5" -w "$tmp/work" 0/0/9990 2>"$tmp/err"
check "flow-capture -k bad file: exit 1 naming line and word" \
    sh -c "test $? = 1 && grep -q 'bad.conf:2: \"samplng\"' '$tmp/err'"

# flow-fanout between flow-send and flow-receive on the loopback: the flows
# come from 127.0.0.1, are changed by the settings and encoded again.
"$receive" -r "$nfv5" >"$tmp/v5.ft" 2>/dev/null
echo "exporter 127.0.0.1 sampling 100 scale quirks swap-interfaces" >"$tmp/fan.conf"
fanout_run() {   # fanout_run PORT PORT: 0 when the flows went through
    pf=$1 pr=$2
    "$receive" -o "$tmp/fan.ft" "0/0/$pr" 2>"$tmp/fanr.err" &
    rpid=$!
    "$fanout" -D -d 1 -k "$tmp/fan.conf" "0/0/$pf" "0/127.0.0.1/$pr" 2>"$tmp/fan.err" &
    fpid=$!
    wait_for 5 grep -q "listening on port" "$tmp/fan.err"
    kill -0 $rpid 2>/dev/null && kill -0 $fpid 2>/dev/null &&
        "$send" -V 5 "0/127.0.0.1/$pf" <"$tmp/v5.ft" 2>/dev/null
    sleep 1
    kill -TERM $fpid $rpid 2>/dev/null
    wait $fpid $rpid 2>/dev/null
    test -s "$tmp/fan.ft" && "$print" -f csv <"$tmp/fan.ft" >"$tmp/fan.csv" 2>/dev/null &&
        test "$(wc -l <"$tmp/fan.csv")" -gt 1
}
# A port found free can be taken before the daemon binds it: a few tries.
fanout_run "$(free_port)" "$(free_port)" || fanout_run "$(free_port)" "$(free_port)" ||
    fanout_run "$(free_port)" "$(free_port)"
check "flow-fanout -k: scaled and swapped flows reach the destination" \
    pairs "$tmp/v5.csv" "$tmp/fan.csv" "b.packets = a.packets * 100;b.octets = a.octets * 100;b.input = a.output;b.output = a.input"
check "flow-fanout -k: STAT line counts the scaled flows" \
    grep -q "unspoofed=0 settings_flows=$n sampling_set=$n scaled=$n" "$tmp/fan.err"

# ---- bad settings files ---------------------------------------------------

"$receive" -k "$tmp/bad.conf" -r "$nfv5" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "bad settings file: exit 1" test $rc = 1
check "bad settings file: message names file, line and word" \
    grep -q "$tmp/bad.conf:2: \"samplng\": unknown setting" "$tmp/err"
check "bad settings file: no stream written" test ! -s "$tmp/out"
"$receive" -k "$tmp/none.conf" -r "$nfv5" >/dev/null 2>"$tmp/err"
rc=$?
check "missing settings file: exit 1 with its name" \
    sh -c "test $rc = 1 && grep -q '$tmp/none.conf' '$tmp/err'"

finish exporter-settings
