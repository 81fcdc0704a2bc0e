#!/bin/sh
# Scenario tests of flow-rptfmt on flow-report outputs: hand-written ones
# taken from the expected outputs of the golden report_* cases, and every
# one of those outputs as it is.
#
#   tests/rptfmt.sh BUILD_DIR
#
# ASCII: the exact table (header block kept, numbers right, text left),
# -F -H -m -n -p -s; HTML: a complete page whose tags balance, the header
# as a definition list, numbers right-aligned, text escaped; several
# reports in one input; bad input and options.
set -u
build=$(cd "${1:?usage: rptfmt.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
shared=${FTKIT_SHARED:-$here/../../shared}
compat=$(cd "$shared/compat" && pwd)
fmt=$build/flow-rptfmt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC LC_ALL=C FTKIT_SYMDIR="$compat/sym"

. "$here/lib.sh"

[ -x "$fmt" ] || give_up rptfmt "rptfmt: $fmt not built"

# A line's words separated by single blanks.
words() { sed -n "$1p" "$2" | awk '{ $1 = $1; print }'; }
# check_out NAME FILE: the output in $tmp/out equals FILE
check_out() {
    if cmp -s "$tmp/out" "$2"; then ok "$1"; else fail "$1" "$(diff "$2" "$tmp/out" | head -n 8 | tr '\n' '|')"; fi
}
# HTML whose tags balance: every non-void element closed, in order.
html_ok() {
    python3 - "$1" <<'EOF'
import sys
from html.parser import HTMLParser
VOID = {"meta", "br", "hr", "img", "input", "link"}
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.bad = [], []
    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)
    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.bad.append(tag)
text = open(sys.argv[1], encoding="utf-8").read()
p = P(); p.feed(text); p.close()
ok = (text.startswith("<!DOCTYPE html>\n") and text.endswith("</html>\n")
      and not p.stack and not p.bad)
sys.exit(0 if ok else 1)
EOF
}

# From report_r07-ipd-port (trimmed, packets made up), with a header block.
cat >"$tmp/ports.txt" <<'EOF'
#  --- ---- ---- Report Information --- --- ---
# build-version:        flow-tools 0.68.5
# name:                 top-ports
# type:                 ip-destination-port
#
# rec1: records,ignores,flows,octets,packets,duration
211,0,435,1466547,5488,2163247
# recn: ip-destination-port*,flows,octets,packets,duration
443,48,41908,600,119930
53,30,2279,40,12655
2048,23,2220,23,14000
80,22,19376,300,34827
# stop, hit record limit.
EOF

# ---- ASCII -------------------------------------------------------------------
cat >"$tmp/want" <<'EOF'
#  --- ---- ---- Report Information --- --- ---
# build-version:        flow-tools 0.68.5
# name:                 top-ports
# type:                 ip-destination-port
#

records  ignores  flows   octets  packets  duration
    211        0    435  1466547     5488   2163247

ip-destination-port  flows  octets  packets  duration
                443     48   41908      600    119930
                 53     30    2279       40     12655
               2048     23    2220       23     14000
                 80     22   19376      300     34827
# stop, hit record limit.
EOF
"$fmt" <"$tmp/ports.txt" >"$tmp/out"; rc=$?
check_eq "ascii: exit 0" "$rc" 0
check_out "ascii: header block kept, columns aligned" "$tmp/want"
"$fmt" -f ascii <"$tmp/ports.txt" | cmp -s - "$tmp/out"; check_eq "-f ascii is the default" $? 0

cat >"$tmp/want" <<'EOF'
records  ignores  flows   octets  packets  duration
    211        0    435  1466547     5488   2163247

ip-destination-port  flows  %flows  octets  %octets  packets  %packets  duration
https                   48   11.03   41908     2.86      600     10.93    119930
domain                  30    6.90    2279     0.16       40      0.73     12655
2048                    23    5.29    2220     0.15       23      0.42     14000
http                    22    5.06   19376     1.32      300      5.47     34827
# stop, hit record limit.
EOF
"$fmt" -H -n -p <"$tmp/ports.txt" >"$tmp/out"
check_out "-H -n -p: no header, port names, percents of the totals line" "$tmp/want"

cat >"$tmp/want" <<'EOF'
 octets
1466547

octets  ip-destination-port
 41908                  443
 19376                   80
