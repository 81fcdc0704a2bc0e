# tests/lib.sh - helpers shared by the shell scenario scripts (POSIX sh).
# Sourced, not run:  . "$(dirname "$0")/lib.sh"
#
# Every script prints one line per check ("ok NAME" or "FAIL NAME") and ends
# with "SCRIPT: N passed, M failed"; run-all.sh reads those lines, so their
# shape lives here, in one place.

passed=0 failed=0
# What stands between "ok" and a check's name.  Some scripts pad it to line
# the names up under "FAIL "; they set ok_pad='   ' after sourcing this.
ok_pad=' '

ok() { passed=$((passed + 1)); echo "ok$ok_pad$1"; }
# fail NAME [DETAIL]
fail() { failed=$((failed + 1)); echo "FAIL $1${2:+: $2}"; }

# check NAME COMMAND...: passes when COMMAND succeeds
check() { name=$1; shift; if "$@"; then ok "$name"; else fail "$name"; fi; }

# check_quiet NAME COMMAND...: the same, with the command's output discarded
# (make and compilers talk; only the check line should show)
check_quiet() { name=$1; shift; if "$@" >/dev/null 2>&1; then ok "$name"; else fail "$name"; fi; }

# check_eq NAME GOT WANT
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$2', want '$3'"; fi; }

# finish SCRIPT: the summary line; the exit status says whether all passed.
finish() {
    echo "$1: $passed passed, $failed failed"
    [ "$failed" = 0 ]
}

# give_up SCRIPT MESSAGE: nothing can be checked (a program or input is
# missing); said as one failed check so the summary still counts it.
give_up() {
    echo "$2"
    echo "$1: 0 passed, 1 failed"
    exit 1
}

# free_port: a UDP port on 127.0.0.1 that nothing listens on right now
# (the kernel picks it), so parallel runs do not collide.
free_port() {
    python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for SECONDS COMMAND...: poll until the command succeeds, at most
# SECONDS; 1 when it never did.  Every wait of a scenario is bounded.
wait_for() {
    limit=$(($1 * 20)); shift
    i=0
    while [ $i -lt "$limit" ]; do
        "$@" && return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

# wait_exit: wait for the process $pid, killing it after 10 seconds; its exit
# status in rc, $pid cleared so a cleanup trap does not kill a reused pid.
wait_exit() {
    ( sleep 10; kill -9 "$pid" 2>/dev/null ) &
    dog=$!
    wait "$pid"
    rc=$?
    kill "$dog" 2>/dev/null
    wait "$dog" 2>/dev/null
    pid=
}
