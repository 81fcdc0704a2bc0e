#!/bin/sh
# print.sh BUILD_DIR - flow-print and flow-header beyond the golden cases:
# option errors and exit statuses, damaged streams, write errors, the time
# zone, -l, symbol tables, and the shape of -f json / -f csv output.
# Prints one line per check and "print: N passed, M failed".
set -u
build=$(cd "${1:?usage: print.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
shared=$(cd "${FTKIT_SHARED:-$here/../../shared}" && pwd)
in=$shared/compat/inputs
fp=$build/flow-print
fh=$build/flow-header
[ -x "$fp" ] || fp=$build/print/flow-print
[ -x "$fh" ] || fh=$build/header/flow-header
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC LC_ALL=C FTKIT_SYMDIR=$shared/compat/sym

passed=0 failed=0
check() {   # check WHAT COND...: COND is a command that succeeds when all is well
    what=$1; shift
    if "$@"; then passed=$((passed + 1)); echo "ok   $what"
    else failed=$((failed + 1)); echo "FAIL $what"; fi
}
status() {  # status WANT CMD...: the exit status of CMD is WANT
    want=$1; shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    [ $? = "$want" ]
}

# ---- options ----------------------------------------------------------------
check "flow-print -h exits 0" status 0 "$fp" -h
check "flow-print -h: usage on stderr only" \
    sh -c "[ ! -s '$tmp/out' ] && grep -q '^Usage: flow-print' '$tmp/err'"
check "unknown option exits 1" status 1 "$fp" -q
check "exit 1: flow-print -f 25 <v5.ft" status 1 "$fp" -f 25 <"$in/v5.ft"
check "-f 25: exit 1, 'No such format, 25'" grep -qx 'flow-print: No such format, 25' "$tmp/err"
check "exit 1: flow-print -f xml <v5.ft" status 1 "$fp" -f xml <"$in/v5.ft"
check "-f xml: exit 1" grep -q 'No such format' "$tmp/err"
check "exit 1: flow-print -f 3 extra <v5.ft" status 1 "$fp" -f 3 extra <"$in/v5.ft"
check "extra argument: exit 1, message" grep -qx 'flow-print: Extra arguments starting with extra.' "$tmp/err"
check "exit 255: flow-print -f 24 <v5.ft" status 255 "$fp" -f 24 <"$in/v5.ft"
check "-f 24 on v5: exit 255, nothing printed" \
    sh -c "[ ! -s '$tmp/out' ] && grep -q 'missing required field' '$tmp/err'"
check "exit 1: flow-print </dev/null" status 1 "$fp" </dev/null
check "empty input: exit 1 with a message" grep -q '^flow-print: ' "$tmp/err"
check "exit 0: flow-header -h" status 0 "$fh" -h
check "flow-header -h exits 0" grep -q '^Usage: flow-header' "$tmp/err"
check "exit 1: flow-header extra <v5.ft" status 1 "$fh" extra <"$in/v5.ft"
check "flow-header extra argument: exit 1" grep -q 'Extra arguments starting with extra' "$tmp/err"

# ---- damaged streams and write errors ----------------------------------------
"$fp" -f 5 <"$in/v5_z.ft" >"$tmp/full"
head -c 3000 "$in/v5_z.ft" >"$tmp/cut.ft"
check "exit 1: flow-print -f 5 <cut.ft" status 1 "$fp" -f 5 <"$tmp/cut.ft"
n=$(wc -l <"$tmp/out")
check "truncated compressed stream: exit 1, reader's message" grep -q '^flow-print: stdin: ' "$tmp/err"
check "truncated compressed stream: flows before the damage printed ($n lines)" \
    sh -c "[ $n -gt 2 ] && head -n $n '$tmp/full' | cmp -s - '$tmp/out'"
hl=$(od -An -tu4 -j4 -N4 "$in/v5.ft" | tr -d ' ')
head -c $((hl + 64 * 10 + 20)) "$in/v5.ft" >"$tmp/cut5.ft"
check "exit 1: flow-print -f 3 <cut5.ft" status 1 "$fp" -f 3 <"$tmp/cut5.ft"
check "partial last record: 10 whole flows printed, exit 1" \
    sh -c "[ \$(wc -l <'$tmp/out') = 11 ] && grep -q 'byte offset' '$tmp/err'"
if [ -w /dev/full ]; then
    check "write error exits 1" status 1 sh -c "exec '$fp' <'$in/v5.ft' >/dev/full"
    check "write error: message" grep -q '^flow-print: write error' "$tmp/err"
fi

# ---- time zone, -l, symbols ----------------------------------------------------
first_times() { sed -n 3p | cut -c1-35; }
utc=$("$fp" -f 5 <"$in/v5.ft" | first_times)
ny=$(TZ=America/New_York "$fp" -f 5 <"$in/v5.ft" | first_times)
check "TZ=UTC times ($utc)" [ "$utc" = "0314.09:00:18.867 0314.09:00:18.878" ]
check "TZ=America/New_York is UTC-4 in March 2024 ($ny)" [ "$ny" = "0314.05:00:18.867 0314.05:00:18.878" ]
h=$(TZ=Asia/Kathmandu "$fh" <"$in/v5.ft" | grep 'capture start')
check "flow-header dates in the local zone ($h)" \
    sh -c "printf '%s' '$h' | grep -q '15:05:02 +0545'"
"$fp" -f 1 <"$in/v5.ft" >"$tmp/buffered"
"$fp" -l -f 1 <"$in/v5.ft" >"$tmp/unbuffered"
check "-l prints the same text" cmp -s "$tmp/buffered" "$tmp/unbuffered"
"$fp" -f 3 <"$in/v5.ft" >"$tmp/numbers"
FTKIT_SYMDIR=/nonexistent "$fp" -n -f 3 <"$in/v5.ft" >"$tmp/nosym" 2>"$tmp/err"
check "-n without symbol tables prints numbers" cmp -s "$tmp/numbers" "$tmp/nosym"
"$fp" -n -f 3 <"$in/v5.ft" >"$tmp/names"
check "-n with the tables prints names" grep -q ' https ' "$tmp/names"
"$fp" -p -c '%' -f 3 <"$in/v5.ft" >"$tmp/p"
check "-p -c %: header lines start with %, then the column header" \
    sh -c "sed -n 1p '$tmp/p' | grep -qx '%' && grep -q '^% mode:' '$tmp/p' && grep -q '^srcIP ' '$tmp/p'"

# ---- JSON and CSV --------------------------------------------------------------
for f in v5.ft v1005.ft v8.1.ft v7.ft crafted/sv1_v5.ft; do
    "$fp" -f json <"$in/$f" >"$tmp/json"
    "$fp" -f csv <"$in/$f" >"$tmp/csv"
    "$fp" -f 6 <"$in/$f" >"$tmp/f6" 2>/dev/null
    python3 - "$tmp/json" "$tmp/csv" >"$tmp/py" 2>&1 <<'PY'
import csv, json, sys
keys = ("exporter exporter_port version sequence source_id engine_type engine_id sys_uptime "
        "unix_secs unix_nsecs flowset_id srcaddr dstaddr nexthop bgp_nexthop srcport dstport "
        "icmp_type icmp_code proto tos tcp_flags input output packets octets time_base first "
        "last first_ns last_ns src_as dst_as src_mask dst_mask ip_version direction "
        "sampling_interval sampling_algorithm sampler_id").split()
extra = ("dflows peer_nexthop router_sc extra_pkts marked_tos in_encaps out_encaps src_tag "
         "dst_tag src_vlan dst_vlan flow_label start_ms end_ms").split()
rows = [json.loads(l, object_pairs_hook=list) for l in open(sys.argv[1])]
for r in rows:
    names = [k for k, _ in r]
    assert names[:len(keys)] == keys, names
    rest = names[len(keys):]
    assert rest == [k for k in extra if k in rest], rest
    d = dict(r)
    if d["time_base"] == "sysuptime_ms":
        st = d["unix_secs"] * 1000 + d["unix_nsecs"] // 1000000
        # absolute = export time - (uptime - first), within the 32-bit wrap
        back = (d["sys_uptime"] - d["first"]) % 2**32
        if back >= 2**31:
            back -= 2**32
        assert d["start_ms"] in (st - back, st + (d["first"] - d["sys_uptime"]) % 2**32), d
c = list(csv.reader(open(sys.argv[2])))
assert c[0] == keys + extra, c[0]
assert all(len(r) == len(c[0]) for r in c[1:])
assert len(c) - 1 == len(rows)
for r, j in zip(c[1:], rows):
    d = dict(j)
    for k, v in zip(c[0], r):
        want = d.get(k)
        assert v == ("" if want is None else str(want)), (k, v, want)
print(len(rows))
PY
    rc=$?
    check "$f: JSON keys in order, CSV the same cells ($(tail -1 "$tmp/py") flows)" [ $rc = 0 ]
    [ $rc = 0 ] || tail -3 "$tmp/py"
done

echo "print: $passed passed, $failed failed"
[ "$failed" = 0 ]