# stop, hit record limit.
EOF
"$fmt" -H -F octets,ip-destination-port -s octets -m 2 <"$tmp/ports.txt" >"$tmp/out"
check_out "-F -s -m: chosen columns in order (the totals' too), largest first, two lines" "$tmp/want"
"$fmt" -H -F ip-destination-port -s -octets -m 2 <"$tmp/ports.txt" >"$tmp/out"
check_eq "-s -field: smallest first" "$(awk '{ $1 = $1; printf "%s|", $0 }' "$tmp/out")" "ip-destination-port|2048|53|# stop, hit record limit.|"
"$fmt" -H -F ip-destination-port -s +octets <"$tmp/ports.txt" >"$tmp/out"
check_eq "-s +field: largest first" "$(sed -n 2p "$tmp/out" | tr -d ' ')" 443

# Ties keep the input's order; text after numbers.
printf '# recn: ip-source-address*,flows\n10.0.0.3,5\n10.0.0.1,7\n10.0.0.2,5\n10.0.0.4,x\n10.0.0.5,5\n' >"$tmp/ties.txt"
"$fmt" -s flows <"$tmp/ties.txt" >"$tmp/out"
check_eq "-s: ties stable, text last" "$(awk 'NR > 1 { printf "%s ", $1 }' "$tmp/out")" \
    "10.0.0.1 10.0.0.3 10.0.0.2 10.0.0.5 10.0.0.4 "
check_eq "addresses aligned left, mixed column left" "$(sed -n 2p "$tmp/out")" "10.0.0.1           7"

# Tally lines keep their places in the input's order, and go when sorted.
printf '# recn: ip-port*,flows\n80,5\n#TALLY %%recs=50.000 %%flows=62.500\n443,3\n' >"$tmp/tally.txt"
"$fmt" <"$tmp/tally.txt" >"$tmp/out"
check_eq "tally line after its row" "$(sed -n 3p "$tmp/out")" "#TALLY %recs=50.000 %flows=62.500"
"$fmt" -s flows <"$tmp/tally.txt" >"$tmp/out"
check "tally lines dropped when sorted" sh -c "! grep -q TALLY '$tmp/out'"
"$fmt" -f html <"$tmp/tally.txt" >"$tmp/out"
check "html: tally row spans the table" grep -q '<tr class="tally"><td colspan="2">#TALLY %recs=50.000 %flows=62.500</td></tr>' "$tmp/out"

# Protocols, AS numbers and tags by their tables; names already there stay.
printf '# recn: ip-protocol*,source-as*,destination-AS*,source-tag*,flows\n6,64496,64497,0x00010001,1\n17,99,0,65537,2\nicmp,0,0,0,3\n' >"$tmp/names.txt"
"$fmt" -n <"$tmp/names.txt" >"$tmp/out"
check_eq "-n: ip-prot, asn and tag names" "$(words 2 "$tmp/out")" "tcp ALPHANET ALPHANET-CUSTOMER-NUMBER-ONE 0x00010001 1"
check_eq "-n: unnamed numbers stay" "$(words 3 "$tmp/out")" "udp 99 UNROUTED-LOCAL CAMPUS_A 2"
check_eq "-n: names in the input stay" "$(words 4 "$tmp/out")" "icmp UNROUTED-LOCAL UNROUTED-LOCAL UNTAGGED 3"
printf '# recn: ip-destination-address-type*,flows\n3,1\n' | "$fmt" -n >"$tmp/out"
check_eq "-n: address types by ip-type.sym" "$(words 2 "$tmp/out")" "multicast-any-source 1"
FTKIT_SYMDIR=/nonexistent "$fmt" -n <"$tmp/names.txt" >"$tmp/out" 2>"$tmp/err"; rc=$?
check_eq "-n without symbol tables: exit 0" "$rc" 0
check "-n without symbol tables: said" grep -q 'ip-prot.sym' "$tmp/err"

# Percent of a column's sum when there is no totals line.
printf '# recn: ip-protocol*,octets\n6,300\n17,100\n' | "$fmt" -p >"$tmp/out"
check_eq "-p without rec1: share of the sum" "$(words 2 "$tmp/out")" "6 300 75.00"

# Several reports: a time series (rec1/recn per interval) and two outputs.
"$fmt" <"$compat/expected/report/report_x-time-series.out" >"$tmp/out"; rc=$?
check_eq "time series: exit 0" "$rc" 0
check_eq "time series: a title line per interval" "$(grep -c '^ip-protocol' "$tmp/out")" \
    "$(grep -c '^# recn' "$compat/expected/report/report_x-time-series.out")"

