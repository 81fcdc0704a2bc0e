#!/bin/sh
# bench/run.sh [BUILD_DIR] - ftkit's file tools against nfdump on the same flows.
#
# Makes a realistic v5 file with flow-gen (zlib 6, as flow-capture writes),
# gets exactly the same flows into nfdump's format (flow-send over loopback to
# nfcapd, checked flow for flow by count, packets and octets), then times:
#   (a) printing every flow in the default format,  (b) the same as CSV,
#   (c) reading and writing the binary stream,       (d) bytes per flow on disk,
# and the physical limit (zlib inflate alone + writing as many bytes).
# Prints medians, ratios and PASS/MISS per target.  Not part of the test suite.
#
# Environment: N flows [10000000], RUNS per figure [3], WORK directory
# [/tmp/ftkit-bench], PORT [29995], SEND_RATE flows/s to nfcapd [250000],
# REGEN=1 to make the data again, ZSTD_HIGH level [19].
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(dirname "$HERE")
B=$(cd "${1:-$TOP/build-bench}" 2>/dev/null && pwd) || { echo "bench: no build directory ${1:-$TOP/build-bench}" >&2; exit 1; }
. "$HERE/common.sh"

file_bench_defaults     # N, RUNS, WORK, PORT, SEND_RATE
ZSTD_HIGH=${ZSTD_HIGH:-19}
RES=$WORK/results.txt

for p in flow-gen flow-cat flow-print flow-send; do
    [ -x "$B/$p" ] || die "$B/$p is missing: build first (see bench/README.md)"
done
common_deps
mkdir -p "$WORK/bin" || die "cannot create $WORK"
cc -O2 -o "$WORK/bin/zlimit" "$HERE/zlimit.c" -lz || die "cannot build zlimit"
: > "$RES"
: > "$RES.failed"

say "== ftkit file tools vs nfdump: $N flows, median of $RUNS runs =="
describe_machine

# ---- data ------------------------------------------------------------------
bench_data      # F, NF and FT_TOTALS (common.sh)

cat "$F" "$NF" > /dev/null     # both in the page cache, for every run alike
FC=$B/flow-cat
FP=$B/flow-print

say ""
say "(a) read and print every flow in the default format, to /dev/null"
W_LINE=$("$FP" < "$F" | wc -c)
timed a_ft_pipe "$FC $F | $FP > /dev/null"
timed a_ft_stdin "$FP < $F > /dev/null"
timed a_nfdump "nfdump -r $NF -o line > /dev/null"
timed a_limit "$WORK/bin/zlimit -w $W_LINE $F > /dev/null 2>&1"

say ""
say "(b) the same as CSV"
W_CSV=$("$FP" -f csv < "$F" | wc -c)
timed b_ft_pipe "$FC $F | $FP -f csv > /dev/null"
timed b_ft_stdin "$FP -f csv < $F > /dev/null"
timed b_nfdump "nfdump -r $NF -o csv > /dev/null"
timed b_limit "$WORK/bin/zlimit -w $W_CSV $F > /dev/null 2>&1"

say ""
say "(c) read and write the binary stream (to a file)"
OUT=$WORK/out.tmp
timed c_ft_z6 "$FC -z 6 $F > $OUT"
Z6_SIZE=$(wc -c < "$OUT")
timed c_ft_z0 "$FC -z 0 $F > $OUT"
Z0_SIZE=$(wc -c < "$OUT")
timed c_ft_zstd "$FC -z zstd $F > $OUT"
timed c_nfdump "nfdump -r $NF -w $OUT"
timed c_nfdump_lz4 "nfdump -r $NF -y -w $OUT"
timed c_limit_z6 "$WORK/bin/zlimit -z 6 $F > $OUT 2>/dev/null"
timed c_limit_z0 "$WORK/bin/zlimit -w $Z0_SIZE $F > $OUT 2>/dev/null"
rm -f "$OUT"

