#!/bin/sh
# tests/nightly.sh BUILD_DIR - the nightly report end to end: a day of
# flow-capture files made with flow-gen -R and flow-split, etc/nightly's
# flow-nightly over it, the page parsed (its SVG charts, nothing loaded from
# elsewhere, the top talker's octets equal to flow-report's own) and drawn
# by headless Chromium (the screenshot must not be blank).
# Needs python3 and chromium (Debian package chromium, in .ci/run's list).
. "$(dirname "$0")/lib.sh"
script=nightly
src=$(cd "$(dirname "$0")/.." && pwd)
b=$(cd "${1:-build}" 2>/dev/null && pwd) || give_up $script "no build directory ${1:-build}"
for p in flow-gen flow-split flow-header flow-cat flow-report flow-rptfmt flow-nightly; do
    [ -x "$b/$p" ] || give_up $script "no $b/$p: build first"
done
command -v python3 >/dev/null || give_up $script "python3 is missing"
chromium=$(command -v chromium || command -v chromium-browser) ||
    give_up $script "chromium is missing (Debian package chromium)"

# Capture times are UTC; the day's bounds are local time: make them agree.
TZ=UTC
# names for ports, protocols and tags from the source tree's symbol tables
FTKIT_SYMDIR=$src/etc/sym
export TZ FTKIT_SYMDIR
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftkit-nightly.XXXXXX") || give_up $script "no temporary directory"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
day=2024-03-13

# ---- a day of capture files: 23:00 the day before to 01:00 the day after,
# cut every 15 minutes and named and nested as flow-capture does ----------------
timeout 120 "$b/flow-gen" -R -n 300000 -S "2024-03-12 23:00 UTC" -D 26h >"$tmp/all.ft" &&
    mkdir -p "$tmp/split" &&
    timeout 120 "$b/flow-split" -T 900 -o "$tmp/split/part" <"$tmp/all.ft"
check "flow-gen and flow-split make the files" [ -s "$tmp/split/part.0" ]
timeout 120 python3 - "$b/flow-header" "$tmp/split" "$tmp/flows" <<'EOF'
import os, subprocess, sys
from email.utils import parsedate_to_datetime
header, split, tree = sys.argv[1:]
for f in os.listdir(split):
    out = subprocess.run([header], stdin=open(os.path.join(split, f), 'rb'),
                         capture_output=True, text=True, timeout=20).stdout
    start = [l for l in out.splitlines() if 'capture start:' in l][0].split(':', 1)[1]
    t = parsedate_to_datetime(start.strip())
    d = os.path.join(tree, t.strftime('%Y'), t.strftime('%Y-%m'), t.strftime('%Y-%m-%d'))
    os.makedirs(d, exist_ok=True)
    os.rename(os.path.join(split, f), os.path.join(d, t.strftime('ft-v05.%Y-%m-%d.%H%M%S+0000')))
EOF
files=$(find "$tmp/flows/2024/2024-03/$day" -name 'ft-v05.*' | wc -l)
check "the capture tree holds a day of 15-minute files ($files)" [ "$files" -ge 95 ] && [ "$files" -le 97 ]

# ---- the nightly script ----------------------------------------------------------------
mkdir -p "$tmp/www"
timeout 300 "$b/flow-nightly" -b "$b" -c "$src/etc/nightly" -d "$tmp/flows" -o "$tmp/www" \
    -D $day -v >"$tmp/nightly.out" 2>"$tmp/nightly.err"
rc=$?
page=$tmp/www/report-$day.html
check_eq "flow-nightly exits 0" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/    /' "$tmp/nightly.err"
check_eq "flow-nightly prints the page's path with -v" "$(cat "$tmp/nightly.out")" "$page"
check "the page is written" [ -s "$page" ]
check_eq "no temporary file is left" "$(ls -A "$tmp/www" | grep -c tmp)" 0

