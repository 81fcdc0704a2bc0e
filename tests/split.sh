#!/bin/sh
# Scenario tests of flow-split.
#
#   tests/split.sh BUILD_DIR
#
# Counts and times split exactly (every record once, in order, files of the
# sizes the rules give), tag series and their names, -z levels, headers, a
# damaged input (the files before the damage kept, a message naming the
# input and the offset, exit 1, no tmp- file left), files that cannot be
# written, and bad options.
set -u
build=$(cd "${1:?usage: split.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
shared=${FTKIT_SHARED:-$here/../../shared}
compat=$(cd "$shared/compat" && pwd)
split=$build/flow-split
header=$build/flow-header
print=$build/flow-print
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC LC_ALL=C FTKIT_SYMDIR="$compat/sym"

. "$here/lib.sh"

for p in "$split" "$header" "$print"; do
    [ -x "$p" ] || give_up split "split: $p not built"
done

size() { wc -c <"$1" | tr -d ' '; }
# Header length of a stream (bytes 4..7 in the stream's byte order).
hdr_len() {
    od -An -v -t u1 -j 2 -N 6 "$1" | awk '{ if ($1 == 2) print (($3*256+$4)*256+$5)*256+$6;
                                            else print (($6*256+$5)*256+$4)*256+$3 }'
}
body() { tail -c +$(( $(hdr_len "$1") + 1 )) "$1"; }
records() { echo $(( ($(size "$1") - $(hdr_len "$1")) / $2 )); }
# unix_secs of every record of a little-endian uncompressed stream, one a line
secs() { body "$1" | od -An -v -t u4 -w"$2" | awk '{ print $1 }'; }
# A fresh, empty directory to split into.
fresh() { rm -rf "$tmp/out"; mkdir "$tmp/out"; }
# The records of files $2... concatenated, equal to those of $1?
same_records() {
    want=$1; shift
    for f in "$@"; do body "$f"; done >"$tmp/cat.bin"
    body "$want" | cmp -s - "$tmp/cat.bin"
}

# ---- -N: counts ----------------------------------------------------------
v5=$compat/inputs/v5.ft
fresh
(cd "$tmp/out" && "$split" -z 0 -N 100 -o part <"$v5"); rc=$?
check_eq "-N 100: exit 0" "$rc" 0
check_eq "-N 100: five files" "$(cd "$tmp/out" && echo *)" "part.0 part.1 part.2 part.3 part.4"
check_eq "-N 100: 100 flows each, the rest in the last" \
    "$(for i in 0 1 2 3 4; do records "$tmp/out/part.$i" 64; done | tr '\n' ' ')" "100 100 100 100 35 "
check "-N 100: every record once, in order" \
    same_records "$v5" "$tmp/out/part.0" "$tmp/out/part.1" "$tmp/out/part.2" "$tmp/out/part.3" "$tmp/out/part.4"
check "-N 100: header counts 100" sh -c "'$header' <'$tmp/out/part.1' | grep -q '^# capture flows: *100\$'"
first=$(secs "$tmp/out/part.4" 64 | head -n 1); last=$(secs "$tmp/out/part.4" 64 | tail -n 1)
check_eq "-N 100: header times are the first and last flow's" \
    "$("$header" <"$tmp/out/part.4" | grep -c "capture start: *$(date -u -d "@$first" '+%a, %d %b %Y %H:%M:%S')\|capture end: *$(date -u -d "@$last" '+%a, %d %b %Y %H:%M:%S')")" 2
check "-N 100: header DONE, not streaming" sh -c "'$header' <'$tmp/out/part.0' | grep -q '^# mode: *normal'"
fresh
(cd "$tmp/out" && "$split" -z 0 -N 435 -o x <"$v5")
check_eq "-N equal to the count: one file" "$(cd "$tmp/out" && echo *)" "x.0"
fresh
(cd "$tmp/out" && "$split" -z 0 -o x <"$v5")
check_eq "no -N/-T: one file of everything" "$(records "$tmp/out/x.0" 64)" 435

