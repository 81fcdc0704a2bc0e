#!/bin/sh
# bench/sort.sh [BUILD_DIR] - flow-sort against nfdump -O bytes -w on the same
# flows (issue 11, section 3).
#
# The flows of bench/run.sh (flow-gen -R, 10 million, zlib 6; the same flows
# in nfdump's uncompressed format, made by bench_data in common.sh and reused
# from WORK when present), sorted by octets into a file:
#   flow-sort in memory, and limited to -m 256M (runs in WORK), each on the
#   zlib-6 file and on an uncompressed copy (nfdump's file is uncompressed),
#   against nfdump -r NF -O bytes -w OUT.
# Targets: in memory at least 2x faster than nfdump; with -m 256M within 2x
# of nfdump's time.  Prints medians of wall and CPU seconds (the machine is
# shared: CPU seconds are the steadier figure), peak RSS, PASS/MISS.
# Not part of the test suite.
#
# Environment: N flows [10000000], RUNS per figure [3], WORK directory
# [/tmp/ftkit-bench, shared with bench/run.sh], PORT [29995], SEND_RATE
# [250000], REGEN=1 to make the data again.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(dirname "$HERE")
B=$(cd "${1:-$TOP/build-bench}" 2>/dev/null && pwd) || { echo "bench: no build directory ${1:-$TOP/build-bench}" >&2; exit 1; }
. "$HERE/common.sh"

file_bench_defaults     # N, RUNS, WORK, PORT, SEND_RATE
RES=$WORK/sort-results.txt

for p in flow-gen flow-cat flow-print flow-send flow-sort; do
    [ -x "$B/$p" ] || die "$B/$p is missing: build first (see bench/README.md)"
done
common_deps
mkdir -p "$WORK" || die "cannot create $WORK"
: > "$RES"
: > "$RES.failed"

say "== flow-sort vs nfdump -O bytes: $N flows, median of $RUNS runs =="
describe_machine
bench_data      # F, NF

F0=$WORK/v5-$N.sort-z0
"$B/flow-cat" -z 0 "$F" > "$F0" || die "flow-cat -z 0 failed"
cat "$F" "$F0" "$NF" > /dev/null     # all in the page cache alike
FS=$B/flow-sort
OUT=$WORK/out.tmp
RUNDIR=$WORK/sort-runs
mkdir -p "$RUNDIR"

say ""
say "(a) sorted by octets (descending), written uncompressed to a file"
timed s_mem_z6 "$FS -z 0 -k -octets < $F > $OUT"
timed s_mem_z0 "$FS -z 0 -k -octets < $F0 > $OUT"
timed s_256_z6 "$FS -z 0 -m 256M -T $RUNDIR -k -octets < $F > $OUT"
timed s_256_z0 "$FS -z 0 -m 256M -T $RUNDIR -k -octets < $F0 > $OUT"
timed s_nfdump "nfdump -r $NF -O bytes -w $OUT"

say ""
say "(b) checks (one run each)"
peak() {    # peak LABEL COMMAND: peak RSS of one run
    /usr/bin/time -f '%M' -o "$WORK/rss.tmp" sh -c "$2" >/dev/null 2>&1
    kb=$(tail -1 "$WORK/rss.tmp")
    say "$1 $kb" >> "$RES"
    printf '  peak RSS %-44s %8d KiB\n' "$(short "$2")" "$kb"
}
peak r_mem "$FS -z 0 -k -octets < $F0 > $OUT"
peak r_256 "$FS -z 0 -m 256M -T $RUNDIR -k -octets < $F0 > $OUT"
peak r_nfdump "nfdump -r $NF -O bytes -w $OUT"
"$FS" -z 0 -m 256M -T "$RUNDIR" -k -octets < "$F" > "$OUT" || say "  flow-sort failed"
sorted=$("$B/flow-print" -f csv < "$OUT" | awk -F, '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == "octets") o = i; next }
    NR > 2 && $o + 0 > prev { bad++ } { prev = $o + 0; n++ }
    END { printf "%d flows, %d out of order", n, bad }')
say "  flow-sort -m 256M output: $sorted; totals $(ftkit_totals "$OUT") (input: $FT_TOTALS)"
say "  temporary files left in $RUNDIR: $(ls -A "$RUNDIR" | wc -l)"
rm -f "$OUT"

# ---- summary -----------------------------------------------------------------
say ""
say "== summary: $N flows, medians of $RUNS runs =="
row() {     # row WHAT LABEL
    printf '  %-46s %7.2f s wall %7.2f s cpu   nfdump/ftkit: wall %5sx cpu %5sx\n' \
        "$1" "$(get "$2")" "$(getcpu "$2")" "$(ratio "$(get s_nfdump)" "$(get "$2")")" \
        "$(ratio "$(getcpu s_nfdump)" "$(getcpu "$2")")"
}
row "flow-sort in memory, zlib-6 input" s_mem_z6
row "flow-sort in memory, uncompressed input" s_mem_z0
row "flow-sort -m 256M, zlib-6 input" s_256_z6
row "flow-sort -m 256M, uncompressed input" s_256_z0
printf '  %-46s %7.2f s wall %7.2f s cpu\n' "nfdump -O bytes -w (uncompressed input)" \
    "$(get s_nfdump)" "$(getcpu s_nfdump)"
nf=$(get s_nfdump)
for l in s_mem_z6 s_mem_z0; do
    ft=$(get $l)
    verdict "$l: in memory at least 2x faster than nfdump -O bytes: $ft vs $nf s = $(ratio "$nf" "$ft")x (cpu $(getcpu $l) vs $(getcpu s_nfdump) s)" \
        "$(ge "$(ratio "$nf" "$ft")" 2)" $l s_nfdump
done
for l in s_256_z6 s_256_z0; do
    ft=$(get $l)
    verdict "$l: -m 256M within 2x of nfdump -O bytes: $ft vs $nf s = $(ratio "$ft" "$nf")x nfdump's time (cpu $(getcpu $l) vs $(getcpu s_nfdump) s)" \
        "$(le "$(ratio "$ft" "$nf")" 2)" $l s_nfdump
done
say ""
say "raw figures: $RES"
