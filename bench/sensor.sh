#!/bin/sh
# bench/sensor.sh [BUILD_DIR] - flow-sensor -r against softflowd -r and
# nfpcapd -r on the same pcap, one run each, side by side (issue 10, section 5).
#
# The pcap: mkpcap.py --seed 1 --flows 160000 --duration 1800 --ipv6-share 0.2
# (about 4.0M packets, 477 MB), read once first so that every tool reads it
# from the page cache.  Each tool meters it with the same timeouts (inactive
# 15 s, active 30 min, TCP FIN/RST 2 s) and a flow table big enough for all
# (1M flows), and exports or writes what it finds:
#   flow-sensor -X 9 -n 127.0.0.1/PORT   v9 datagrams to a port nobody reads
#   flow-sensor > file                   an extended-record stream (zlib 6)
#   softflowd -v 9 -n 127.0.0.1:PORT     v9 datagrams, the same port
#   nfpcapd -w DIR                       nfdump files (not compressed)
# Figures: wall seconds, CPU seconds (user + system, all threads), packets
# per wall second and per CPU second, CPU seconds per million packets, and
# the packet total each saw (nfpcapd's from nfdump -I on what it wrote;
# it makes one flow per ICMP packet).  Memory per 100k concurrent flows: the same runs
# with timeouts longer than the capture (every flow alive at the end), the
# peak RSS less that of a run on 1000 packets, per 100k flows.
#
# The machine may be busy: wall figures then mean little; the targets are
# judged on CPU seconds (flow-sensor's packets per CPU second >= 3x
# softflowd's; its CPU per packet <= a third of nfpcapd's).
#
# Environment: WORK (/tmp/ftkit-bench-sensor), PORT (29996), REGEN=1.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${1:-$TOP/build-bench}" && pwd)
WORK=${WORK:-/tmp/ftkit-bench-sensor}
PORT=${PORT:-29996}
MKPCAP=${MKPCAP:-$TOP/../shared/tools/mkpcap.py}
[ -f "$MKPCAP" ] || MKPCAP=/work/shared/tools/mkpcap.py
. "$TOP/bench/common.sh"
need softflowd softflowd
need nfpcapd nfdump
need /usr/bin/time time
mkdir -p "$WORK"
PCAP=$WORK/bench.pcap
if [ ! -s "$PCAP" ] || [ "${REGEN:-0}" = 1 ]; then
    say "making $PCAP (about 2 minutes)"
    python3 "$MKPCAP" -o "$PCAP" --seed 1 --flows 160000 --duration 1800 \
        --ipv6-share 0.2 || die "mkpcap failed"
fi
SMALL=$WORK/small.pcap
python3 - "$PCAP" "$SMALL" <<'EOF'
import sys
with open(sys.argv[1], "rb") as f, open(sys.argv[2], "wb") as o:
    o.write(f.read(24))
    import struct
    for _ in range(1000):
        h = f.read(16)
        o.write(h + f.read(struct.unpack("<I", h[8:12])[0]))
EOF
cat "$PCAP" >/dev/null

# run NAME COMMAND...: one timed run; "wall user sys maxrss_kb" into $WORK/NAME.time
run() {
    name=$1; shift
    /usr/bin/time -o "$WORK/$name.raw" -f '%e %U %S %M' "$@" \
        >"$WORK/$name.out" 2>"$WORK/$name.err"
    # time says "Command exited with non-zero status N" first when it did
    tail -n 1 "$WORK/$name.raw" >"$WORK/$name.time"
    grep -q 'status\|signal' "$WORK/$name.raw" && say "$name: $(head -n 1 "$WORK/$name.raw")"
    return 0
}