# ---- the page: charts, self-contained, the top talker -------------------------------------
# flow-report's own top talker of the same day, with a configuration of its own.
cat >"$tmp/top.cfg" <<'EOF'
stat-report top
  type ip-source-address
  output
    format ascii
    sort +octets
    records 1
stat-definition top
  report top
EOF
timeout 120 "$b/flow-cat" -a -t "$day 00:00:00" -T "2024-03-14 00:00:00" "$tmp/flows" |
    timeout 120 "$b/flow-report" -s "$tmp/top.cfg" -S top >"$tmp/top.txt"
# the line after the column line; octets found by its title
want=$(awk -F, '/^# recn:/ { for (i = 1; i <= NF; i++) if ($i == "octets") col = i; next }
                col { print $1 " " $col; exit }' "$tmp/top.txt")
check "flow-report names a top talker" [ -n "$want" ]
timeout 60 python3 - "$page" >"$tmp/page.facts" 2>&1 <<'EOF'
import sys
from html.parser import HTMLParser

class Page(HTMLParser):
    """The SVGs by class, outside references, and the tables by section."""
    def __init__(self):
        super().__init__()
        self.svgs, self.refs, self.sections = [], [], []
        self.cell = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ('src', 'href'):
            if k in a:
                self.refs.append(a[k])
        if tag == 'svg':
            self.svgs.append(a.get('class', ''))
        elif tag == 'section':
            self.sections.append({'h2': '', 'rows': [], 'head': []})
        elif tag == 'tr' and self.sections:
            self.sections[-1]['rows'].append([])
        elif tag in ('td', 'th', 'h2'):
            self.cell = tag
            self.text = ''
    def handle_endtag(self, tag):
        if tag != self.cell or not self.sections:
            return
        s = self.sections[-1]
        if tag == 'h2':
            s['h2'] = self.text
        elif s['rows']:
            s['rows'][-1].append(self.text)
        self.cell = None
    def handle_data(self, data):
        if self.cell:
            self.text += data

p = Page()
p.feed(open(sys.argv[1], encoding='utf-8').read())
print('day', p.svgs.count('day'))
print('bars', p.svgs.count('bars'))
print('refs', len(p.refs) + open(sys.argv[1]).read().count('url('))
for s in p.sections:
    if s['h2'].startswith('top-source-addresses'):
        rows = s['rows']                    # the totals table, then the top one
        at = [i for i, r in enumerate(rows) if 'ip-source-address' in r][0]
        head, first = rows[at], rows[at + 1]
        print('top', first[head.index('ip-source-address')], first[head.index('octets')])
EOF
facts=$(cat "$tmp/page.facts")
check_eq "three day charts (bits/s, packets/s, flows/s)" "$(echo "$facts" | awk '$1 == "day" { print $2 }')" 3
check_eq "a bar chart for each of the 8 top-N reports" "$(echo "$facts" | awk '$1 == "bars" { print $2 }')" 8
check_eq "the page loads nothing from elsewhere" "$(echo "$facts" | awk '$1 == "refs" { print $2 }')" 0
check_eq "the top talker and its octets equal flow-report's" \
    "$(echo "$facts" | awk '$1 == "top" { print $2 " " $3 }')" "$want"

# ---- drawn by a browser --------------------------------------------------------------------
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$tmp/chrome" --screenshot="$tmp/page.png" --window-size=1280,2000 \
    "file://$page" >"$tmp/chromium.log" 2>&1
check "headless Chromium makes a screenshot" [ -s "$tmp/page.png" ]
timeout 60 python3 - "$tmp/page.png" >"$tmp/png.facts" 2>&1 <<'EOF'
import struct, sys, zlib
# A PNG read with zlib alone (PIL may be missing): 8-bit RGB or RGBA only,
# which is what Chromium writes.
data = open(sys.argv[1], 'rb').read()
pos, idat = 8, b''
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
bpp = {2: 3, 6: 4}[ctype]
raw, stride = zlib.decompress(idat), w * bpp
prev, colours, inked = bytearray(stride), set(), 0
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp * 4):     # every fourth pixel is plenty
        px = bytes(line[x:x + 3])
        colours.add(px)
        inked += px != b'\xff\xff\xff'
    prev = line
