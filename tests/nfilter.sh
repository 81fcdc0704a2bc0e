#!/bin/sh
# flow-nfilter scenarios beyond the golden cases: usage and error exits,
# messages naming file and line, IPv6 prefixes on extended records,
# -v, compression and damaged input.
#
#   tests/nfilter.sh BUILD_DIR
set -u
build=$(cd "${1:?usage: nfilter.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
shared=$(cd "${FTKIT_SHARED:-$here/../../shared}" && pwd)
compat=$shared/compat
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC LC_ALL=C FTKIT_SYMDIR=$compat/sym
nf=$build/flow-nfilter
. "$here/lib.sh"

# flows read and kept, from -d 1: "N flows read, M kept"
counts() { sed -n 's/.*: \([0-9]*\) flows read, \([0-9]*\) kept$/\1 \2/p' "$1"; }

# ---- usage and errors ------------------------------------------------------------
"$nf" -h 2>"$tmp/err" >"$tmp/out"; rc=$?
check "-h exits 1 with the usage on stderr" \
    test "$rc" = 1 -a ! -s "$tmp/out" -a -n "$(grep Usage "$tmp/err")"

"$nf" -f "$compat/cfg/filter.cfg" -F tcp extra <"$compat/inputs/v5.ft" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "extra argument refused" \
    test "$rc" = 1 -a ! -s "$tmp/out" -a -n "$(grep 'Extra arguments starting with extra' "$tmp/err")"

"$nf" -f "$compat/cfg/filter-bad.cfg" -F alt-web <"$compat/inputs/v5.ft" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "bad config: exit 1, nothing written" test "$rc" = 1 -a ! -s "$tmp/out"
check "bad config: the message names file, line and token" \
    grep -q 'filter-bad.cfg line 4: .*"alt"' "$tmp/err"

"$nf" -f "$compat/cfg/filter.cfg" -F extra-packets <"$compat/inputs/v5.ft" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "field missing from the stream" \
    test "$rc" = 1 -a ! -s "$tmp/out" -a -n "$(grep 'Filter references a field not in flow' "$tmp/err")"

"$nf" -f "$tmp/nonexistent.cfg" <"$compat/inputs/v5.ft" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "missing config file" test "$rc" = 1 -a -n "$(grep nonexistent.cfg "$tmp/err")"

printf 'filter-definition default\n  match ip-protocol p\nfilter-primitive p\n  type ip-protocol\n  permit 17\n' >"$tmp/default.cfg"
"$nf" -f "$tmp/default.cfg" -d 1 <"$compat/inputs/v5.ft" >"$tmp/udp.ft" 2>"$tmp/err"; rc=$?
udp=$("$build/flow-print" -f 5 <"$tmp/udp.ft" | awk '/^0314/ { n++; if ($9 != 17) bad++ } END { print n + 0, bad + 0 }')
check "definition \"default\", primitive defined after its use" \
    test "$rc" = 0 -a "$(counts "$tmp/err" | cut -d' ' -f2)" = "${udp% *}" -a "${udp#* }" = 0

# ---- comments, tabs, CRLF; symbol tables ------------------------------------------------
{ printf '# %s\r\n' "$(seq -s ' ' 200)"
  printf 'filter-primitive\tudp\r\n\ttype ip-protocol\r\n\tpermit udp\r\n'
  printf '\t# %s\r\n' "$(seq -s ' ' 400)"
  printf 'filter-definition default\r\n\tmatch\tip-protocol udp\r\n'; } >"$tmp/crlf.cfg"
"$nf" -f "$tmp/crlf.cfg" -d 1 <"$compat/inputs/v5.ft" >/dev/null 2>"$tmp/err"; rc=$?
check "CRLF config with tabs and long comments keeps the same flows" \
    test "$rc" = 0 -a "$(counts "$tmp/err" | cut -d' ' -f2)" = "${udp% *}"
mkdir "$tmp/sym"
printf '6 tcp\n17\n' >"$tmp/sym/ip-prot.sym"
FTKIT_SYMDIR=$tmp/sym "$nf" -f "$tmp/crlf.cfg" <"$compat/inputs/v5.ft" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "malformed symbol table: exit 1 naming the config line and the table's line" \
    test "$rc" = 1 -a ! -s "$tmp/out" -a -n "$(grep "crlf.cfg line 4: .*\"udp\": .*sym/ip-prot.sym:2: Missing field" "$tmp/err")"
rm "$tmp/sym/ip-prot.sym"
FTKIT_SYMDIR=$tmp/sym "$nf" -f "$tmp/crlf.cfg" <"$compat/inputs/v5.ft" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "missing symbol table: the name is unknown" \
    test "$rc" = 1 -a -n "$(grep 'crlf.cfg line 4: symbol lookup failed for "udp"$' "$tmp/err")"

