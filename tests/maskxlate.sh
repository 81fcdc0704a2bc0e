#!/bin/sh
# flow-mask and flow-xlate scenarios beyond the golden cases: usage and
# error exits with their messages, damaged input, IPv6 masks on extended
# records, and Crypto-PAn on whole streams (the same key gives the same
# mapping, it is one to one and keeps every shared prefix length, IPv4 and
# IPv6 alike).
#
#   tests/maskxlate.sh BUILD_DIR
set -u
build=$(cd "${1:?usage: maskxlate.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
shared=$(cd "${FTKIT_SHARED:-$here/../../shared}" && pwd)
compat=$shared/compat
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC LC_ALL=C FTKIT_SYMDIR=$compat/sym
mask=$build/flow-mask xl=$build/flow-xlate
. "$here/lib.sh"
[ -x "$mask" ] && [ -x "$xl" ] || give_up maskxlate "flow-mask or flow-xlate not built"
v5=$compat/inputs/v5.ft
key=1522178d33a4cf80130a5b1649907d10d8988f837979652762574c2d2a842202

# run PROGRAM ARGS... <input: status in $rc, output in $tmp/out, messages in $tmp/err
run() { "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }
says() { grep -q -- "$1" "$tmp/err"; }

# ---- flow-mask ---------------------------------------------------------------
run "$mask" -h <"$v5"
check "flow-mask -h exits 1 with the usage" test "$rc" = 1 -a ! -s "$tmp/out"
check "flow-mask usage names -m and -M" says 'Usage: flow-mask .*-m mask_file'
run "$mask" -m "$compat/cfg/mask.cfg" -M nosuch <"$v5"
check "unknown mask definition: exit 1, nothing written" test "$rc" = 1 -a ! -s "$tmp/out"
check "unknown mask definition: named" says 'ftmask_def_find(): failed: no mask-definition "nosuch"'
printf 'mask-definition a\n  prefix 10/8 8\n  prefix 10.1/16 33\n' >"$tmp/bad-mask.cfg"
run "$mask" -m "$tmp/bad-mask.cfg" -M a <"$v5"
check "bad mask file: exit 1 naming file, line and word" \
    test "$rc" = 1 -a ! -s "$tmp/out" -a -n "$(grep 'bad-mask.cfg line 3: bad length "33"' "$tmp/err")"
run "$mask" -m "$tmp/nonexistent.cfg" <"$v5"
check "unreadable mask file: exit 1 naming it" test "$rc" = 1 -a -n "$(grep nonexistent.cfg "$tmp/err")"
run "$mask" -m "$compat/cfg/mask.cfg" -M coarse extra <"$v5"
check "extra argument refused" test "$rc" = 1 && says 'Extra arguments starting with extra'
size=$(wc -c <"$v5")
head -c $((size - 30)) "$v5" >"$tmp/cut.ft"
run "$mask" -m "$compat/cfg/mask.cfg" -M coarse <"$tmp/cut.ft"
n=$("$build/flow-print" -f 4 <"$tmp/out" 2>/dev/null | tail -n +2 | wc -l)
check "damaged input: exit 1, the flows before the damage written" test "$rc" = 1 -a "$n" = 434

# IPv6 prefixes on extended records
"$build/flow-gen" -R -V extended -6 50 -n 400 >"$tmp/ext.ft"
printf 'mask-definition v6\n  prefix 2001:db8::/32 40\n  prefix ::/0 7\n' >"$tmp/v6.cfg"
run "$mask" -m "$tmp/v6.cfg" -M v6 <"$tmp/ext.ft"
"$build/flow-print" -f json <"$tmp/out" >"$tmp/masked.json"
v6=$(python3 - "$tmp/masked.json" <<'PY'
import ipaddress, json, sys
good = bad = 0
for line in open(sys.argv[1]):
    f = json.loads(line)
    for a, m in (("srcaddr", "src_mask"), ("dstaddr", "dst_mask")):
        ip = ipaddress.ip_address(f[a])
        if ip.version != 6:
            continue
        want = 40 if ip in ipaddress.ip_network("2001:db8::/32") else 7
        good, bad = (good + 1, bad) if f[m] == want else (good, bad + 1)
print(good, bad)
PY
)
check "IPv6 masks of extended records from IPv6 prefixes ($v6)" test "$rc" = 0 -a "${v6#* }" = 0 -a "${v6% *}" -gt 0

# ---- flow-xlate --------------------------------------------------------------
run "$xl" -h <"$v5"
check "flow-xlate -h exits 1 with the usage" test "$rc" = 1 -a ! -s "$tmp/out"
check "flow-xlate usage names -n and -V" says 'Usage: flow-xlate \[-hkn\].*' && says '\[-V version\]'
(cd "$compat" && "$xl" -x cfg/xlate.cfg -X nosuch <"$v5" >"$tmp/out" 2>"$tmp/err"); rc=$?
check "unknown xlate definition: exit 1, nothing written" test "$rc" = 1 -a ! -s "$tmp/out"
check "unknown xlate definition: named" says 'ftxlate_def_find(): failed: no xlate-definition "nosuch"'
(cd "$compat" && "$xl" -x cfg/xlate.cfg -X tags <"$v5" >"$tmp/out" 2>"$tmp/err"); rc=$?
check "a stream without the definition's fields: exit 1" test "$rc" = 1 -a ! -s "$tmp/out"
check "... with the original's message" says 'Xlate references a field not in flow.'
run "$xl" -n -V 4 <"$v5"
check "unknown -V: exit 1" test "$rc" = 1 && says 'Version scan failed'
printf 'include-filter %s/none.cfg\nxlate-definition d\n  term\n    filter x\n' "$tmp" >"$tmp/nofilter.cfg"
run "$xl" -x "$tmp/nofilter.cfg" -X d <"$v5"
check "unreadable filter file: exit 1 naming config line and file" \
    test "$rc" = 1 -a -n "$(grep "nofilter.cfg line 4: filter file: .*none.cfg" "$tmp/err")"
printf 'xlate-action a\n  type ip-address-anonymize\n  key-file %s/nokey\n' "$tmp" >"$tmp/nokey.cfg"
run "$xl" -x "$tmp/nokey.cfg" <"$v5"
check "unreadable key file: exit 1 naming it" test "$rc" = 1 && says 'nokey.cfg line 3: key-file: .*nokey'
printf 'xlate-action a\n  type scale\n  scale 2\nxlate-definition default\n  term\n    action a\n' >"$tmp/scale.cfg"
run "$xl" -x "$tmp/scale.cfg" <"$tmp/cut.ft"
n=$("$build/flow-print" -f 4 <"$tmp/out" 2>/dev/null | tail -n +2 | wc -l)
check "damaged input: exit 1, the flows before the damage written" test "$rc" = 1 -a "$n" = 434
run "$xl" -n -V 1005 -x "$tmp/nonexistent.cfg" <"$v5"
check "-n reads no configuration" test "$rc" = 0 -a -s "$tmp/out"

# Crypto-PAn over whole streams, IPv4 (v5) and IPv6 (extended)
anon_cfg() {    # KEY: a definition anonymising both addresses with KEY
    printf 'xlate-action anon\n  type ip-address-anonymize\n  key %s\n' "$1"
    printf 'xlate-definition default\n  term\n    action anon\n'
}
anon_cfg "$key" >"$tmp/anon.cfg"
anon_cfg 42 >"$tmp/anon2.cfg"
for input in "$v5" "$tmp/ext.ft"; do
    in_name=$(basename "$input")
    "$xl" -x "$tmp/anon.cfg" <"$input" >"$tmp/a1.ft" && "$xl" -x "$tmp/anon.cfg" <"$input" >"$tmp/a2.ft"
    rc=$?
    "$xl" -x "$tmp/anon2.cfg" <"$input" >"$tmp/b.ft"
    for f in a1 a2 b; do "$build/flow-print" -f json <"$tmp/$f.ft" >"$tmp/$f.json"; done
    "$build/flow-print" -f json <"$input" >"$tmp/orig.json"
    check "$in_name: the same key gives the same stream" test "$rc" = 0 && cmp -s "$tmp/a1.ft" "$tmp/a2.ft"
    check "$in_name: another key gives other addresses" test -n "$(cmp "$tmp/a1.ft" "$tmp/b.ft")"
    res=$(python3 - "$tmp/orig.json" "$tmp/a1.json" <<'PY'
import ipaddress, itertools, json, sys
def addrs(path):
    out = []
    for line in open(path):
        f = json.loads(line)
        out += [f["srcaddr"], f["dstaddr"]]
    return out
orig, anon = addrs(sys.argv[1]), addrs(sys.argv[2])
m = {}
bad_map = 0
for o, a in zip(orig, anon):
    bad_map += m.setdefault(o, a) != a
back = {}
for o, a in m.items():
    bad_map += back.setdefault(a, o) != o
same = sum(o == a for o, a in m.items())
def bits(s):
    ip = ipaddress.ip_address(s)
    return ip.version, format(int(ip), "0%db" % ip.max_prefixlen)
def common(x, y):   # leading bits two bit strings share
    return next((i for i, (p, q) in enumerate(zip(x, y)) if p != q), len(x))
pairs = bad_prefix = 0
keys = sorted(m)[:300]
for o1, o2 in itertools.combinations(keys, 2):
    (v1, b1), (v2, b2) = bits(o1), bits(o2)
    if v1 != v2:
        continue
    (_, c1), (_, c2) = bits(m[o1]), bits(m[o2])
    pairs += 1
    bad_prefix += common(b1, b2) != common(c1, c2)
fams = sorted({bits(o)[0] for o in m})
print(len(m), bad_map, same, pairs, bad_prefix, "+".join(map(str, fams)))
PY
)
    set -- $res
    check "$in_name: one to one, no address kept ($1 addresses, $3 unchanged)" test "$2" = 0 -a "$3" -lt 2
    check "$in_name: every shared prefix length kept ($4 pairs, families $6)" test "$5" = 0 -a "$4" -gt 100
done
check "the IPv6 stream had IPv6 addresses" test "$6" = 4+6
finish maskxlate
