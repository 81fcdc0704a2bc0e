#!/bin/sh
# Scenario tests of flow-report's JSON lines and CSV outputs (-f json|csv,
# `format` in stat.cfg) on a golden input, read back with python3's json
# and csv modules: every line parses, the keys' octets add up to the
# report's totals and to flow-stat -f 0's Total Octets, the record limit,
# symbol names, time series (in a file: one CSV header), -f overriding the
# configuration, and a bad -f.
#
#   tests/report.sh BUILD_DIR
set -u
build=$(cd "${1:?usage: report.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
shared=${FTKIT_SHARED:-$here/../../shared}
compat=$(cd "$shared/compat" && pwd)
report=$build/flow-report
stat=$build/flow-stat
input=$compat/inputs/v5.ft
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC LC_ALL=C FTKIT_SYMDIR="$compat/sym"

. "$here/lib.sh"

[ -x "$report" ] && [ -x "$stat" ] || give_up report "report: flow-report or flow-stat not built in $build"
command -v python3 >/dev/null 2>&1 || give_up report "report: python3 is missing (Debian package python3)"

cat >"$tmp/stat.cfg" <<CFG
stat-report src
  type ip-source-address
  output
    sort +octets
stat-report ports
  type ip-source/destination-port
  output
    options +names
    sort +flows
stat-report top
  type ip-destination-address
  output
    records 5
    sort +octets
stat-report sum
  type summary-counters
  output
stat-report cfgcsv
  type ip-protocol
  output
    format csv
stat-report tsfile
  type ip-protocol
  output
    format csv
    path $tmp/ts.csv
stat-definition default
  report src
  report ports
  report top
  report sum
stat-definition one
  report src
stat-definition ts
  time-series 300
  report src
stat-definition cfgcsv
  report cfgcsv
stat-definition tsfile
  time-series 300
  report tsfile
CFG

total=$("$stat" -f 0 <"$input" | awk -F: '/^Total Octets/ { gsub(/ /, "", $2); print $2 }')
[ -n "$total" ] || give_up report "report: no Total Octets from flow-stat -f 0"

# JSON lines: a report is its key objects, then its totals object.  One
# line per report: keys, octets of the keys, the totals' octets and records,
# how many keys are strings (names) and whether every line parsed.
json_reports() {
    python3 - "$1" <<'PY'
import json, sys
rows, out, bad = [], [], 0
for line in open(sys.argv[1], encoding="utf-8"):
    try:
        o = json.loads(line)
    except ValueError:
        bad += 1
        continue
    if "totals" in o:
        t = o["totals"]
        named = sum(1 for r in rows for k, v in r.items() if k.startswith("ip-") and k.endswith("-port") and isinstance(v, str))
        ivl = all("interval-start" in r and "interval-end" in r for r in rows + [o])
        out.append("%d %d %d %d %d %d" % (len(rows), sum(r.get("octets", 0) for r in rows),
                                          t["octets"], t["records"], named, ivl))
        rows = []
    else:
        rows.append(o)
print("bad=%d trailing=%d" % (bad, len(rows)))
for l in out:
    print(l)
PY
}

"$report" -s "$tmp/stat.cfg" -f json <"$input" >"$tmp/out.json" 2>"$tmp/err"; rc=$?
check_eq "-f json: exit 0" "$rc" 0
json_reports "$tmp/out.json" >"$tmp/sum"
check_eq "json: every line parses, none after the last totals" "$(sed -n 1p "$tmp/sum")" "bad=0 trailing=0"
check_eq "json: four reports" "$(sed 1d "$tmp/sum" | wc -l | tr -d ' ')" 4
set -- $(sed -n 2p "$tmp/sum")
check_eq "json src: keys' octets = totals = flow-stat -f 0" "$2 $3" "$total $total"
check_eq "json src: a line per key" "$1" "$4"
set -- $(sed -n 3p "$tmp/sum")
check_eq "json ports: keys' octets = totals" "$2 $3" "$total $total"
check "json ports: +names gives port names as strings" test "$5" -gt 0
set -- $(sed -n 4p "$tmp/sum")
check_eq "json top: records 5 shows 5 of the keys" "$1" 5
check "json top: the totals count every key" test "$4" -gt 5
set -- $(sed -n 5p "$tmp/sum")
check_eq "json summary-counters: the totals alone" "$1 $3" "0 $total"
check "json: numbers as numbers, addresses as strings" grep -Eq '^\{"report":"[^"]+","ip-source-address":"[0-9.]+","flows":[0-9]+,"octets":[0-9]+,' "$tmp/out.json"
check_eq "json: every line names its report, four names" \
    "$(grep -v '^{"report":"' "$tmp/out.json" | wc -l) $(sed 's/^{"report":"\([^"]*\)".*/\1/' "$tmp/out.json" | sort -u | wc -l)" "0 4"

