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

# free_tcp_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_tcp_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ch_server_start DIR TCP_PORT HTTP_PORT [XML]: a clickhouse-server of our
# own (no systemd): config, data and logs under DIR, listening on loopback
# only, XML (e.g. <remote_servers>) added to its config.  Waits at most 30 s
# for SELECT 1; 0 when it answers (its pid in DIR/pid), else 1.  Shared by
# the scenario tests and the benchmarks (bench/report-ch.sh, bench/clickhouse.sh).
ch_server_start() {
    chd=$1
    mkdir -p "$chd/data" "$chd/tmp" "$chd/log" || return 1
    cat > "$chd/config.xml" <<CHEOF
<?xml version="1.0"?>
<yandex>
    <logger><level>warning</level><log>$chd/log/server.log</log><errorlog>$chd/log/error.log</errorlog></logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>$2</tcp_port>
    <http_port>$3</http_port>
    <path>$chd/data/</path>
    <tmp_path>$chd/tmp/</tmp_path>
    <users_config>$chd/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <mark_cache_size>1073741824</mark_cache_size>
    <timezone>UTC</timezone>
    ${4:-}
</yandex>
CHEOF
    cat > "$chd/users.xml" <<'CHEOF'
<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>8000000000</max_memory_usage></default></profiles>
    <users><default><password></password><networks><ip>127.0.0.1</ip></networks>
        <profile>default</profile><quota>default</quota></default></users>
    <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
        <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
    </interval></default></quotas>
</yandex>
CHEOF
    rm -f "$chd/pid"
    clickhouse-server --daemon --config-file="$chd/config.xml" --pid-file="$chd/pid" \
        > "$chd/log/start.log" 2>&1 || return 1
    i=0
    while [ $i -lt 60 ]; do
        clickhouse-client --port "$2" --query 'SELECT 1' > /dev/null 2>&1 && [ -s "$chd/pid" ] && return 0
        sleep 0.5
        i=$((i + 1))
    done
    ch_server_stop "$chd"
    return 1
}

# ch_server_stop DIR: TERM the server started in DIR, KILL it after 20 s.
ch_server_stop() {
    [ -s "$1/pid" ] || return 0
    chpid=$(cat "$1/pid")
    kill -TERM "$chpid" 2>/dev/null
    i=0
    while kill -0 "$chpid" 2>/dev/null && [ $i -lt 200 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -KILL "$chpid" 2>/dev/null
    rm -f "$1/pid"
    return 0
}
