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