"$report" -s "$tmp/stat.cfg" -S ts -f json <"$input" >"$tmp/ts.json"; rc=$?
check_eq "json time series: exit 0" "$rc" 0
json_reports "$tmp/ts.json" >"$tmp/sum"
check_eq "json time series: parses" "$(sed -n 1p "$tmp/sum")" "bad=0 trailing=0"
check "json time series: several intervals" test "$(sed 1d "$tmp/sum" | wc -l)" -gt 1
check_eq "json time series: every line has its interval" "$(sed 1d "$tmp/sum" | awk '{ print $6 }' | sort -u)" 1
check_eq "json time series: the intervals' octets add up" "$(sed 1d "$tmp/sum" | awk '{ k += $2; t += $3 } END { print k, t }')" "$total $total"

# CSV: a header row, a row per key, the totals row marked in the key column.
csv_check() {
    python3 - "$1" "$2" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
key = sys.argv[2]
head, body = rows[0], rows[1:]
i, o = head.index(key), head.index("octets")
keys = [r for r in body if r[i] != "totals"]
tot = [r for r in body if r[i] == "totals"]
width = all(len(r) == len(head) for r in body)
print(len(keys), sum(int(r[o]) for r in keys), sum(int(r[o]) for r in tot), len(tot), int(width))
PY
}
"$report" -s "$tmp/stat.cfg" -S one -f csv <"$input" >"$tmp/out.csv"; rc=$?
check_eq "-f csv: exit 0" "$rc" 0
check_eq "csv: header row" "$(sed -n 1p "$tmp/out.csv")" "ip-source-address,flows,octets,packets,duration"
set -- $(csv_check "$tmp/out.csv" ip-source-address)
check_eq "csv: keys' octets = totals row = flow-stat -f 0" "$2 $3 $4" "$total $total 1"
check_eq "csv: every row as wide as the header" "$5" 1
check_eq "csv: last row is the totals" "$(tail -n 1 "$tmp/out.csv" | cut -d, -f1)" totals

"$report" -s "$tmp/stat.cfg" -S cfgcsv <"$input" >"$tmp/out"
check_eq "format csv in stat.cfg" "$(sed -n 1p "$tmp/out")" "ip-protocol,flows,octets,packets,duration"
"$report" -s "$tmp/stat.cfg" -S cfgcsv -f ascii <"$input" >"$tmp/out"
check_eq "-f ascii overrides the configuration" "$(sed -n 1p "$tmp/out")" "# recn: ip-protocol*,flows,octets,packets,duration"

"$report" -s "$tmp/stat.cfg" -S tsfile <"$input" >"$tmp/out"; rc=$?
check_eq "csv time series to a file: exit 0, nothing on stdout" "$rc-$(wc -c <"$tmp/out" | tr -d ' ')" "0-0"
check_eq "csv time series to a file: one header row" "$(grep -c '^interval-start,' "$tmp/ts.csv")" 1
set -- $(csv_check "$tmp/ts.csv" ip-protocol)
check "csv time series: a totals row per interval" test "$4" -gt 1
check_eq "csv time series: octets add up" "$2 $3" "$total $total"

"$report" -s "$tmp/stat.cfg" -f xml <"$input" >/dev/null 2>"$tmp/err"; rc=$?
check_eq "-f xml: exit 1" "$rc" 1
check "-f xml: says why" grep -q '^flow-report: unknown format "xml"' "$tmp/err"
"$report" -s "$tmp/stat.cfg" -f binary <"$input" >/dev/null 2>"$tmp/err"; rc=$?
check_eq "-f binary: exit 1" "$rc" 1

finish report
