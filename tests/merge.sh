#!/bin/sh
# Scenario tests of flow-merge (the golden cases are in tests/golden.sh).
#
#   tests/merge.sh BUILD_DIR
#
# Three time-ordered streams merged equal their concatenation sorted by end
# time (flow-sort -k end_ms, stable: earlier inputs first on ties); a
# directory of 150 files; every record once; inputs of another format,
# missing and damaged inputs, an output that is an input, -h.
set -u
build=$(cd "${1:?usage: merge.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
merge=$build/flow-merge
sort=$build/flow-sort
cat=$build/flow-cat
print=$build/flow-print
gen=$build/flow-gen
split=$build/flow-split
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC LC_ALL=C

. "$here/lib.sh"

for p in "$merge" "$sort" "$cat" "$print" "$gen" "$split"; do
    [ -x "$p" ] || give_up merge "merge: $p not built"
done

# Three streams of different traffic, each in end-time order.
for s in 1 2 3; do
    "$gen" -R -s $s -n 3000 -V 5 | "$sort" -k end_ms >"$tmp/in$s.ft"
done
"$merge" -z 0 "$tmp/in1.ft" "$tmp/in2.ft" "$tmp/in3.ft" >"$tmp/m.ft"; rc=$?
check_eq "three inputs: exit 0" "$rc" 0
"$cat" "$tmp/in1.ft" "$tmp/in2.ft" "$tmp/in3.ft" | "$sort" -k end_ms >"$tmp/want.ft"
"$print" -f csv <"$tmp/want.ft" >"$tmp/want.csv"
check "three inputs: same order as flow-sort -k end_ms of flow-cat" sh -c \
    "'$print' -f csv <'$tmp/m.ft' | cmp -s - '$tmp/want.csv'"
check_eq "three inputs: 9000 flows" "$("$print" -f csv <"$tmp/m.ft" | tail -n +2 | wc -l | tr -d ' ')" 9000

# A directory of many files (all open at once).
mkdir "$tmp/dir"
(cd "$tmp/dir" && "$gen" -R -s 4 -n 15000 -V 5 | "$sort" -k end_ms | "$split" -z 0 -N 100 -o ft-part) ||
    fail "making 150 files"
check_eq "150 files made" "$(ls "$tmp/dir" | wc -l | tr -d ' ')" 150
"$merge" "$tmp/dir" >"$tmp/d.ft"; rc=$?
check_eq "directory of 150 files: exit 0" "$rc" 0
check "directory of 150 files: every record, in end-time order" sh -c \
    "'$cat' '$tmp/dir' | '$sort' -k end_ms | '$print' -f csv >'$tmp/dw.csv' &&
     '$print' -f csv <'$tmp/d.ft' | cmp -s - '$tmp/dw.csv'"

# -o: a file with its header rewritten.
"$merge" -o "$tmp/o.ft" "$tmp/in1.ft" "$tmp/in2.ft"; rc=$?
check_eq "-o: exit 0" "$rc" 0
check "-o: header counts 6000 flows" sh -c "'$build/flow-header' <'$tmp/o.ft' | grep -q '^# capture flows: *6000\$'"
cp "$tmp/in1.ft" "$tmp/in1.copy"
"$merge" -o "$tmp/in1.ft" "$tmp/in1.ft" "$tmp/in2.ft" 2>"$tmp/err"; rc=$?
check_eq "-o naming an input: exit 1" "$rc" 1
check "-o naming an input: refused, input intact" cmp -s "$tmp/in1.ft" "$tmp/in1.copy"
check "-o naming an input: message" grep -q 'the output file is also an input' "$tmp/err"

# Bad inputs.
"$gen" -n 100 -V 7 >"$tmp/v7.ft"
"$merge" "$tmp/in1.ft" "$tmp/v7.ft" >"$tmp/out.ft" 2>"$tmp/err"; rc=$?
check_eq "formats differ: exit 1" "$rc" 1
check "formats differ: message" grep -q 'data version or sub version changed!' "$tmp/err"
check_eq "formats differ: nothing written" "$(wc -c <"$tmp/out.ft" | tr -d ' ')" 0
"$merge" "$tmp/in1.ft" "$tmp/nonexistent.ft" "$tmp/in2.ft" >"$tmp/out.ft" 2>"$tmp/err"; rc=$?
check_eq "missing input: exit 1" "$rc" 1
check "missing input: message names it" grep -q "nonexistent.ft" "$tmp/err"
check_eq "missing input: the others merged" \
    "$("$print" -f csv <"$tmp/out.ft" | tail -n +2 | wc -l | tr -d ' ')" 6000
head -c 100000 "$tmp/in2.ft" >"$tmp/cut.ft"
"$merge" "$tmp/in1.ft" "$tmp/cut.ft" >"$tmp/out.ft" 2>"$tmp/err"; rc=$?
check_eq "damaged input: exit 1" "$rc" 1
check "damaged input: message names it" grep -q "cut.ft" "$tmp/err"
check_eq "damaged input: whole records before the damage merged" \
    "$("$print" -f csv <"$tmp/out.ft" | tail -n +2 | wc -l | tr -d ' ')" \
    $((3000 + (100000 - ($(wc -c <"$tmp/in2.ft") - 3000 * 64)) / 64))
echo junk >"$tmp/junk"
"$merge" "$tmp/junk" >/dev/null 2>"$tmp/err"; rc=$?
check_eq "not a stream: exit 1" "$rc" 1
"$merge" -h 2>"$tmp/err"; rc=$?
check_eq "-h: exit 1" "$rc" 1
check "-h: usage" grep -q '^Usage: flow-merge' "$tmp/err"

finish merge
