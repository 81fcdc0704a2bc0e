# Shared by bench/run.sh and bench/ingest.sh (sourced, not run).
# Expects TOP (the checkout) and B (the build directory) to be set.

say() { printf '%s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# Install a Debian package when a command (or file) is missing.
need() {    # need COMMAND_OR_PATH PACKAGE
    case $1 in
    /*) [ -e "$1" ] && return 0 ;;
    *) command -v "$1" >/dev/null 2>&1 && return 0 ;;
    esac
    say "installing $2 (for $1)"
    if [ -z "${APT_UPDATED:-}" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1 ||
        die "cannot install $2"
}

common_deps() {
    need cc gcc
    need /usr/include/zlib.h zlib1g-dev
    need /usr/bin/time time
    need nfdump nfdump
    need nfcapd nfdump
    need awk gawk
}

# Median of numbers given as arguments.
median() {
    printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 }
        END { if (NR == 0) print 0; else if (NR % 2) print a[(NR + 1) / 2];
              else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

now_ns() { date +%s%N; }

# Environment, so that figures can be told apart later.
describe_machine() {
    say "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
    say "machine:  $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), kernel $(uname -r)"
    say "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; other work on the machine makes figures noisy)"
    say "ftkit:    $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)$(git -C "$TOP" diff --quiet HEAD -- lib cat print gen capture 2>/dev/null || echo ' + uncommitted changes'), build $B"
    say "nfdump:   $(nfdump -V 2>&1 | head -1)"
}

# Bounded wait for a UDP port to be bound on loopback (IPv4).
wait_udp_port() {   # wait_udp_port PORT SECONDS
    hex=$(printf '%04X' "$1")
    i=0
    while [ $i -lt $(($2 * 10)) ]; do
        grep -q ":$hex " /proc/net/udp && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# CPU ticks (user + system, all threads) of a live process.
cpu_ticks() {
    awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# Stop a daemon we started: TERM, then wait (bounded), then KILL.
stop_daemon() {     # stop_daemon PID
    kill -TERM "$1" 2>/dev/null
    i=0
    while kill -0 "$1" 2>/dev/null && [ $i -lt 200 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    if kill -0 "$1" 2>/dev/null; then
        say "  (pid $1 did not stop in 20 s: killed)"
        kill -KILL "$1" 2>/dev/null
    fi
    wait "$1" 2>/dev/null
    return 0
}

# Flows, packets and octets of an ftkit stream file (via flow-print CSV).
ftkit_totals() {    # ftkit_totals FILE -> "flows packets octets"
    "$B/flow-cat" "$1" | "$B/flow-print" -f csv | awk -F, '
        NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "packets") p = i; if ($i == "octets") o = i }; next }
        { n++; P += $p; O += $o }
        END { printf "%d %.0f %.0f\n", n, P, O }'
}

# Flows, packets and bytes of nfdump files (nfdump -I summary).
nfdump_totals() {   # nfdump_totals -r FILE | -R DIR -> "flows packets bytes"
    nfdump "$@" -I 2>/dev/null | awk -F': ' '
        $1 == "Flows" { f = $2 } $1 == "Packets" { p = $2 } $1 == "Bytes" { b = $2 }
        END { printf "%d %.0f %.0f\n", f, p, b }'
}

# The defaults bench/run.sh and bench/report.sh share: the same flows, the
# same work directory (so that one makes the data the other reuses).
file_bench_defaults() {
    N=${N:-10000000}
    RUNS=${RUNS:-3}
    WORK=${WORK:-/tmp/ftkit-bench}
    PORT=${PORT:-29995}
    SEND_RATE=${SEND_RATE:-250000}
}

# The benchmark data, made once and kept in WORK: N realistic v5 flows from
# flow-gen at zlib 6 (F), and exactly the same flows in nfdump's format (NF,
# uncompressed), got there the production way: flow-send over loopback to
# nfcapd, then nfdump -R merging what it wrote.  The flow, packet and octet
# totals of both must agree; when nfcapd lost datagrams everything is sent
# again at half the rate.  Sets F, NF and FT_TOTALS.
# Expects N, WORK, PORT, SEND_RATE (and REGEN=1 to make the data again).
bench_data() {
    F=$WORK/v5-$N.ft            # ftkit, zlib 6
    NFDIR=$WORK/nfcapd-$N       # what nfcapd wrote
    NF=$WORK/nf-$N.nf           # the same, merged into one file (nfdump's default: uncompressed)
    if [ "${REGEN:-0}" = 1 ] || [ ! -s "$F" ]; then
        say "generating $F: flow-gen -R -n $N -V 5 -z 6"
        "$B/flow-gen" -R -n "$N" -V 5 -z 6 > "$F.tmp" && mv "$F.tmp" "$F" || die "flow-gen failed"
        rm -rf "$NFDIR" "$NF"
    fi
    FT_TOTALS=$(ftkit_totals "$F")
    set -- $FT_TOTALS
    [ "$1" = "$N" ] || die "flow-print read $1 flows from $F, expected $N"
    say "ftkit file:  $FT_TOTALS (flows packets octets, from flow-cat | flow-print -f csv)"

    rate=$SEND_RATE
    try=0
    while [ ! -s "$NF" ] || [ "$(nfdump_totals -r "$NF")" != "$FT_TOTALS" ]; do
        try=$((try + 1))
        [ $try -le 4 ] || die "nfcapd never stored exactly the same flows; see $WORK/nfcapd.log"
        rm -rf "$NFDIR" "$NF"
        mkdir -p "$NFDIR"
        say "feeding nfcapd: flow-send -V 5 -r ${rate}f over 127.0.0.1 (try $try)"
        nfcapd -b 127.0.0.1 -p "$PORT" -w "$NFDIR" -t 3600 -B 4194304 > "$WORK/nfcapd.log" 2>&1 &
        npid=$!
        wait_udp_port "$PORT" 10 || die "nfcapd did not start; see $WORK/nfcapd.log"
        "$B/flow-send" -V 5 -r "${rate}f" "127.0.0.1/127.0.0.1/$PORT" < "$F" || say "flow-send failed"
        sleep 2
        stop_daemon "$npid"
        nfdump -R "$NFDIR" -w "$NF" 2>>"$WORK/nfcapd.log"
        got=$(nfdump_totals -r "$NF")
        say "  nfdump holds: $got"
        rate=$((rate / 2))
    done
    say "nfdump file: $(nfdump_totals -r "$NF") (flows packets bytes, from nfdump -I): the same flows"
}

# timed LABEL COMMAND: RUNS runs; medians of wall and CPU (user+sys of all
# processes) seconds go to $RES as "LABEL wall cpu best-wall".
timed() {
    walls= cpus=
    i=0
    while [ $i -lt "$RUNS" ]; do
        rm -f "$WORK/out.tmp"
        t0=$(now_ns)
        /usr/bin/time -f '%U %S' -o "$WORK/time.tmp" sh -c "$2" || {
            say "  (exit status $? from: $2)"
            say "$1" >> "$RES.failed"
        }
        t1=$(now_ns)
        walls="$walls $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')"
        cpus="$cpus $(tail -1 "$WORK/time.tmp" | awk '{ printf "%.2f", $1 + $2 }')"
        i=$((i + 1))
    done
    w=$(median $walls)
    c=$(median $cpus)
    best=$(printf '%s\n' $walls | sort -n | head -1)
    say "$1 $w $c $best" >> "$RES"
    printf '  %-58s %7.2f s wall %7.2f s cpu  (walls:%s)\n' "$(short "$2")" "$w" "$c" "$walls"
}
# A command as shown: without the build and work directories.
short() { printf '%s' "$1" | sed "s#$B/##g; s#$WORK/bin/##g; s#$WORK/##g"; }
get() { awk -v k="$1" '$1 == k { print $2 }' "$RES"; }
getcpu() { awk -v k="$1" '$1 == k { print $3 }' "$RES"; }
getbest() { awk -v k="$1" '$1 == k { print $4 }' "$RES"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

# verdict TEXT OK(1/0) [LABEL...]: MISS as well when a command a LABEL names
# failed in timed (its figures are then no figures).
verdict() {
    text=$1 pass=$2
    shift 2
    for l in "$@"; do
        grep -qx "$l" "$RES.failed" 2>/dev/null && { pass=0 text="$text [$l FAILED]"; }
    done
    if [ "$pass" = 1 ]; then say "PASS  $text"; else say "MISS  $text"; fi
}
ge() { awk -v a="$1" -v b="$2" 'BEGIN { print (a >= b) ? 1 : 0 }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? 1 : 0 }'; }