SF_T="-t general=15 -t tcp=15 -t udp=15 -t icmp=15 -t tcp.rst=2 -t tcp.fin=2 -t maxlife=1800"
SF_LONG="-t general=86400 -t tcp=86400 -t udp=86400 -t icmp=86400 -t tcp.rst=86400 -t tcp.fin=86400 -t maxlife=86400"
S="$B/flow-sensor -m 1000000"
# softflowd 1.1.0 -r blocks in accept() on its control socket: -c none
SF="softflowd -d -c none -p $WORK/sf.pid -m 1000000 -v 9 -n 127.0.0.1:$PORT"
NF="nfpcapd -B 1000000"
for d in nf nfm nfb; do rm -rf "$WORK/$d"; mkdir -p "$WORK/$d"; done

say "running (one run each)"
run sensor_v9 $S -r "$PCAP" -n 127.0.0.1/$PORT -X 9
run sensor_file $S -r "$PCAP"
run softflowd $SF -r "$PCAP" $SF_T
run nfpcapd $NF -w "$WORK/nf" -r "$PCAP" -e 1800,15
# memory: every flow alive at the end, and a baseline
run sensor_mem $S -r "$PCAP" -t 86400 -a 86400 -f 86400 -n 127.0.0.1/$PORT -X 9
run sensor_base $S -r "$SMALL" -n 127.0.0.1/$PORT -X 9
run softflowd_mem $SF -r "$PCAP" $SF_LONG
run softflowd_base $SF -r "$SMALL" $SF_LONG
# nfpcapd takes timeouts up to an hour; the capture is half an hour long
run nfpcapd_mem $NF -w "$WORK/nfm" -r "$PCAP" -e 3600,3600
run nfpcapd_base $NF -w "$WORK/nfb" -r "$SMALL" -e 3600,3600

packets=$(sed -n 's/.*STAT (exit): packets=\([0-9]*\).*/\1/p' "$WORK/sensor_v9.err")
sensor_flows=$(sed -n 's/.* exported=\([0-9]*\).*/\1/p' "$WORK/sensor_mem.err")
sf_packets=$(sed -n 's/^Packets processed: \([0-9]*\).*/\1/p' "$WORK/softflowd.out" "$WORK/softflowd.err" | head -1)
sf_flows=$(sed -n 's/^Flows exported: [0-9]* (\([0-9]*\) records).*/\1/p' "$WORK/softflowd_mem.out" "$WORK/softflowd_mem.err" | head -1)
nf_packets=$(nfdump -R "$WORK/nf" -I 2>/dev/null | sed -n 's/^Packets: *\([0-9]*\).*/\1/p' | head -1)
nf_flows=$(nfdump -R "$WORK/nfm" -I 2>/dev/null | sed -n 's/^Flows: *\([0-9]*\).*/\1/p' | head -1)

{
describe_machine
say "pcap: $PCAP, $packets packets ($(du -m "$PCAP" | cut -f1) MB)"
say ""
printf '%-26s %8s %8s %12s %12s %12s %10s\n' tool wall_s cpu_s pkts/wall_s pkts/cpu_s cpu_s/Mpkt packets
for t in sensor_v9 sensor_file softflowd nfpcapd; do
    case $t in
    softflowd) seen=${sf_packets:-?} ;;
    nfpcapd) seen=${nf_packets:-?} ;;
    *) seen=$packets ;;
    esac
    awk -v t="$t" -v n="$packets" -v seen="$seen" '{ cpu = $2 + $3;
        printf "%-26s %8.2f %8.2f %12.0f %12.0f %12.3f %10s\n", t, $1, cpu,
               n / ($1 > 0 ? $1 : 0.01), n / (cpu > 0 ? cpu : 0.01), cpu / (n > 0 ? n / 1e6 : 1), seen }' \
        "$WORK/$t.time"
done
say ""
say "memory per 100k concurrent flows (peak RSS; nfpcapd allocates its node cache (-B) up front):"
for t in sensor softflowd nfpcapd; do
    case $t in
    sensor) fl=$sensor_flows ;;
    softflowd) fl=$sf_flows ;;
    nfpcapd) fl=$nf_flows ;;
    esac
    awk -v t="$t" -v fl="${fl:-0}" -v base="$(cut -d' ' -f4 "$WORK/${t}_base.time")" \
        '{ printf "%-10s %8d flows alive at the end, peak %7d KB (%6.1f MB per 100k flows); above a 1000-packet run (%6d KB): %6.1f MB per 100k flows\n",
               t, fl, $4, (fl > 0 ? $4 / 1024 / (fl / 1e5) : 0), base,
               (fl > 0 ? ($4 - base) / 1024 / (fl / 1e5) : 0) }' "$WORK/${t}_mem.time"
