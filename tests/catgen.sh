#!/bin/sh
# Scenario tests of flow-gen and flow-cat.
#
#   tests/catgen.sh BUILD_DIR
#
# flow-gen: the original's counter streams (compat/inputs/gen) byte for
# byte; realistic mode deterministic per seed, different across seeds, and
# its traffic plausible by simple statistics.  flow-cat: directories, tmp
# files, sorting, -t/-T windows, damaged and missing inputs, format changes,
# -o header rewrite, byte orders.
set -u
build=$(cd "${1:?usage: catgen.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
shared=${FTKIT_SHARED:-$here/../../shared}
compat=$(cd "$shared/compat" && pwd)
gen=$build/flow-gen
cat=$build/flow-cat
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC LC_ALL=C

. "$here/lib.sh"

size() { wc -c <"$1" | tr -d ' '; }
# Header length of a stream (bytes 4..7 in the stream's byte order).
hdr_len() {
    od -An -v -t u1 -j 2 -N 6 "$1" | awk '{ if ($1 == 2) print (($3*256+$4)*256+$5)*256+$6;
                                            else print (($6*256+$5)*256+$4)*256+$3 }'
}
# Records in an uncompressed stream of rec_size-byte records.
records() { echo $(( ($(size "$1") - $(hdr_len "$1")) / $2 )); }
# The records only (after the header).
body() { tail -c +$(( $(hdr_len "$1") + 1 )) "$1"; }

for p in "$gen" "$cat"; do
    [ -x "$p" ] || give_up catgen "catgen: $p not built"
done