say ""
say "(d) bytes per flow on disk (each file made once)"
size_row() {    # size_row LABEL FILE
    s=$(wc -c < "$2")
    printf '  %-44s %12d bytes %8.2f bytes/flow\n' "$1" "$s" "$(awk -v s="$s" -v n="$N" 'BEGIN { print s / n }')"
    say "d_$(printf '%s' "$1" | tr -c 'a-zA-Z0-9\n' _) $(awk -v s="$s" -v n="$N" 'BEGIN { printf "%.2f", s / n }') 0" >> "$RES"
}
for v in 9 zstd "zstd:$ZSTD_HIGH"; do
    f=$WORK/v5-$N.$(printf '%s' "$v" | tr : _)
    [ -s "$f" ] || "$FC" -z "$v" "$F" > "$f" || die "flow-cat -z $v failed"
done
for v in z y j; do
    f=$NF.$v
    [ -s "$f" ] || nfdump -r "$NF" -$v -w "$f" || die "nfdump -$v failed"
done
size_row "ftkit zlib 6 (flow-capture default)" "$F"
size_row "ftkit zlib 9" "$WORK/v5-$N.9"
size_row "ftkit zstd (default level)" "$WORK/v5-$N.zstd"
size_row "ftkit zstd:$ZSTD_HIGH" "$WORK/v5-$N.zstd_$ZSTD_HIGH"
size_row "nfdump uncompressed (nfcapd default)" "$NF"
size_row "nfdump LZO (-z)" "$NF.z"
size_row "nfdump LZ4 (-y)" "$NF.y"
size_row "nfdump bzip2 (-j)" "$NF.j"

# ---- summary -----------------------------------------------------------------
say ""
say "== summary: $N flows, medians of $RUNS runs =="
say "   ratio: nfdump wall time / ftkit wall time"
say "   limit: the best wall time of zlimit (zlib inflate alone + writing the same bytes; for -z 6 also deflate)"
say "   ftkit/limit: ftkit's median wall time / limit; (cpu) the same with median CPU times"
row() {     # row WHAT FTKIT_LABEL NFDUMP_LABEL LIMIT_LABEL
    ft=$(get "$2")
    nf=$(get "$3")
    lim=$(getbest "$4")
    printf '  %-40s ftkit %7.2f s  nfdump %7.2f s  ratio %6sx  limit %6.2f s  ftkit/limit %5s (cpu %s)\n' \
        "$1" "$ft" "$nf" "$(ratio "$nf" "$ft")" "$lim" "$(ratio "$ft" "$lim")" \
        "$(ratio "$(getcpu "$2")" "$(getcpu "$4")")"
}
row "print, flow-cat | flow-print" a_ft_pipe a_nfdump a_limit
row "print, flow-print < file" a_ft_stdin a_nfdump a_limit
row "csv, flow-cat | flow-print -f csv" b_ft_pipe b_nfdump b_limit
row "csv, flow-print -f csv < file" b_ft_stdin b_nfdump b_limit
row "copy, flow-cat -z 6 (vs nfdump -w)" c_ft_z6 c_nfdump c_limit_z6
row "copy, flow-cat -z 0 (vs nfdump -w)" c_ft_z0 c_nfdump c_limit_z0
row "copy, flow-cat -z zstd (vs nfdump -y)" c_ft_zstd c_nfdump_lz4 c_limit_z0
say "  (limits: print/csv = inflate + write the printed bytes; -z 6 = inflate + deflate at 6 + write;"
say "   -z 0 and zstd = inflate + write the uncompressed bytes)"

say ""
for form in pipe stdin; do
    case $form in pipe) how="flow-cat | flow-print" ;; *) how="flow-print < file" ;; esac
    r=$(ratio "$(get a_nfdump)" "$(get a_ft_$form)")
    verdict "default print ($how) at least 10x faster than nfdump -o line: ${r}x" "$(ge "$r" 10)"
    r=$(ratio "$(get b_nfdump)" "$(get b_ft_$form)")
    verdict "CSV ($how -f csv) at least 10x faster than nfdump -o csv: ${r}x" "$(ge "$r" 10)"
    r=$(ratio "$(get a_ft_$form)" "$(getbest a_limit)")
    verdict "default print ($how) within 1.5x of inflate+write: ${r}x" "$(le "$r" 1.5)"
    r=$(ratio "$(get b_ft_$form)" "$(getbest b_limit)")
    verdict "CSV ($how -f csv) within 1.5x of inflate+write: ${r}x" "$(le "$r" 1.5)"
done
say ""
say "raw figures: $RES"