done
say ""
awk -v a="$(cat "$WORK/sensor_v9.time")" -v b="$(cat "$WORK/softflowd.time")" \
    -v c="$(cat "$WORK/nfpcapd.time")" 'BEGIN {
    split(a, s, " "); split(b, f, " "); split(c, n, " ");
    cs = s[2] + s[3] + 0.001; cf = f[2] + f[3]; cn = n[2] + n[3] + 0.001;
    printf "%s flow-sensor packets per CPU second %.1fx softflowd'"'"'s (target >= 3x)\n",
           cf / cs >= 3 ? "PASS" : "MISS", cf / cs;
    printf "%s flow-sensor CPU per packet %.2f of nfpcapd'"'"'s (target <= 0.33)\n",
           cs / cn <= 1 / 3 ? "PASS" : "MISS", cs / cn;
    printf "%s flow-sensor wall time %.2f s (target about 0.7 s on an idle machine)\n",
           s[1] <= 0.75 ? "PASS" : "MISS", s[1] }'
} | tee "$WORK/results.txt"

# Live: tcpreplay at top speed into one end of a veth pair in a namespace,
# flow-sensor -i on the other; the rate reached and the kernel's drops.
# Whole packets (a cut one would go out shorter than its IP length says).
[ "${LIVE:-1}" = 1 ] || exit 0
LPCAP=$WORK/live.pcap
[ -s "$LPCAP" ] || python3 "$MKPCAP" -o "$LPCAP" --seed 2 --flows 20000 --duration 600 \
    --ipv6-share 0.2 --snaplen 65535 || die "mkpcap failed"
NS=ftbench$$
ip netns add $NS || { say "live: cannot make a network namespace, skipped"; exit 0; }
trap 'ip netns del $NS 2>/dev/null' EXIT
ip netns exec $NS ip link add vb0 type veth peer name vb1
ip netns exec $NS sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip netns exec $NS ip link set vb0 up
ip netns exec $NS ip link set vb1 up
ip netns exec $NS "$B/flow-sensor" -i vb1 -B 256M -m 1000000 >/dev/null \
    2>"$WORK/live.err" &
lpid=$!
sleep 1
ip netns exec $NS tcpreplay -i vb0 --topspeed "$LPCAP" >"$WORK/live.replay" 2>&1
sleep 1
kill -TERM $lpid; wait $lpid
rate=$(sed -n 's/.*Rated: [0-9.]* Bps, [0-9.]* Mbps, \([0-9.]*\) pps.*/\1/p' "$WORK/live.replay")
sent=$(sed -n 's/.*Actual: \([0-9]*\) packets.*/\1/p' "$WORK/live.replay")
{
say ""
say "live on a veth pair: tcpreplay --topspeed sent ${sent:-?} packets at ${rate:-?} packets/s"
sed -n 's/.*STAT (exit): packets=\([0-9]*\).* kernel_drops=\([0-9]*\) if_drops=\([0-9]*\).*/flow-sensor -i saw \1 packets, kernel drops \2, interface drops \3/p' "$WORK/live.err"
awk -v r="${rate:-0}" -v d="$(sed -n 's/.* kernel_drops=\([0-9]*\).*/\1/p' "$WORK/live.err")" 'BEGIN {
    printf "%s no kernel drops at %.0f packets/s (target: none at 1M packets/s; %s)\n",
           (d == 0 && r >= 1e6) ? "PASS" : "MISS", r,
           r < 1e6 ? "tcpreplay did not reach 1M here" : "reached" }'
} | tee -a "$WORK/results.txt"