# ---- -T: times -------------------------------------------------------------
# The rule, modelled on the input's export times: a file ends with the first
# flow more than T seconds after the file's start, which counts in it.
expect_time_counts() {   # FILE RECSIZE T
    secs "$1" "$2" | awk -v T="$3" '
        { if (n == 0) start = $1; n++
          if ($1 - start > T) { printf "%d ", n; n = 0 } }
        END { if (n) printf "%d ", n }'
}
sfd=$compat/inputs/sfd_v5.ft
for t in 1 30 60 300 10000; do
    fresh
    (cd "$tmp/out" && "$split" -z 0 -T "$t" -o t <"$sfd")
    n=$(ls "$tmp/out" | wc -l)
    got=$(i=0; while [ $i -lt "$n" ]; do records "$tmp/out/t.$i" 64; i=$((i + 1)); done | tr '\n' ' ')
    check_eq "-T $t: files of the sizes the rule gives" "$got" "$(expect_time_counts "$sfd" 64 "$t")"
    files=$(i=0; while [ $i -lt "$n" ]; do echo "$tmp/out/t.$i"; i=$((i + 1)); done)
    # shellcheck disable=SC2086
    check "-T $t: every record once, in order" same_records "$sfd" $files
done
fresh
(cd "$tmp/out" && "$split" -z 0 -T 300 -N 50 -o b <"$sfd")
check "-T with -N: no file over 50 flows" sh -c "for f in '$tmp'/out/b.*; do [ \$(( (\$(wc -c <\$f) - 48) / 64 )) -le 50 ] || exit 1; done"

# ---- -g/-G: tags ---------------------------------------------------------
v1005=$compat/inputs/v1005.ft
fresh
(cd "$tmp/out" && "$split" -z 0 -g -o s <"$v1005"); rc=$?
check_eq "-g: exit 0" "$rc" 0
"$print" -f 9 <"$v1005" | awk 'NR > 1 { print $1 }' | sort -u >"$tmp/tags"
check_eq "-g: one file per source tag" "$(ls "$tmp/out" | wc -l | tr -d ' ')" "$(wc -l <"$tmp/tags" | tr -d ' ')"
bad=0 total=0
for f in "$tmp"/out/s.*; do
    tag=$(basename "$f" | cut -d. -f2)
    hex=$(printf '0x%08x' "$tag")
    n=$("$print" -f 9 <"$f" | awk 'NR > 1' | wc -l)
    total=$((total + n))
    "$print" -f 9 <"$f" | awk -v h="$hex" 'NR > 1 && $1 != h { exit 1 }' || bad=$((bad + 1))
done
check_eq "-g: each file holds only its tag" "$bad" 0
check_eq "-g: all 435 flows" "$total" 435
fresh
(cd "$tmp/out" && "$split" -z 0 -G -n -N 5 -o d <"$v1005")
check "-G -n: names from tag.sym" test -f "$tmp/out/d.TRANSIT_A.0"
check "-G -n: unnamed values in decimal" test -f "$tmp/out/d.131586.0"
check_eq "-G -N 5: all 435 flows" "$(for f in "$tmp"/out/d.*; do records "$f" 72; done | awk '{ n += $1 } END { print n }')" 435
check "-G -N 5: ids count from 0 in each series" sh -c \
    "cd '$tmp/out' && for f in d.*.1; do [ -e \"\${f%.1}.0\" ] || exit 1; done"
check_eq "-G -N 5: no file over 5 flows" \
    "$(for f in "$tmp"/out/d.*; do records "$f" 72; done | sort -n | tail -n 1)" 5
fresh
(cd "$tmp/out" && FTKIT_SYMDIR=/nonexistent "$split" -z 0 -G -n -o d <"$v1005" 2>"$tmp/err")
check "-n without tag.sym: decimal names" test -f "$tmp/out/d.131073.0"
check "-n without tag.sym: said" grep -q 'tag.sym' "$tmp/err"

# ---- -z, -b, -C ------------------------------------------------------------
fresh
(cd "$tmp/out" && "$split" -N 200 -o dflt <"$v5" && "$split" -z 9 -N 200 -o z9 <"$v5" &&
    "$split" -z 0 -N 200 -o z0 <"$v5")
check "default: compressed (flow-tools Q5)" sh -c "'$header' <'$tmp/out/dflt.0' | grep -q '^# compress: *on'"
check "-z 0: not compressed" sh -c "'$header' <'$tmp/out/z0.0' | grep -q '^# compress: *off'"
check "-z 9 smaller than -z 0" test "$(size "$tmp/out/z9.0")" -lt "$(size "$tmp/out/z0.0")"
check "-z 9 and default: the same flows as -z 0" sh -c \
    "'$print' <'$tmp/out/z9.2' >'$tmp/a' && '$print' <'$tmp/out/z0.2' >'$tmp/b' && '$print' <'$tmp/out/dflt.2' >'$tmp/c' && cmp -s '$tmp/a' '$tmp/b' && cmp -s '$tmp/b' '$tmp/c'"
