#!/bin/sh
# capture-filter.sh BUILD_DIR - flow-capture -f/-F: a stream sent with
# flow-send over the loopback interface is captured through a filter
# definition; the file must hold exactly the flows that definition keeps,
# as tests/v5flows.py decides them on its own (not ftkit's filter), and the
# statistics must count the others.
# The port is chosen free at run time; every wait is bounded.
set -u
build=$(cd "${1:?usage: capture-filter.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
shared=$(cd "${FTKIT_SHARED:-$here/../../shared}" && pwd)
compat=$shared/compat
input=$compat/inputs/v5.ft
cfg=$compat/cfg/filter.cfg
tmp=$(mktemp -d)
export TZ=UTC LC_ALL=C FTKIT_SYMDIR=$compat/sym
. "$here/lib.sh"
pid=

cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# The flows of a v5 stream without their times (which a capture re-stamps),
# sorted; with a definition, those it keeps.  Read and decided in Python.
flows_of() { python3 "$here/v5flows.py" "$@"; }

# capture DEFINITION: send the input to a flow-capture -F DEFINITION and stop it
capture() {
    wd=$tmp/$1
    mkdir -p "$wd"
    port=$(free_port)
    "$build/flow-capture" -D -p - -S 1 -w "$wd" -f "$cfg" -F "$1" "127.0.0.1/0/$port" \
        2>"$wd.log" &
    pid=$!
    wait_for 5 grep -qs 'listening on port' "$wd.log"
    "$build/flow-send" -r 5000 "0/127.0.0.1/$port" <"$input" 2>>"$wd.send"
    # every sent flow is either written or counted as filtered at exit
    kill -TERM "$pid"
    wait_exit
    return $rc
}

for def in tcp voice campus-out; do
    capture "$def"; rc=$?
    check "$def: flow-capture exits 0 on SIGTERM" test "$rc" = 0
    file=$(find "$tmp/$def" -type f -name 'ft-*' | head -1)
    check "$def: one ft- file" test -n "$file" -a "$(find "$tmp/$def" -type f -name 'ft-*' | wc -l)" = 1
    [ -n "$file" ] || continue
    flows_of "$input" "$def" >"$tmp/$def.want"
    flows_of "$file" >"$tmp/$def.got"
    kept=$(wc -l <"$tmp/$def.want")
    check "$def: the file holds exactly the $kept flows the definition keeps" \
        test "$kept" -gt 0 -a -z "$(cmp "$tmp/$def.want" "$tmp/$def.got" 2>&1)"
    total=$(flows_of "$input" | wc -l)
    check "$def: $((total - kept)) filtered flows counted in the statistics" \
        grep -q "filtered=$((total - kept))\\b" "$tmp/$def.log"
done

# configuration errors stop flow-capture before it starts
"$build/flow-capture" -D -p - -w "$tmp" -f "$compat/cfg/filter-bad.cfg" -F alt-web \
    "127.0.0.1/0/$(free_port)" 2>"$tmp/bad.log" &
pid=$!
wait_exit
check "bad filter configuration: exit 1, the message names file and line" \
    test "$rc" = 1 -a -n "$(grep 'filter-bad.cfg line 4' "$tmp/bad.log")"
"$build/flow-capture" -D -p - -w "$tmp" -f "$cfg" -F no-such-definition \
    "127.0.0.1/0/$(free_port)" 2>"$tmp/nodef.log" &
pid=$!
wait_exit
check "unknown definition: exit 1" test "$rc" = 1 -a -n "$(grep no-such-definition "$tmp/nodef.log")"

# SIGHUP reloads the definition (as flow-tools does) from the file named
# relative to where flow-capture started; a broken file leaves it as it was
rl=$tmp/reload
mkdir -p "$rl/wd"
define_rl() { cp "$cfg" "$rl/f.cfg"; printf 'filter-definition rl\n  match %s\n' "$1" >>"$rl/f.cfg"; }
send_input() { "$build/flow-send" -r 5000 "0/127.0.0.1/$port" <"$input" 2>>"$rl.send"; sleep 0.5; }
# hup_and_wait N: SIGHUP, then wait for the Nth reload, the Nth finished file
# and the next one open (a SIGHUP before it opens would count with this one)
hup_and_wait() {
    kill -HUP "$pid"
    wait_for 10 sh -c "[ \$(grep -Ec 'Reloading filters|reload failed' '$rl.log') -ge $1 ] &&
        [ \$(find '$rl/wd' -type f -name 'ft-*' | wc -l) -ge $1 ] &&
        [ -n \"\$(find '$rl/wd' -type f -name 'tmp-*')\" ]"
}
define_rl "ip-protocol tcp"
port=$(free_port)
(cd "$rl" && exec "$build/flow-capture" -D -p - -S 1 -w wd -f f.cfg -F rl "127.0.0.1/0/$port") \
    2>"$rl.log" &
pid=$!
wait_for 5 grep -qs 'listening on port' "$rl.log"
send_input
define_rl "ip-tos dscp-ef"
hup_and_wait 1
send_input
printf 'filter-definition rl\n  match no-such-primitive x\n' >"$rl/f.cfg"
hup_and_wait 2
send_input
kill -TERM "$pid"
wait_exit
check "reload: flow-capture exits 0" test "$rc" = 0
check "reload: a broken file is reported with its name and line, the old definition stays" \
    grep -q 'reload failed.*f.cfg line 2' "$rl.log"
set -- $(find "$rl/wd" -type f -name 'ft-*' | sort)
check "reload: one file per SIGHUP (3)" test $# = 3
for want in tcp voice voice; do
    [ $# -gt 0 ] || break
    flows_of "$input" "$want" >"$rl/want"
    flows_of "$1" >"$rl/got"
    check "reload: $(basename "$1") holds the flows of definition $want" \
        test -s "$rl/want" -a -z "$(cmp "$rl/want" "$rl/got" 2>&1)"
    shift
done

reports=$(grep -l 'AddressSanitizer\|runtime error\|LeakSanitizer' "$tmp"/*.log 2>/dev/null)
check "no sanitizer reports in the daemon logs" test -z "$reports"

finish capture-filter