# summary-detail's 120 distribution columns listed one a line
"$fmt" -H <"$compat/expected/report/report_r01-summary-detail.out" >"$tmp/out"
check "wide keyless table listed one column a line" grep -q '^fpsize_other  ' "$tmp/out"

# ---- HTML ------------------------------------------------------------------------
"$fmt" -f html -n -p <"$tmp/ports.txt" >"$tmp/out.html"; rc=$?
check_eq "html: exit 0" "$rc" 0
check "html: a complete page, tags balanced" html_ok "$tmp/out.html"
check "html: header fields as a definition list" grep -q '<dt>build-version</dt><dd>flow-tools 0.68.5</dd>' "$tmp/out.html"
check "html: page titled after the first report" grep -q '<title>flow-report: top-ports</title>' "$tmp/out.html"
check "html: report name as heading" grep -q '<h2>top-ports <small>(ip-destination-port)</small></h2>' "$tmp/out.html"
check "html: numbers right-aligned" grep -q '<td class="num">41908</td>' "$tmp/out.html"
check "html: names left-aligned" grep -q '<tr><td>https</td>' "$tmp/out.html"
check "html: record limit said" grep -q 'record limit' "$tmp/out.html"
check "html: self-contained (no external resources)" sh -c "! grep -Eq '(src|href)=' '$tmp/out.html'"
printf '# name: a <b> & "c"\n# recn: ip-source-address*,flows\n<script>,1\n' | "$fmt" -f html >"$tmp/out.html"
check "html: text escaped" grep -q '<td>&lt;script&gt;</td>' "$tmp/out.html"
check "html: header escaped" grep -q '<dd>a &lt;b&gt; &amp; &quot;c&quot;</dd>' "$tmp/out.html"
"$fmt" -f html -H <"$tmp/ports.txt" >"$tmp/out.html"
check "html -H: no definition list" sh -c "! grep -q '<dl>' '$tmp/out.html'"

# ---- every flow-report output of the golden cases ---------------------------------
bad=0
for f in "$compat"/expected/report/*.out; do
    "$fmt" <"$f" >"$tmp/out" 2>"$tmp/err" || { bad=$((bad + 1)); echo "  ascii $(basename "$f"): $(cat "$tmp/err")"; }
    "$fmt" -f html -n -p <"$f" >"$tmp/out.html" 2>"$tmp/err" && html_ok "$tmp/out.html" ||
        { bad=$((bad + 1)); echo "  html $(basename "$f"): $(cat "$tmp/err")"; }
done
check_eq "every golden report output formats, ascii and html" "$bad" 0

# ---- bad input and options -------------------------------------------------------
printf '1,2,3\n' | "$fmt" >/dev/null 2>"$tmp/err"; rc=$?
check_eq "data before a column line: exit 1" "$rc" 1
check "data before a column line: message names the line" grep -q '^flow-rptfmt: stdin line 1: ' "$tmp/err"
printf '# recn: a*,b\n1,2\n1,2,3\n' | "$fmt" >/dev/null 2>"$tmp/err"; rc=$?
check_eq "wrong field count: exit 1" "$rc" 1
check "wrong field count: message" grep -q 'stdin line 3: 3 fields' "$tmp/err"
"$fmt" -f pdf </dev/null 2>"$tmp/err"; check_eq "-f pdf refused" $? 1
"$fmt" -F nosuch <"$tmp/ports.txt" >/dev/null 2>"$tmp/err"; rc=$?
check_eq "-F unknown column refused" "$rc" 1
check "-F unknown column message" grep -q 'no column "nosuch"' "$tmp/err"
"$fmt" -h 2>"$tmp/err"; check_eq "-h exits 0" $? 0
check "-h usage" grep -q '^Usage: flow-rptfmt' "$tmp/err"
"$fmt" -x </dev/null 2>/dev/null; check_eq "unknown option: exit 1" $? 1
"$fmt" -a 0 </dev/null 2>/dev/null; check_eq "-a 0 refused" $? 1
"$fmt" -a 30 <"$tmp/ports.txt" >"$tmp/out"; rc=$?
check_eq "-a 30: formats as without" "$rc-$(wc -l <"$tmp/out" | tr -d ' ')" "0-15"
"$fmt" </dev/null >"$tmp/out"; rc=$?
check_eq "empty input: nothing, exit 0" "$rc-$(wc -c <"$tmp/out" | tr -d ' ')" "0-0"

finish rptfmt
