#!/bin/sh
# Scenario tests of flow-sort (and the merge of its runs).
#
#   tests/sort.sh BUILD_DIR
#
# The sorted output is checked against an independent sort (Python's stable
# sort over flow-print -f csv of the input) for several keys, ties included
# (so stability is checked too), in memory and with -m small enough to force
# runs and several merge passes; the records are the input's bytes; v1005
# big-endian (flow-tools' layout) and extended records with IPv6 addresses;
# temporary files gone after a run and after a kill in the middle; bad keys,
# fields the records lack and an unusable temporary directory give a clear
# message and exit 1.
set -u
build=$(cd "${1:?usage: sort.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
shared=${FTKIT_SHARED:-$here/../../shared}
sort=$build/flow-sort
print=$build/flow-print
gen=$build/flow-gen
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
export TZ=UTC LC_ALL=C

. "$here/lib.sh"

for p in "$sort" "$print" "$gen"; do
    [ -x "$p" ] || give_up sort "sort: $p not built"
done
command -v python3 >/dev/null 2>&1 || give_up sort "sort: python3 is missing"

# The reference: rows of flow-print -f csv sorted stably by KEYS (JSON keys,
# '-' descending), addresses by family then value, empty as 0.
cat >"$tmp/ref.py" <<'EOF'
import csv, ipaddress, sys
keys = [k for k in sys.argv[1].replace(',', ' ').split()]
rows = list(csv.reader(sys.stdin))
head, body = rows[0], rows[1:]
def val(s):
    if s == '':
        return (0, 0)
    try:
        return (0, int(s))
    except ValueError:
        a = ipaddress.ip_address(s)
        return (a.version, int(a))
# Stable sort, last key first: each pass keeps the order of the ones before.
for k in reversed(keys):
    desc = k.startswith('-')
    col = head.index(k.lstrip('+-'))
    body.sort(key=lambda r: val(r[col]), reverse=desc)
w = csv.writer(sys.stdout, lineterminator='\n')
w.writerow(head)
w.writerows(body)
EOF

# check_sort NAME INPUT KEYS [OPTIONS...]: flow-sort's order is the reference's.
check_sort() {
    name=$1 in=$2 keys=$3
    shift 3
    "$print" -f csv <"$in" | python3 "$tmp/ref.py" "$keys" >"$tmp/want.csv"
    "$sort" -k "$keys" -T "$tmp/t" "$@" <"$in" >"$tmp/got.ft" 2>"$tmp/err"; rc=$?
    if [ "$rc" != 0 ]; then
        fail "$name" "exit $rc: $(head -c 200 "$tmp/err")"
    elif ! "$print" -f csv <"$tmp/got.ft" | cmp -s - "$tmp/want.csv"; then
        fail "$name" "order differs from the reference sort"
    elif [ -n "$(ls -A "$tmp/t")" ]; then
        fail "$name" "temporary files left: $(ls "$tmp/t" | head -3)"
    else
        ok "$name"
    fi
}
mkdir "$tmp/t"

v5=$tmp/v5.ft
"$gen" -R -n 20000 -V 5 >"$v5" || give_up sort "sort: flow-gen failed"
for keys in octets -octets dstport,-octets proto srcaddr,dstaddr,srcport \
            -proto,packets,-dstaddr input,output,-start_ms; do
    check_sort "v5 by $keys, in memory" "$v5" "$keys"
    check_sort "v5 by $keys, -m 64K (runs, merge passes)" "$v5" "$keys" -m 64K
done
check_sort "v5 by octets, runs compressed with zstd" "$v5" octets -m 256K -Z zstd
check_sort "v5 by dstport, runs compressed with zlib" "$v5" dstport -m 256K -Z 1

# Several merge passes happen, and -d says so.
"$gen" -R -n 100000 -V 5 -s 2 >"$tmp/v5big.ft"
check_sort "100000 v5 flows by proto,-octets, -m 64K" "$tmp/v5big.ft" proto,-octets -m 64K
"$sort" -d 1 -k proto -m 64K -T "$tmp/t" <"$tmp/v5big.ft" >/dev/null 2>"$tmp/err"
check "-m 64K: runs and more than one merge pass" \
    grep -Eq 'records sorted by \+prot; [0-9]+ runs .* [2-9] merge passes' "$tmp/err"

# The same bytes: sorted records and input records are the same multiset.
"$sort" -z 0 -k -octets <"$v5" >"$tmp/s.ft"
check "records are the input's records" sh -c \
    "'$print' -f csv <'$v5' | sort >'$tmp/a'; '$print' -f csv <'$tmp/s.ft' | sort | cmp -s - '$tmp/a'"
check_eq "output is as long as the input (uncompressed)" \
    "$(wc -c <"$tmp/s.ft" | tr -d ' ')" "$(wc -c <"$v5" | tr -d ' ')"

# Other formats: v1005 big-endian in flow-tools' layout (compressed), and
# extended records with IPv6 addresses.
big=$shared/compat/inputs/v1005_big_z.ft
if [ -f "$big" ]; then
    check_sort "v1005 big-endian by src_tag,-octets" "$big" src_tag,-octets
    check_sort "v1005 big-endian by dst_tag, -m 64K" "$big" dst_tag -m 64K
else
    fail "v1005 input" "$big missing (FTKIT_SHARED)"
fi
ext=$tmp/ext.ft
"$gen" -R -n 5000 -V extended -6 50 >"$ext"
check_sort "extended (IPv6) by srcaddr,-octets" "$ext" srcaddr,-octets
check_sort "extended (IPv6) by -dstaddr, -m 64K" "$ext" -dstaddr -m 64K

# ---- temporary files after a kill ---------------------------------------
# flow-sort reads from a pipe held open, spills runs, and is killed: its
# runs were unlinked as soon as they existed, so the directory stays empty.
for sig in TERM KILL; do
    rm -rf "$tmp/k"; mkdir "$tmp/k"
    mkfifo "$tmp/fifo"
    "$sort" -k octets -m 64K -T "$tmp/k" <"$tmp/fifo" >/dev/null 2>&1 &
    pid=$!
    exec 3>"$tmp/fifo"
    cat "$v5" >&3
    # runs exist while it waits for more input: open deleted files
    deleted() { ls -l "/proc/$pid/fd" 2>/dev/null | grep -q "$tmp/k/ftkit-sort-.*(deleted)"; }
    if wait_for 10 deleted; then
        ok "SIG$sig: runs open while sorting"
    else
        fail "SIG$sig: runs open while sorting" "no deleted temporary file open"
    fi
    check_eq "SIG$sig: no file visible while sorting" "$(ls -A "$tmp/k")" ""
    kill -$sig "$pid"
    wait_exit
    exec 3>&-
    rm -f "$tmp/fifo"
    check_eq "SIG$sig: temporary directory empty afterwards" "$(ls -A "$tmp/k")" ""
done

# ---- bad input -------------------------------------------------------------
"$sort" -k nosuchfield <"$v5" >/dev/null 2>"$tmp/err"; rc=$?
check_eq "unknown field: exit 1" "$rc" 1
check "unknown field: message names it" \
    grep -qx 'flow-sort: unknown sort field "nosuchfield"' "$tmp/err"
"$sort" -k octets,+,dstport <"$v5" >/dev/null 2>"$tmp/err"; rc=$?
check_eq "bare '+': exit 1" "$rc" 1
"$sort" -k src_tag <"$v5" >/dev/null 2>"$tmp/err"; rc=$?
check_eq "field v5 lacks: exit 1" "$rc" 1
check "field v5 lacks: message" grep -qx 'flow-sort: v5 records have no field src_tag' "$tmp/err"
"$sort" <"$v5" >/dev/null 2>"$tmp/err"; rc=$?
check_eq "no key: exit 1" "$rc" 1
"$sort" -k octets extra <"$v5" >/dev/null 2>"$tmp/err"; rc=$?
check_eq "extra argument: exit 1" "$rc" 1
check "extra argument: message" grep -qx 'flow-sort: Extra arguments starting with extra.' "$tmp/err"
"$sort" -k octets -m 1 <"$v5" >/dev/null 2>"$tmp/err"; rc=$?
check_eq "-m too small: exit 1" "$rc" 1
"$sort" -k octets -m 64K -T "$tmp/nonexistent" <"$v5" >/dev/null 2>"$tmp/err"; rc=$?
check_eq "temporary directory missing: exit 1" "$rc" 1
check "temporary directory missing: message names it" \
    grep -q "flow-sort: $tmp/nonexistent/ftkit-sort-.*: cannot make a temporary file" "$tmp/err"
head -c 100000 "$v5" >"$tmp/cut.ft"
"$sort" -k octets <"$tmp/cut.ft" >"$tmp/out.ft" 2>"$tmp/err"; rc=$?
check_eq "truncated input: exit 1" "$rc" 1
check_eq "truncated input: the whole records before the damage are written" \
    "$("$print" -f csv <"$tmp/out.ft" | tail -n +2 | wc -l | tr -d ' ')" "$(( (100000 - $(wc -c <"$v5") + 20000 * 64) / 64 ))"
echo garbage >"$tmp/junk"
"$sort" -k octets <"$tmp/junk" >/dev/null 2>"$tmp/err"; rc=$?
check_eq "not a stream: exit 1" "$rc" 1

finish sort