fresh
(cd "$tmp/out" && "$split" -z 0 -b big -C 'night split' -N 300 -o be <"$v5")
check "-b big: big-endian files" sh -c "'$header' <'$tmp/out/be.0' | grep -q '^# byte order: *big'"
check "-C: comment in every file" sh -c "'$header' <'$tmp/out/be.1' | grep -q '^# comments: *night split'"
check "-b big: the same flows" sh -c "'$print' <'$tmp/out/be.0' >'$tmp/a' && '$print' <'$v5' | head -n \$(wc -l <'$tmp/a') | cmp -s - '$tmp/a'"

# ---- a directory in the base name, tmp- names ------------------------------
fresh; mkdir "$tmp/out/dir"
(cd "$tmp/out" && "$split" -z 0 -N 400 -o dir/p <"$v5")
check_eq "base name in a directory" "$(cd "$tmp/out/dir" && echo *)" "p.0 p.1"

# ---- damaged input -----------------------------------------------------------
# 250 records and half of the 251st: files of 100, 100 and 50 flows kept.
head -c $((100 + 250 * 64 + 32)) "$v5" >"$tmp/damaged.ft"
fresh
(cd "$tmp/out" && "$split" -z 0 -N 100 -o dm <"$tmp/damaged.ft" 2>"$tmp/err"); rc=$?
check_eq "damaged: exit 1" "$rc" 1
check_eq "damaged: the files before the damage kept" "$(cd "$tmp/out" && echo *)" "dm.0 dm.1 dm.2"
check_eq "damaged: the last file has the flows before the damage" "$(records "$tmp/out/dm.2" 64)" 50
check "damaged: its header is finished" sh -c "'$header' <'$tmp/out/dm.2' | grep -q '^# capture flows: *50\$'"
check "damaged: message names the input and the offset" grep -q '^flow-split: .*stdin.*16100' "$tmp/err"
fresh
head -c 30 "$v5" | (cd "$tmp/out" && "$split" -o h 2>"$tmp/err"); rc=$?
check_eq "broken header: exit 1" "$rc" 1
check_eq "broken header: no file" "$(ls "$tmp/out" | wc -l | tr -d ' ')" 0

# ---- files that cannot be written --------------------------------------------
fresh
"$split" -z 0 -o "$tmp/out/missing/p" <"$v5" 2>"$tmp/err"; rc=$?
check_eq "missing directory: exit 1" "$rc" 1
check "missing directory: message names the file" grep -q "out/missing/tmp-p.0" "$tmp/err"
fresh
ln -s /dev/full "$tmp/out/tmp-full.0"
(cd "$tmp/out" && "$split" -z 0 -o full <"$v5" 2>"$tmp/err"); rc=$?
check_eq "write error: exit 1" "$rc" 1
check "write error: message names the file" grep -q 'full.0' "$tmp/err"
check "write error: no final name" test ! -e "$tmp/out/full.0"

# ---- options ------------------------------------------------------------------
"$split" -x </dev/null 2>"$tmp/err"; rc=$?
check_eq "unknown option: exit 1" "$rc" 1
check "unknown option: usage" grep -q '^Usage: flow-split' "$tmp/err"
"$split" -h </dev/null 2>/dev/null; check_eq "-h exits 1 (flow-tools Q3)" $? 1
"$split" -g -G <"$v1005" 2>"$tmp/err"; rc=$?
check_eq "-g -G: exit 1" "$rc" 1
check "-g -G: message" grep -q 'Split on destination or source.' "$tmp/err"
fresh
(cd "$tmp/out" && "$split" -g -o x <"$v5" 2>"$tmp/err"); rc=$?
check_eq "-g on v5: exit 1" "$rc" 1
check_eq "-g on v5: no file" "$(ls "$tmp/out" | wc -l | tr -d ' ')" 0
"$split" -N abc <"$v5" 2>/dev/null; check_eq "-N abc refused" $? 1
"$split" -z 12 <"$v5" 2>"$tmp/err"; rc=$?
check_eq "-z 12 refused" "$rc" 1
check "-z 12 message" grep -q 'Compression level must be between 0 and 9' "$tmp/err"
"$split" -o "$(printf '%0232d' 0)" <"$v5" 2>/dev/null; check_eq "base name over 231 characters refused" $? 1
"$split" extra <"$v5" 2>"$tmp/err"; rc=$?
check_eq "extra argument refused" "$rc" 1
check "extra argument message" grep -q 'Extra arguments starting with extra.' "$tmp/err"

finish split