print('size', w, h)
print('colours', len(colours))
print('inked', inked * 1000 // ((w // 4) * h))
EOF
png=$(cat "$tmp/png.facts")
echo "    screenshot: $(echo "$png" | tr '\n' ' ')"
colours=$(echo "$png" | awk '$1 == "colours" { print $2 }')
inked=$(echo "$png" | awk '$1 == "inked" { print $2 }')
check "the screenshot has many colours (${colours:-?})" [ "${colours:-0}" -ge 50 ]
check "the screenshot is not blank (${inked:-?} per mille not white)" [ "${inked:-0}" -ge 100 ]
[ -z "${FTKIT_KEEP_SCREENSHOT:-}" ] || cp "$tmp/page.png" "$FTKIT_KEEP_SCREENSHOT"

# ---- failures say so, and leave no page -----------------------------------------------------
timeout 120 "$b/flow-nightly" -b "$b" -c "$src/etc/nightly" -d "$tmp/flows" -o "$tmp/www" \
    -D 2024-03-20 >/dev/null 2>"$tmp/empty.err"
check "a day without flows exits non-zero" [ $? != 0 ]
check "and says so" grep -q "no flows for 2024-03-20" "$tmp/empty.err"
check "and leaves no page" [ ! -e "$tmp/www/report-2024-03-20.html" ]
timeout 20 "$b/flow-nightly" -b "$b" -c "$src/etc/nightly" -d "$tmp/flows" -o "$tmp/www" \
    -D yesterday-ish >/dev/null 2>"$tmp/date.err"
rc=$?
check "a bad date exits non-zero with a message" sh -c "[ $rc != 0 ] && grep -q 'bad date' '$tmp/date.err'"
timeout 20 "$b/flow-nightly" -b "$b" -c "$src/etc/nightly" -d "$tmp/none" -o "$tmp/www" \
    -D $day >/dev/null 2>"$tmp/dir.err"
rc=$?
check "a missing capture directory exits non-zero with a message" \
    sh -c "[ $rc != 0 ] && grep -q 'no capture directory' '$tmp/dir.err'"
ls -A "$tmp/www" >"$tmp/www.list"
check_eq "only the one page is in the output directory" "$(cat "$tmp/www.list")" "report-$day.html"

# ---- flow-rptfmt -f chart on its own -------------------------------------------------------
printf '' | timeout 20 "$b/flow-rptfmt" -f chart -t 'a<b&"c"' >"$tmp/empty.html"
check_eq "an empty input makes an empty page, exit 0" "$?:$(tail -n 1 "$tmp/empty.html")" "0:</html>"
check "the title is escaped" grep -q '<h1>a&lt;b&amp;&quot;c&quot;</h1>' "$tmp/empty.html"
cat >"$tmp/ts.cfg" <<'EOF2'
stat-report ts
  type summary-counters
  output
    format ascii
    options +header,+totals
stat-definition ts
  time-series 300
  report ts
EOF2
# 100 seconds of flows: one interval, nothing to draw a line through
timeout 20 "$b/flow-gen" -R -n 500 -D 100 | timeout 20 "$b/flow-report" -s "$tmp/ts.cfg" -S ts |
    timeout 20 "$b/flow-rptfmt" -f chart >"$tmp/one.html"
check_eq "one interval: a page without a day chart" \
    "$?:$(grep -c 'class="day"' "$tmp/one.html")" "0:0"
timeout 20 "$b/flow-gen" -R -n 500 -D 1h | timeout 20 "$b/flow-report" -s "$tmp/ts.cfg" -S ts |
    timeout 20 "$b/flow-rptfmt" -f chart >"$tmp/hour.html"
check_eq "an hour of 300 s intervals: three day charts" \
    "$?:$(grep -c 'class="day"' "$tmp/hour.html")" "0:3"

finish $script
