#!/bin/sh
# Scenario tests of flow-export and flow-import.
#
#   tests/export.sh BUILD_DIR
#
# Round trips through every format for every record version of the compat
# inputs (export then import gives the same records: CSV, JSON and pcap all
# fields, wire all but the exporter address it does not carry, cflowd the
# same cflowd bytes again); tshark reads the pcap export and finds the
# flows flow-export -f 2 lists, with good IPv4 and UDP checksums; damaged
# input (truncated cflowd records, CSV lines, wire datagrams, pcap frames,
# a damaged stream) stops with a message naming the input and the place and
# a nonzero status, the flows before it kept; bad options.
set -u
build=$(cd "${1:?usage: export.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
shared=${FTKIT_SHARED:-$here/../../shared}
compat=$(cd "$shared/compat" && pwd)
in=$compat/inputs
fe=$build/flow-export
fi_=$build/flow-import
fp=$build/flow-print
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC LC_ALL=C FTKIT_SYMDIR="$compat/sym"

. "$here/lib.sh"

for p in "$fe" "$fi_" "$fp"; do
    [ -x "$p" ] || give_up export "export: $p not built"
done

# csv FILE: the stream's flows as CSV (every field), to compare
csv() { "$fe" -f 2 <"$1" 2>/dev/null; }

# ---- round trips ------------------------------------------------------------
for v in 1 5 6 7 8.1 8.2 8.3 8.4 8.5 8.6 8.7 8.8 8.9 8.10 8.11 8.12 8.13 8.14; do
    src=$in/v$v.ft
    [ -f "$src" ] || src=$in/gen/v$v.ft
    csv "$src" >"$tmp/want.csv"
    for f in 2 json 1; do
        "$fe" -f $f <"$src" 2>/dev/null | "$fi_" -f $f -V $v >"$tmp/back.ft" 2>/dev/null
        csv "$tmp/back.ft" >"$tmp/got.csv"
        check "v$v -f $f: export, import: the same records" cmp -s "$tmp/want.csv" "$tmp/got.csv"
    done
    "$fe" -f 4 <"$src" 2>/dev/null | "$fi_" -f 4 -V $v >"$tmp/back.ft" 2>/dev/null
    check "v$v -f 4: the same records but the exporter address" sh -c \
        "cut -d, -f1-3,5- '$tmp/want.csv' >'$tmp/w4'; csv() { '$fe' -f 2 <\"\$1\" 2>/dev/null; };
         csv '$tmp/back.ft' | cut -d, -f1-3,5- | cmp -s - '$tmp/w4' &&
         csv '$tmp/back.ft' | sed 1d | cut -d, -f4 | sort -u | grep -qx 0.0.0.0"
    "$fe" -f 0 <"$src" >"$tmp/a.cf" 2>/dev/null
    "$fi_" -f 0 -V $v <"$tmp/a.cf" >"$tmp/back.ft" 2>/dev/null
    check "v$v -f 0: cflowd import exits 255 (flow-tools' status)" test $? = 255
    check "v$v -f 0: the cflowd export of the import is the export" sh -c \
        "'$fe' -f 0 <'$tmp/back.ft' 2>/dev/null | cmp -s - '$tmp/a.cf'"
done
# flows of several exporters: pcap keeps each flow's exporter
# flows of several exporters: every third one from 192.0.2.7
awk -F, 'NR > 1 && NR % 3 == 0 { OFS = ","; $4 = "192.0.2.7" } { print }' "$in/v5.csv" |
    "$fi_" -f 2 -V 5 >"$tmp/mixed.ft" 2>/dev/null
csv "$tmp/mixed.ft" >"$tmp/want.csv"
"$fe" -f 1 <"$tmp/mixed.ft" 2>/dev/null | "$fi_" -f 1 -V 5 2>/dev/null | csv /dev/stdin >"$tmp/got.csv"
check "pcap: flows of two exporters keep their exporters" cmp -s "$tmp/want.csv" "$tmp/got.csv"
check "  (the input has two exporters)" test "$(sed 1d "$tmp/want.csv" | cut -d, -f4 | sort -u | wc -l)" -ge 2

# JSON lines: flow-print -f json's line, read back
"$fe" -f json <"$in/v5.ft" >"$tmp/fe.json" 2>/dev/null
"$fp" -f json <"$in/v5.ft" >"$tmp/fp.json" 2>/dev/null
check "-f json is flow-print -f json" cmp -s "$tmp/fe.json" "$tmp/fp.json"
check "-f json -m: the fields asked for" sh -c \
    "'$fe' -f json -m srcaddr,dstaddr <'$in/v5.ft' 2>/dev/null | head -1 |
     grep -qx '{\"srcaddr\":\"172.16.35.15\",\"dstaddr\":\"198.19.0.53\"}'"
# CSV with -m, read back by its header into another version
"$fe" -f 2 -m dpkts,doctets,srcaddr <"$in/v5.ft" 2>/dev/null | "$fi_" -f 2 -V 7 >"$tmp/m.ft" 2>/dev/null
check "-m columns read back by their header" sh -c \
    "'$fe' -f 2 -m dpkts,doctets,srcaddr <'$tmp/m.ft' 2>/dev/null | cmp -s - \
     \"\$('$fe' -f 2 -m dpkts,doctets,srcaddr <'$in/v5.ft' >'$tmp/m.csv' 2>/dev/null; echo '$tmp/m.csv')\""

# ---- tshark reads the pcap -----------------------------------------------------
if command -v tshark >/dev/null 2>&1; then
    port=9991
    for v in 5 7 8.5; do
        "$fe" -f 1 <"$in/v$v.ft" >"$tmp/x.pcap" 2>/dev/null
        tshark -r "$tmp/x.pcap" -d udp.port==$port,cflow -o ip.check_checksum:TRUE \
            -o udp.check_checksum:TRUE -T fields -e ip.checksum.status \
            -e udp.checksum.status -e cflow.packets -e cflow.octets 2>/dev/null >"$tmp/ts"
        check "tshark v$v: every IPv4 and UDP checksum good" sh -c \
            "test -s '$tmp/ts' && ! cut -f1,2 '$tmp/ts' | grep -qv '^1	1\$'"
        # one line per flow: packets,octets in the order of the datagrams
        python3 -c '
import sys
for line in open(sys.argv[1]):
    c = line.rstrip("\n").split("\t")
    for p, o in zip(c[2].split(","), c[3].split(",")):
        print(p + "," + o)' "$tmp/ts" >"$tmp/ts.csv"
        "$fe" -f 2 -m dpkts,doctets <"$in/v$v.ft" 2>/dev/null | sed 1d >"$tmp/fe.csv"
        check "tshark v$v: the flows of flow-export -f 2 (packets, octets)" \
            cmp -s "$tmp/ts.csv" "$tmp/fe.csv"
    done
    "$fe" -f 1 <"$in/v5.ft" >"$tmp/x.pcap" 2>/dev/null
    tshark -r "$tmp/x.pcap" -d udp.port==$port,cflow -T fields -e cflow.srcaddr \
        -e cflow.dstaddr 2>/dev/null | python3 -c '
import sys
for line in sys.stdin:
    s, d = line.rstrip("\n").split("\t")
    for a, b in zip(s.split(","), d.split(",")):
        print(a + "," + b)' >"$tmp/ts.csv"
    "$fe" -f 2 -m srcaddr,dstaddr <"$in/v5.ft" 2>/dev/null | sed 1d >"$tmp/fe.csv"
    check "tshark v5: the addresses of flow-export -f 2" cmp -s "$tmp/ts.csv" "$tmp/fe.csv"
else
    fail "tshark is not installed"
fi

# ---- bad input ------------------------------------------------------------------
# run WANT_STATUS CMD...: stdout to $tmp/out, stderr to $tmp/err
run() { want=$1; shift; "$@" >"$tmp/out" 2>"$tmp/err"; [ $? = "$want" ]; }
count() { "$fp" -f 5 <"$1" 2>/dev/null | grep -c '^0314'; }

"$fe" -f 0 <"$in/v5.ft" 2>/dev/null | head -c 1000 >"$tmp/cut.cf"    # 18 records and 10 bytes
check "truncated cflowd: exit 1" run 1 "$fi_" -f 0 -V 5 <"$tmp/cut.cf"
check "  message names the record and byte" \
    grep -qx 'flow-import: stdin record 19 at byte 990: truncated record' "$tmp/err"
check "  the 18 records before it kept" test "$(count "$tmp/out")" = 18

"$fe" -f 2 <"$in/v5.ft" 2>/dev/null | head -c 2000 >"$tmp/cut.csv"
check "truncated CSV line: exit 1" run 1 "$fi_" -f 2 -V 5 <"$tmp/cut.csv"
check "  message names the line" grep -qx 'flow-import: stdin line 14: 8 values, expected 24' "$tmp/err"
check "  the 12 records before it kept" test "$(count "$tmp/out")" = 12
printf '#:srcaddr,dpkts\n10.0.0.1,x\n' >"$tmp/bad.csv"
check "bad CSV value: exit 1" run 1 "$fi_" -f 2 -V 5 <"$tmp/bad.csv"
check "  message names line, field and value" \
    grep -qx 'flow-import: stdin line 2: bad dpkts "x"' "$tmp/err"
printf '{"srcaddr":"10.0.0.1","bogus":1}\n' >"$tmp/bad.json"
check "unknown JSON key: exit 1" run 1 "$fi_" -f json -V 5 <"$tmp/bad.json"
check "  message names line and key" grep -qx 'flow-import: stdin line 1: unknown key "bogus"' "$tmp/err"

"$fe" -f 4 <"$in/v5.ft" 2>/dev/null | head -c 3000 >"$tmp/cut.wire"
check "truncated wire datagram: exit 1" run 1 "$fi_" -f 4 -V 5 <"$tmp/cut.wire"
check "  message names the byte" \
    grep -qx 'flow-import: stdin datagram at byte 2928: truncated: bytes 72' "$tmp/err"
check "  the two datagrams before it kept" test "$(count "$tmp/out")" = 60
"$fe" -f 1 <"$in/v5.ft" 2>/dev/null | head -c 4000 >"$tmp/cut.pcap"
check "truncated pcap frame: exit 1" run 1 "$fi_" -f 1 -V 5 <"$tmp/cut.pcap"
check "  message names the frame" grep -q '^flow-import: stdin frame 3 at byte ' "$tmp/err"
check "not a pcap: exit 1, said" sh -c \
    "! '$fi_' -f 1 -V 5 <'$in/v5.csv' 2>'$tmp/err' >/dev/null &&
     grep -qx 'flow-import: stdin: not a pcap file' '$tmp/err'"

head -c 5000 "$in/v5.ft" >"$tmp/cut.ft"
check "damaged stream: flow-export exits 1" run 1 "$fe" -f 2 <"$tmp/cut.ft"
check "  the flows before the damage written" test "$(sed 1d "$tmp/out" | wc -l)" -gt 50
check "damaged stream -f 4: what was held is written" sh -c \
    "'$fe' -f 4 <'$tmp/cut.ft' 2>/dev/null | '$fi_' -f 4 -V 5 2>/dev/null |
     '$fp' -f 5 | grep -c '^0314' | grep -qx \"\$(sed 1d '$tmp/out' | wc -l)\""

# ---- options ---------------------------------------------------------------------
check "flow-export -h exits 0" run 0 "$fe" -h
check "flow-import -h exits 0" run 0 "$fi_" -h
check "flow-export -f 6: exit 1" run 1 "$fe" -f 6 <"$in/v5.ft"
check "flow-export -f 3: a warning, exit 0, nothing written" sh -c \
    "'$fe' -f 3 <'$in/v5.ft' >'$tmp/out' 2>'$tmp/err' && test ! -s '$tmp/out' &&
     grep -q 'MySQL export is not supported' '$tmp/err'"
check "flow-export -m out of order: exit 1, said" sh -c \
    "! '$fe' -f 2 -m dstaddr,srcaddr <'$in/v5.ft' 2>'$tmp/err' >/dev/null &&
     grep -q 'field \"srcaddr\" out of order' '$tmp/err'"
check "flow-export -m unknown field: exit 1" run 1 "$fe" -f 2 -m srcaddr,nosuch <"$in/v5.ft"
check "flow-export extra argument: exit 1" run 1 "$fe" -f 2 extra <"$in/v5.ft"
check "flow-import -f 3 (NFCollector): exit 1, said" sh -c \
    "! '$fi_' -f 3 -V 5 </dev/null 2>'$tmp/err' >/dev/null &&
     grep -qx 'flow-import: Cisco NFCollector import is not supported' '$tmp/err'"
check "flow-import without -V: exit 1" run 1 "$fi_" -f 2 <"$in/v5.csv"
check "flow-import -V 9: exit 1" run 1 "$fi_" -f 2 -V 9 <"$in/v5.csv"
check "flow-export -f 4 of the extended format: refused" sh -c \
    "'$build/flow-gen' -V extended -n 5 2>/dev/null | '$fe' -f 4 >/dev/null 2>'$tmp/err';
     test \$? = 1 && grep -q 'export them as pcap' '$tmp/err'"
check "extended format round trip through pcap (v9) and JSON" sh -c \
    "'$build/flow-gen' -V extended -n 50 >'$tmp/x.ft' 2>/dev/null &&
     '$fe' -f json <'$tmp/x.ft' 2>/dev/null | '$fi_' -f json -V extended 2>/dev/null |
       '$fe' -f json 2>/dev/null | cmp -s - \"\$('$fe' -f json <'$tmp/x.ft' >'$tmp/x.json' 2>/dev/null; echo '$tmp/x.json')\" &&
     '$fe' -f 1 <'$tmp/x.ft' 2>/dev/null | '$fi_' -f 1 -V extended 2>/dev/null |
       '$fe' -f 2 -m srcaddr,dstaddr,dpkts 2>/dev/null | cmp -s - \"\$('$fe' -f 2 -m srcaddr,dstaddr,dpkts <'$tmp/x.ft' >'$tmp/x.csv' 2>/dev/null; echo '$tmp/x.csv')\""

finish export