# ---- flow-gen: the original's streams -----------------------------------
for f in "$compat"/inputs/gen/*.ft; do
    name=$(basename "$f" .ft)          # v5, v5_big, v7_z9, v8.8_big_z3 ...
    v=${name#v}; opts=
    case $v in *_big_z*) opts="-b big -z ${v##*_z}"; v=${v%%_big_z*} ;;
               *_big) opts="-b big"; v=${v%_big} ;;
               *_z*) opts="-z ${v##*_z}"; v=${v%%_z*} ;; esac
    # shellcheck disable=SC2086
    "$gen" -n 25 -V "$v" $opts >"$tmp/gen.ft" 2>"$tmp/err"
    if cmp -s "$tmp/gen.ft" "$f"; then ok "gen $name"; else fail "gen $name" "flow-gen -n 25 -V $v $opts differs"; fi
done
"$gen" -n 0 >"$tmp/zero.ft"; check_eq "gen -n 0: header only" "$(size "$tmp/zero.ft")" 48
"$gen" -n 3000 -V 5 >"$tmp/c.ft"; check_eq "gen counters: -n 3000 records" "$(records "$tmp/c.ft" 64)" 3000
# record 2999 (0xbb7): srcaddr 0.0.11.183, dstport 0xff00+0xbb7 wraps to 0x0ab7
check_eq "gen counters: 16-bit fields wrap" \
    "$(od -An -t x1 -j $((48 + 2999 * 64 + 16)) -N 4 "$tmp/c.ft" | tr -d ' ')-$(od -An -t x1 -j $((48 + 2999 * 64 + 50)) -N 2 "$tmp/c.ft" | tr -d ' ')" \
    "b70b0000-b70a"
"$gen" -h 2>/dev/null; check_eq "gen -h exits 0" $? 0
"$gen" -V 3 >/dev/null 2>"$tmp/err"; check_eq "gen -V 3 refused" $? 1
check "gen -V 3 message" grep -q '^flow-gen: .*version' "$tmp/err"
"$gen" -z 12 >/dev/null 2>"$tmp/err"; check_eq "gen -z 12 refused" $? 1
check "gen -z message" grep -q 'Compression level must be between 0 and 9' "$tmp/err"
"$gen" extra >/dev/null 2>&1; check_eq "gen extra argument refused" $? 1

# ---- flow-gen: realistic mode -------------------------------------------
"$gen" -R -s 7 -n 20000 >"$tmp/r7a.ft"
"$gen" -R -s 7 -n 20000 >"$tmp/r7b.ft"
"$gen" -R -s 8 -n 20000 >"$tmp/r8.ft"
check "realistic: same seed, same bytes" cmp -s "$tmp/r7a.ft" "$tmp/r7b.ft"
check "realistic: another seed, other flows" sh -c "! cmp -s '$tmp/r7a.ft' '$tmp/r8.ft'"
check_eq "realistic: exact count" "$(records "$tmp/r7a.ft" 64)" 20000
"$gen" -R -s 7 -n 20000 -V extended >"$tmp/rx.ft"
"$gen" -R -s 7 -n 20000 -V extended >"$tmp/rx2.ft"
check "realistic extended: same seed, same bytes" cmp -s "$tmp/rx.ft" "$tmp/rx2.ft"
check "realistic extended holds IPv6" sh -c "od -An -v -t x1 '$tmp/rx.ft' | tr -d ' \n' | grep -q 20010db8"
check "realistic v5 holds no IPv6" sh -c "! od -An -v -t x1 '$tmp/r7a.ft' | tr -d ' \n' | grep -q 20010db8"
"$gen" -R -6 50 -n 10 >/dev/null 2>"$tmp/err"
check "realistic -6 with v5 warns" grep -q 'IPv6' "$tmp/err"
"$gen" -R -n 100 -D 0 >/dev/null 2>&1; check_eq "realistic -D 0 refused" $? 1
"$gen" -R -n 100 -S 'not a date' >/dev/null 2>&1; check_eq "realistic -S bad date refused" $? 1

# Statistics of 60000 realistic v5 flows, big-endian, over one hour from
# 2024-03-14 09:00 UTC (the default start), read straight from the records.
"$gen" -R -s 3 -n 60000 -b big >"$tmp/stat.ft"
body "$tmp/stat.ft" | od -An -v -t u1 -w64 | awk -v start=1710406800000 -v span=3600000 '
function u32(i) { return ((b[i]*256 + b[i+1])*256 + b[i+2])*256 + b[i+3] }
function u16(i) { return b[i]*256 + b[i+1] }
{
    for (i = 1; i <= 64; i++) b[i - 1] = $i
    n++
    secs = u32(0); nsecs = u32(4); up = u32(8)
    pkts = u32(32); octs = u32(36); first = u32(40); last = u32(44)
    sp = u16(48); dp = u16(50); prot = b[52]; fl = b[54]
    end = secs * 1000 + int(nsecs / 1000000) - up + last
    beg = secs * 1000 + int(nsecs / 1000000) - up + first
    if (end < prev) unordered++
    prev = end
    if (end < start || end > start + span) outside++
    if (beg > end) backwards++
    if (pkts == 0 || octs < pkts * 20 || octs > pkts * 1500) badsize++
    proto[prot]++
    svc = (sp < dp ? sp : dp)
    if (prot == 6 && svc == 443) https++
    if (prot == 17 && svc == 443) quic++
    if (prot == 17 && svc == 53) { dns++; if (octs / pkts > 1232) bigdns++ }
    if (prot == 17 && svc == 123 && octs != 76 * pkts) badntp++
    if (prot == 6 && fl == 0) tcp_noflags++
    if (prot != 6 && fl != 0) other_flags++
    if (prot == 1 && sp != 0) icmp_port++
    if (prot == 6 && (fl == 2) && pkts > 3) syn_only_big++
    src[b[16] "." b[17] "." b[18] "." b[19]]++
    if (pkts == 1) single++
    print pkts, octs >sizes
}
END {
    printf "n %d\nunordered %d\noutside %d\nbackwards %d\nbadsize %d\n", n, unordered, outside, backwards, badsize
    printf "tcp %.3f\nudp %.3f\nicmp %.3f\n", proto[6]/n, proto[17]/n, proto[1]/n
    printf "https %.3f\nquic %.3f\ndns %.3f\nbigdns %d\nbadntp %d\n", https/n, quic/n, dns/n, bigdns, badntp
    printf "tcp_noflags %d\nother_flags %d\nicmp_port %d\nsyn_only_big %d\n", tcp_noflags, other_flags, icmp_port, syn_only_big
    printf "single %.3f\nsources %d\n", single/n, length(src)
}' sizes="$tmp/sizes" >"$tmp/stats"
# Percentiles of packets, and the share of the bytes in the biggest 1% of flows.
sort -n -k1,1 "$tmp/sizes" | awk '{ p[NR] = $1 } END {
    printf "median_pkts %d\np99_pkts %d\nmax_pkts %d\n", p[int(NR/2)], p[int(NR*0.99)], p[NR] }' >>"$tmp/stats"
sort -n -k2,2 "$tmp/sizes" | awk '{ o[NR] = $2; tot += $2 } END {
    for (i = NR - int(NR / 100) + 1; i <= NR; i++) top += o[i]; printf "top1 %.3f\n", top / tot }' >>"$tmp/stats"
stat() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/stats"; }
# between LO X HI (floating point)
between() { awk -v lo="$1" -v x="$2" -v hi="$3" 'BEGIN { exit !(x >= lo && x <= hi) }'; }
check_eq "stats: all records read" "$(stat n)" 60000
check_eq "stats: end times in order" "$(stat unordered)" 0
check_eq "stats: end times inside the span" "$(stat outside)" 0
check_eq "stats: no flow ends before it starts" "$(stat backwards)" 0
check_eq "stats: 20..1500 bytes per packet" "$(stat badsize)" 0
check "stats: TCP share $(stat tcp) in 0.45..0.70" between 0.45 "$(stat tcp)" 0.70
check "stats: UDP share $(stat udp) in 0.25..0.50" between 0.25 "$(stat udp)" 0.50
check "stats: ICMP share $(stat icmp) in 0.01..0.08" between 0.01 "$(stat icmp)" 0.08
check "stats: HTTPS share $(stat https) in 0.25..0.45" between 0.25 "$(stat https)" 0.45
check "stats: QUIC share $(stat quic) in 0.07..0.20" between 0.07 "$(stat quic)" 0.20
check "stats: DNS share $(stat dns) in 0.12..0.30" between 0.12 "$(stat dns)" 0.30
check_eq "stats: DNS datagrams of at most 1232 bytes" "$(stat bigdns)" 0
check_eq "stats: NTP packets of 76 bytes" "$(stat badntp)" 0
check_eq "stats: every TCP flow has flags" "$(stat tcp_noflags)" 0
check_eq "stats: no flags outside TCP" "$(stat other_flags)" 0
check_eq "stats: ICMP type/code in the destination port only" "$(stat icmp_port)" 0
check_eq "stats: SYN-only flows are short" "$(stat syn_only_big)" 0
check "stats: heavy tail, top 1% of flows carry $(stat top1) of the bytes" between 0.35 "$(stat top1)" 0.95
check "stats: median flow $(stat median_pkts) packets (2..20)" between 2 "$(stat median_pkts)" 20
check "stats: 99th percentile $(stat p99_pkts) packets (100..20000)" between 100 "$(stat p99_pkts)" 20000
check "stats: elephants, largest $(stat max_pkts) packets" between 10000 "$(stat max_pkts)" 4000000
check "stats: single-packet flows $(stat single)" between 0.10 "$(stat single)" 0.60
check "stats: $(stat sources) source addresses" between 3000 "$(stat sources)" 60000

# -S and -D move and stretch the span.
"$gen" -R -n 1000 -S '2024-01-01 00:00:00' -D 2h -b big >"$tmp/span.ft"
body "$tmp/span.ft" | od -An -v -t u1 -w64 | awk '
    { s = (($1*256+$2)*256+$3)*256+$4; if (NR == 1 || s < lo) lo = s; if (s > hi) hi = s }
    END { exit !(lo >= 1704067200 && hi <= 1704067200 + 7200 + 2 && hi - lo > 6000) }'
check_eq "realistic -S/-D: export times inside 2024-01-01 00:00 + 2h" $? 0
"$gen" -R -n 5000 -s 5 -V 8.5 >"$tmp/r85.ft"
check_eq "realistic v8.5: exact count" "$(records "$tmp/r85.ft" 56)" 5000
for v in 1 6 7 8.1 8.8 8.14 1005; do
    "$gen" -R -n 500 -s 2 -V $v -d 1 >/dev/null 2>"$tmp/err"
    check "realistic -V $v: nothing lost in conversion" grep -q ', 0 lost' "$tmp/err"
done

# ---- flow-cat: copying -----------------------------------------------------
in=$compat/inputs
"$cat" -z 0 "$in/v5.ft" "$in/sfd_v5.ft" >"$tmp/two.ft"
check "cat: two files as the original" cmp -s "$tmp/two.ft" "$compat/expected/cat/cat_two_files.ft"
body "$in/v5.ft" >"$tmp/v5.body"
body "$in/sfd_v5.ft" >"$tmp/sfd.body"
"$cat" -b big "$in/v5.ft" >"$tmp/big.ft"
"$cat" -b little "$tmp/big.ft" >"$tmp/rt.ft"
body "$tmp/big.ft" >"$tmp/big.body"
body "$tmp/rt.ft" >"$tmp/rt.body"
check "cat -b big: records converted" sh -c "! cmp -s '$tmp/big.body' '$tmp/v5.body'"
check "cat -b big then -b little: records back" cmp -s "$tmp/rt.body" "$tmp/v5.body"
"$cat" -z 0 "$in/dir" >"$tmp/dir.ft"
check_eq "cat: directory without tmp files" "$(records "$tmp/dir.ft" 64)" 266
"$cat" -a -z 0 "$in/dir" >"$tmp/dira.ft"
check_eq "cat -a: directory with tmp files" "$(records "$tmp/dira.ft" 64)" 435
"$cat" -z 0 "$in/dir/tmp-v05.2024-03-14.091648+0000" >"$tmp/named.ft"
check_eq "cat: a tmp file named on the command line is read" "$(records "$tmp/named.ft" 64)" 169
"$cat" -g -z 0 "$in/dir/ft-v05.2024-03-14.091648+0000" "$in/dir/ft-v05.2024-03-14.091051+0000" >"$tmp/g.ft"
check "cat -g: sorted by capture start" cmp -s "$tmp/g.ft" "$compat/expected/cat/cat_dir.ft"
"$cat" -z 0 "$in/dir/ft-v05.2024-03-14.091648+0000" "$in/dir/ft-v05.2024-03-14.091051+0000" >"$tmp/ng.ft"
check "cat: without -g, command-line order" sh -c "! cmp -s '$tmp/ng.ft' '$tmp/g.ft'"
mkdir -p "$tmp/nest/2024/2024-03/2024-03-14"
cp "$in/dir/ft-v05.2024-03-14.091648+0000" "$tmp/nest/2024/2024-03/2024-03-14/"
cp "$in/dir/ft-v05.2024-03-14.091051+0000" "$tmp/nest/2024/"
echo "not a flow file" >"$tmp/nest/README"
"$cat" -z 0 "$tmp/nest" >"$tmp/nest.ft" 2>"$tmp/err"
check "cat: nested directories walked, sorted by start" cmp -s "$tmp/nest.ft" "$compat/expected/cat/cat_dir.ft"
check_eq "cat: other names in directories ignored" "$(wc -c <"$tmp/err" | tr -d ' ')" 0
ln -s .. "$tmp/nest/2024/loop"
cp "$in/sfd_v5.ft" "$tmp/nest/cf-sfd"
"$cat" -z 0 "$tmp/nest" >"$tmp/nest.ft" 2>"$tmp/err"
check_eq "cat: cf files taken, links to directories not followed" "$(records "$tmp/nest.ft" 64)" $((266 + 435))

# ---- flow-cat: -t / -T ---------------------------------------------------
"$cat" -z 0 -t '2024-03-14 09:11:51' "$in/dir" >"$tmp/t.ft"
check_eq "cat -t alone: files starting before" "$(records "$tmp/t.ft" 64)" 162
"$cat" -z 0 -T '2024-03-14 09:15:48' "$in/dir" >"$tmp/t.ft"
check_eq "cat -T alone: files ending after" "$(records "$tmp/t.ft" 64)" 104
"$cat" -z 0 -t '2024-03-14 09:11:51' -T '2024-03-14 09:17:48' "$in/dir" >"$tmp/t.ft"
check_eq "cat -t -T: files starting inside" "$(records "$tmp/t.ft" 64)" 104
"$cat" -z 0 -t 'Mar 14 2024 09:00' -T '@1710407520' "$in/dir" >"$tmp/t.ft"
check_eq "cat -t -T: other date forms" "$(records "$tmp/t.ft" 64)" 162
"$cat" -z 0 -t '2024-03-14 09:17:00' -T '2024-03-14 09:30' "$in/dir" >"$tmp/t.ft" 2>/dev/null
check_eq "cat -t -T: empty window exits 1" $? 1
check_eq "cat -t -T: empty window writes nothing" "$(size "$tmp/t.ft")" 0
"$cat" -t 'next blursday' "$in/dir" >/dev/null 2>"$tmp/err"
check_eq "cat -t: bad date refused" $? 1
check "cat -t: message names the date" grep -q 'blursday' "$tmp/err"
# Files without header times are selected by the time in their names.
mkdir "$tmp/named"
for t in 0900 0920 0940; do
    "$gen" -R -n 100 -S "2024-03-14 ${t%??}:${t#??}" -D 10m >"$tmp/named/ft-v05.2024-03-14.${t}00+0000"
done
"$cat" -z 0 -t '2024-03-14 09:10' -T '2024-03-14 09:30' "$tmp/named" >"$tmp/t.ft"
check_eq "cat -t -T: times from file names" "$(records "$tmp/t.ft" 64)" 100

# ---- flow-cat: damage, missing files, formats --------------------------------
head -c 10000 "$in/v5.ft" >"$tmp/trunc.ft"
"$cat" -z 0 "$tmp/trunc.ft" "$in/sfd_v5.ft" >"$tmp/d.ft" 2>"$tmp/err"
check_eq "cat damaged: exit status 1" $? 1
check_eq "cat damaged: records before the damage, then the next file" "$(records "$tmp/d.ft" 64)" $(( (10000 - 100) / 64 + 435 ))
check "cat damaged: message names file and offset" grep -q "trunc.ft.*offset 9956" "$tmp/err"
head -c 3000 "$in/v5_z.ft" >"$tmp/truncz.ft"
"$cat" -z 0 "$tmp/truncz.ft" "$in/sfd_v5.ft" >"$tmp/d.ft" 2>"$tmp/err"
check_eq "cat damaged compressed: exit status 1" $? 1
check "cat damaged compressed: message names file and offset" grep -q "truncz.ft.*offset" "$tmp/err"
check "cat damaged compressed: the good file follows" \
    sh -c "tail -c $((435 * 64)) '$tmp/d.ft' | cmp -s - '$tmp/sfd.body'"
"$cat" "$tmp/missing.ft" >"$tmp/m.ft" 2>"$tmp/err"
check_eq "cat missing file: exit 1" $? 1
check_eq "cat missing file: no output" "$(size "$tmp/m.ft")" 0
check "cat missing file: message" grep -q '^flow-cat: .*missing.ft' "$tmp/err"
"$cat" -z 0 "$tmp/missing.ft" "$in/sfd_v5.ft" >"$tmp/m.ft" 2>/dev/null
check_eq "cat missing + good file: exit 1" $? 1
check_eq "cat missing + good file: the good one copied" "$(records "$tmp/m.ft" 64)" 435
"$cat" "$in/v5.ft" "$in/v7.ft" >"$tmp/mix.ft" 2>"$tmp/err"
check_eq "cat v5 then v7: exit 1" $? 1
check "cat v5 then v7: message" grep -q 'data version or sub version changed' "$tmp/err"
check_eq "cat v5 then v7: the v5 records written" "$(records "$tmp/mix.ft" 64)" 435
"$cat" -V 5 -z 0 "$in/v5.ft" "$in/v7.ft" >"$tmp/mix.ft" 2>"$tmp/err"
check_eq "cat -V 5: v7 converted, exit 0" $? 0
check_eq "cat -V 5: all records" "$(records "$tmp/mix.ft" 64)" 870
mkfifo "$tmp/fifo"
cat "$in/v5.ft" >"$tmp/fifo" &
"$cat" -z 0 "$in/sfd_v5.ft" "$tmp/fifo" >"$tmp/p.ft" 2>"$tmp/err"
check_eq "cat: a named pipe is read once, whole" "$(records "$tmp/p.ft" 64)" 870
wait
"$cat" -h 2>/dev/null; check_eq "cat -h exits 1" $? 1
"$cat" -z 0 - <"$in/v1.ft" >"$tmp/s.ft"
check "cat -: standard input" cmp -s "$tmp/s.ft" "$compat/expected/cat/cat_stdin_dash.ft"

# ---- flow-cat: the next files read ahead on other threads -------------------
# Without -V the files are opened and inflated ahead (cat/files_ahead.c);
# -V 5 on v5 files copies the same raw records with the files read one
# after the other, so the two must agree byte for byte, messages and exit
# status included: more files than are read ahead at once, compressed
# and not, a damaged one and a missing one among them.
mkdir "$tmp/many"
for i in 0 1 2 3 4 5 6 7 8 9; do
    "$cat" -z $((i % 3 * 3)) "$in/v5.ft" >"$tmp/many/ft-v05.2024-03-14.09$((10 + i))00+0000"
done
head -c 3000 "$in/v5_z.ft" >"$tmp/many/ft-v05.2024-03-14.0915300+0000"
"$cat" -z 0 "$tmp/many" >"$tmp/ahead.ft" 2>"$tmp/ahead.err"; ahead_rc=$?
"$cat" -V 5 -z 0 "$tmp/many" >"$tmp/one.ft" 2>"$tmp/one.err"; one_rc=$?
check_eq "cat ahead: exit status as one by one" "$ahead_rc" "$one_rc"
check "cat ahead: output as one by one" cmp -s "$tmp/ahead.ft" "$tmp/one.ft"
check "cat ahead: messages as one by one" cmp -s "$tmp/ahead.err" "$tmp/one.err"
check "cat ahead: the damage is named" grep -q "0915300.*offset" "$tmp/ahead.err"
taskset -c 0 "$cat" -z 0 "$tmp/many" >"$tmp/ahead1.ft" 2>/dev/null
check "cat ahead on one core: output as one by one" cmp -s "$tmp/ahead1.ft" "$tmp/one.ft"
"$cat" -z 0 "$tmp/many" "$tmp/missing.ft" "$tmp/many" >"$tmp/ahead.ft" 2>"$tmp/ahead.err"; ahead_rc=$?
"$cat" -V 5 -z 0 "$tmp/many" "$tmp/missing.ft" "$tmp/many" >"$tmp/one.ft" 2>"$tmp/one.err"; one_rc=$?
check_eq "cat ahead, twice and a missing file: exit status" "$ahead_rc" "$one_rc"
check "cat ahead, twice and a missing file: output" cmp -s "$tmp/ahead.ft" "$tmp/one.ft"
check "cat ahead, twice and a missing file: messages" cmp -s "$tmp/ahead.err" "$tmp/one.err"
{ timeout 20 "$cat" -z 0 "$tmp/many" "$tmp/many" 2>/dev/null; echo $? >"$tmp/rc"; } | head -c 100 >/dev/null
check "cat ahead: a reader that leaves early ends it (no hang)" test "$(cat "$tmp/rc")" != 124

# ---- flow-cat -o: header rewritten -----------------------------------------
"$cat" -z 0 -o "$tmp/o.ft" "$in/sfd_v5.ft" "$in/v5.ft"
check "cat -o: header rewritten as the original" cmp -s "$tmp/o.ft" "$compat/expected/cat/cat_outfile.ft"
"$cat" -z 6 -o "$tmp/oz.ft" "$in/sfd_v5.ft" "$in/v5.ft"
check_eq "cat -o -z 6: header length as -z 0" "$(hdr_len "$tmp/oz.ft")" "$(hdr_len "$tmp/o.ft")"
check "cat -o -z 6: compressed" sh -c "[ $(size "$tmp/oz.ft") -lt $(( $(size "$tmp/o.ft") / 2 )) ]"
"$cat" -z 0 "$tmp/oz.ft" >"$tmp/oz.plain"
body "$tmp/o.ft" >"$tmp/o.body"
body "$tmp/oz.plain" >"$tmp/oz.body"
check "cat -o -z 6: reads back to the same records" cmp -s "$tmp/oz.body" "$tmp/o.body"

cp "$in/v5.ft" "$tmp/same.ft"
"$cat" -o "$tmp/same.ft" "$in/sfd_v5.ft" "$tmp/same.ft" 2>"$tmp/err"
check_eq "cat -o onto an input: refused" $? 1
check "cat -o onto an input: input intact" cmp -s "$tmp/same.ft" "$in/v5.ft"

finish catgen