# ---- variables -----------------------------------------------------------------------
"$nf" -f "$compat/cfg/filter.cfg" -F service -v SVC=53 -d 1 <"$compat/inputs/v5.ft" >/dev/null 2>"$tmp/e53"
"$nf" -f "$compat/cfg/filter.cfg" -F service -v SVC=53 -v SVC=22 -d 1 <"$compat/inputs/v5.ft" >/dev/null 2>"$tmp/e22"
"$nf" -f "$compat/cfg/filter.cfg" -F service -d 1 <"$compat/inputs/v5.ft" >/dev/null 2>"$tmp/edef"
check "-v binds, the last -v wins, the default applies without it" \
    test "$(counts "$tmp/e22")" = "$(counts "$tmp/edef")" -a "$(counts "$tmp/e53")" != "$(counts "$tmp/edef")"
"$nf" -f "$compat/cfg/filter.cfg" -F service -v SVC <"$compat/inputs/v5.ft" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "-v without = refused" test "$rc" = 1 -a ! -s "$tmp/out"

# ---- IPv6 on extended records ----------------------------------------------------------
"$build/flow-gen" -R -V extended -6 50 -n 2000 >"$tmp/x.ft"
cat >"$tmp/v6.cfg" <<'EOF'
filter-primitive v6-servers
  type ip-address-prefix
  permit 2001:db8:8000::/33
filter-primitive any6
  type ip-address-prefix
  permit ::/0
filter-primitive any4
  type ip-address-prefix
  permit 0.0.0.0/0
filter-definition to-v6-servers
  match ip-destination-address v6-servers
filter-definition v6
  match ip-source-address any6
filter-definition v4
  match ip-source-address any4
EOF
"$nf" -f "$tmp/v6.cfg" -F v6 -d 1 <"$tmp/x.ft" >/dev/null 2>"$tmp/e6"
"$nf" -f "$tmp/v6.cfg" -F v4 -d 1 <"$tmp/x.ft" >/dev/null 2>"$tmp/e4"
set -- $(counts "$tmp/e6") $(counts "$tmp/e4")
check "::/0 and 0.0.0.0/0 split the flows by family" \
    test "${1:-0}" = 2000 -a "${2:-0}" -gt 0 -a "${4:-0}" -gt 0 -a $((${2:-0} + ${4:-0})) = 2000
"$nf" -f "$tmp/v6.cfg" -F to-v6-servers <"$tmp/x.ft" >"$tmp/servers.ft"
# in 2001:db8:8000::/33: the third group has four digits, the first 8..f
in33='^2001:db8:[89a-f][0-9a-f][0-9a-f][0-9a-f]:'
"$build/flow-print" -f csv <"$tmp/servers.ft" |
    awk -F, -v re="$in33" 'NR > 1 { n++; if ($13 !~ re) bad++ } END { print n + 0, bad + 0 }' >"$tmp/srv"
read n bad <"$tmp/srv"
want=$("$build/flow-print" -f csv <"$tmp/x.ft" | awk -F, -v re="$in33" 'NR > 1 && $13 ~ re { n++ } END { print n + 0 }')
check "IPv6 prefix keeps exactly the flows to 2001:db8:8000::/33 ($n)" \
    test "$n" -gt 0 -a "$bad" = 0 -a "$n" = "$want"

# ---- streams ------------------------------------------------------------------------------
"$nf" -f "$compat/cfg/filter.cfg" -F web -z 6 <"$compat/inputs/v5.ft" >"$tmp/z.ft"
"$nf" -f "$compat/cfg/filter.cfg" -F web <"$compat/inputs/v5.ft" >"$tmp/plain.ft"
check "compressed output holds the same flows" \
    cmp -s "$("$build/flow-print" -f 5 <"$tmp/z.ft" >"$tmp/z.txt"; echo "$tmp/z.txt")" \
           "$("$build/flow-print" -f 5 <"$tmp/plain.ft" >"$tmp/p.txt"; echo "$tmp/p.txt")"
size=$(wc -c <"$compat/inputs/v5.ft")
head -c $((size - 30)) "$compat/inputs/v5.ft" >"$tmp/cut.ft"
"$nf" -f "$compat/cfg/filter.cfg" -F all-v4 <"$tmp/cut.ft" >"$tmp/cut-out.ft" 2>"$tmp/err"; rc=$?
kept=$("$build/flow-print" -f 5 <"$tmp/cut-out.ft" | grep -c '^0314')
check "damaged input: exit 1, the whole records before the damage written" \
    test "$rc" = 1 -a "$kept" = 434 -a -n "$(cat "$tmp/err")"

finish nfilter
