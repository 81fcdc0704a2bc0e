#!/bin/sh
# Scenario tests of flow-clickhouse against real clickhouse-server instances
# started here (loopback ports chosen free, data in a scratch directory,
# stopped at exit): the DDL shipped in etc/clickhouse/ is the generated one;
# a load holds every flow (counts and sums against flow-print's CSV); the
# shipper over a directory of capture files loses nothing while the server
# is down and loads nothing twice; kill -9 in the middle of a file, then a
# new run, leaves each row once; a 2-shard cluster (Distributed table
# sharded by exporter) fed by two flow-capture behind flow-fanout holds the
# sums flow-report gives over both collectors' files.
#
#   tests/clickhouse.sh BUILD_DIR
set -u
build=$(cd "${1:?usage: clickhouse.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
export TZ=UTC LC_ALL=C
. "$here/lib.sh"

if ! command -v clickhouse-server >/dev/null 2>&1 || ! command -v clickhouse-client >/dev/null 2>&1; then
    echo "skip clickhouse: clickhouse-server/clickhouse-client not installed"
    finish clickhouse
    exit 0
fi
for p in flow-clickhouse flow-gen flow-print flow-report flow-nfilter flow-cat flow-capture flow-send flow-fanout; do
    [ -x "$build/$p" ] || give_up clickhouse "clickhouse: $p not built in $build"
done

tmp=$(mktemp -d)
pids=
cleanup() {
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    for d in "$tmp"/ch*; do [ -d "$d" ] && ch_server_stop "$d"; done
    [ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
B=$build
CHL=$B/flow-clickhouse

t1=$(free_tcp_port) h1=$(free_tcp_port) t2=$(free_tcp_port) h2=$(free_tcp_port)
U1="http://127.0.0.1:$h1/"
U2="http://127.0.0.1:$h2/"
q1() { clickhouse-client --port "$t1" --query "$1"; }
q2() { clickhouse-client --port "$t2" --query "$1"; }

# the two servers form cluster ftkit (one shard each)
cluster="<remote_servers><ftkit>
  <shard><replica><host>127.0.0.1</host><port>$t1</port></replica></shard>
  <shard><replica><host>127.0.0.1</host><port>$t2</port></replica></shard>
</ftkit></remote_servers>"
ch_server_start "$tmp/ch1" "$t1" "$h1" "$cluster" || give_up clickhouse "clickhouse: server 1 did not start (see $tmp/ch1/log)"

# ---- the DDL -----------------------------------------------------------------
check "DDL: etc/clickhouse/flows.sql is what flow-clickhouse --ddl writes" \
    sh -c "'$CHL' --ddl | cmp -s - '$top/etc/clickhouse/flows.sql'"
check "DDL: etc/clickhouse/flows-cluster.sql is what --ddl -C ftkit -L flows_local writes" \
    sh -c "'$CHL' --ddl -C ftkit -L flows_local | cmp -s - '$top/etc/clickhouse/flows-cluster.sql'"

# ---- a load: every flow, every field ---------------------------------------
"$B/flow-gen" -R -n 20000 -6 30 -V extended > "$tmp/a.ft"
# count, packets, octets, ports, IPv6 flows, exporters, by flow-print's CSV
want=$("$B/flow-print" -f csv < "$tmp/a.ft" | awk -F, '
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { n++; p += $c["packets"]; o += $c["octets"]; s += $c["srcport"] + $c["dstport"];
      if ($c["ip_version"] == 6) v6++; if ($c["srcaddr"] ~ /:/) a6++ }
    END { printf "%d %d %d %d %d %d\n", n, p, o, s, v6, a6 }')
"$CHL" -c -u "$U1" -t one "$tmp/a.ft" 2> "$tmp/load.err"
check_eq "load: exit 0" "$?" 0
got=$(q1 "SELECT count(), sum(dpkts), sum(doctets), sum(srcport) + sum(dstport),
          countIf(ip_version = 6), countIf(srcaddr6 != toFixedString('', 16)) FROM one" | tr '\t' ' ')
check_eq "load: count, packets, octets, ports, IPv6 flows equal flow-print's" "$got" "$want"
got=$(q1 "SELECT uniqExact(file), uniqExact(load_id), min(ts_start) > toDateTime('2024-01-01 00:00:00') FROM one" | tr '\t' ' ')
check_eq "load: one file, one load id, start times set" "$got" "1 1 1"
# the same rows, field by field: the first flow's print equals its row
want=$("$B/flow-print" -f csv < "$tmp/a.ft" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    NR == 2 { print $c["srcaddr"], $c["dstaddr"], $c["exporter"], $c["input"], $c["output"], $c["src_as"], $c["start_ms"]; exit }')
got=$(q1 "SELECT IPv4NumToString(srcaddr), IPv4NumToString(dstaddr), IPv4NumToString(exaddr), input, output, src_as, start_ms
          FROM one WHERE ip_version = 4 ORDER BY ts_start, ts_start_ms, srcaddr LIMIT 1" | tr '\t' ' ')
first4=$("$B/flow-print" -f csv < "$tmp/a.ft" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["ip_version"] == 4 { print $c["start_ms"], $c["srcaddr"], $c["dstaddr"], $c["exporter"], $c["input"], $c["output"], $c["src_as"], $c["start_ms"] }' |
    sort -n -k1,1 -k2,2 | head -1 | cut -d' ' -f2-)
check_eq "load: the earliest IPv4 flow's fields read back" "$got" "$first4"
"$CHL" -u "$U1" -t one "$tmp/a.ft" 2>/dev/null
check_eq "load: loading the file again replaces its rows" "$(q1 'SELECT count() FROM one')" 20000
"$CHL" -u "$U1" -t nosuch "$tmp/a.ft" -r 1 2> "$tmp/err"
check "load: a refused insert says the server's reason and exits non-zero" \
    grep -q "nosuch.*doesn't exist\|doesn't exist.*nosuch" "$tmp/err"

# ---- flow-report -c: the same reports from the table -------------------------
cat > "$tmp/r.cfg" <<'CFG'
stat-report ex
  type ip-exporter-address
  output
    sort +octets
stat-report src
  type ip-source-address
  output
    sort +octets
    records 20
stat-report proto
  type ip-protocol
  output
    sort -flows
stat-report dport
  type ip-destination-port
  output
stat-report pfx
  type ip-source/destination-address
  ip-source-address-format prefix-len
  output
    sort +packets
    records 15
stat-report sum
  type summary-counters
  output
stat-definition default
  report ex
  report src
  report proto
  report dport
  report pfx
  report sum
CFG
"$B/flow-report" -s "$tmp/r.cfg" < "$tmp/a.ft" > "$tmp/rep-file.txt"
"$B/flow-report" -s "$tmp/r.cfg" -c "$U1" -Q one > "$tmp/rep-ch.txt"
check_eq "flow-report -c: exit 0" "$?" 0
check "flow-report -c: same bytes as from the file ($(wc -l < "$tmp/rep-file.txt") lines, IPv4 and IPv6)" \
    cmp -s "$tmp/rep-file.txt" "$tmp/rep-ch.txt"
cat > "$tmp/f.cfg" <<'CFG'
filter-primitive ex2
  type ip-address
  permit 10.255.254.2
filter-definition ex2
  match ip-exporter-address ex2
CFG
"$B/flow-nfilter" -f "$tmp/f.cfg" -F ex2 < "$tmp/a.ft" | "$B/flow-report" -s "$tmp/r.cfg" > "$tmp/rep-file2.txt"
"$B/flow-report" -s "$tmp/r.cfg" -c "$U1" -Q one -E 10.255.254.2 > "$tmp/rep-ch2.txt"
check "flow-report -c -E: one exporter's flows, same bytes as flow-nfilter then flow-report" \
    cmp -s "$tmp/rep-file2.txt" "$tmp/rep-ch2.txt"
"$B/flow-report" -s "$tmp/r.cfg" -c "$U1" -Q one -t '2030-01-01 00:00:00' | grep -v '^#' > "$tmp/rep-ch3.txt"
check "flow-report -c -t: a window after the flows holds none" sh -c "! grep -q '^10\.' '$tmp/rep-ch3.txt'"
printf 'stat-report b\n  type bps\n  output\nstat-definition default\n  report b\n' > "$tmp/b.cfg"
"$B/flow-report" -s "$tmp/b.cfg" -c "$U1" -Q one > /dev/null 2> "$tmp/b.err"
check "flow-report -c: a type that is no grouping says so and exits 1" \
    sh -c "[ $? = 1 ] && grep -q 'report b cannot run on ClickHouse' '$tmp/b.err'"

# ---- the shipper: server down, then up ---------------------------------------
cap=$tmp/cap
mkdir -p "$cap/2024/2024-03/2024-03-14"
total=0
for i in 1 2 3 4 5; do
    f=$cap/2024/2024-03/2024-03-14/ft-v05.2024-03-14.09${i}000+0000
    "$B/flow-gen" -R -s "$i" -n $((3000 + i * 100)) -V extended > "$f"
    total=$((total + 3000 + i * 100))
done
"$B/flow-gen" -n 10 > "$cap/2024/2024-03/2024-03-14/tmp-v05.2024-03-14.096000+0000"
"$CHL" -c -u "$U1" -t ship
ch_server_stop "$tmp/ch1"
"$CHL" -u "$U1" -t ship -d "$cap" -r 2 2> "$tmp/down.err"
check_eq "shipper: server down: exit 1" "$?" 1
check "shipper: server down: says so" grep -q "Connection refused" "$tmp/down.err"
check "shipper: server down: nothing marked done" sh -c "! grep -q '^D' '$cap.ledger'"
# up again while the shipper waits with backoff (1, 2, 4 s)
"$CHL" -u "$U1" -t ship -d "$cap" -r 6 2> "$tmp/up.err" &
ship=$!
pids="$pids $ship"
sleep 1
ch_server_start "$tmp/ch1" "$t1" "$h1" "$cluster" || fail "server 1 restarted"
pid=$ship
wait_exit
check_eq "shipper: server back: exit 0" "$rc" 0
check_eq "shipper: server back: every flow of the closed files, none of tmp*" \
    "$(q1 'SELECT count(), uniqExact(file) FROM ship' | tr '\t' ' ')" "$total 5"
check_eq "shipper: ledger lists the 5 files done" "$(grep -c '^D' "$cap.ledger")" 5
"$CHL" -u "$U1" -t ship -d "$cap" 2>/dev/null
check_eq "shipper: a second run loads nothing twice" "$(q1 'SELECT count() FROM ship')" "$total"

# ---- the service (-f) and a hook at the same time ----------------------------
"$CHL" -u "$U1" -t ship -d "$cap" -f 1 2> "$tmp/follow.err" &
follow=$!
pids="$pids $follow"
# (a capture file appears under its ft- name whole: flow-capture renames it)
"$B/flow-gen" -R -s 7 -n 1000 -V extended > "$tmp/new.ft"
mv "$tmp/new.ft" "$cap/2024/2024-03/2024-03-14/ft-v05.2024-03-14.097000+0000"
total=$((total + 1000))
timeout 60 "$CHL" -u "$U1" -t ship -d "$cap" 2> "$tmp/hook.err"
check_eq "service and hook: a hook run while the service runs is not kept waiting" "$?" 0
sleep 2
check_eq "service and hook: the new file once" "$(q1 'SELECT count(), uniqExact(file) FROM ship' | tr '\t' ' ')" "$total 6"
pid=$follow
kill -TERM "$pid"
wait_exit
check "service and hook: the service stops on SIGTERM" [ "$rc" -le 1 ]

# ---- kill -9 in the middle of a file ---------------------------------------
# The file's name is first a FIFO fed part of the file and then nothing, so
# that the shipper is surely in the middle of it when killed; then the whole
# file takes its place.
f=$cap/2024/2024-03/2024-03-14/ft-v05.2024-03-14.099000+0000
"$B/flow-gen" -R -s 9 -n 120000 -V extended > "$tmp/big.ft"
total=$((total + 120000))
mkfifo "$f"
# (the feeder then waits on a FIFO nobody writes to, not on a clock, until killed)
mkfifo "$tmp/hold"
python3 -c 'import sys
with open(sys.argv[1], "wb") as out:
    out.write(open(sys.argv[2], "rb").read(10000000)); out.flush(); open(sys.argv[3]).read()' \
    "$f" "$tmp/big.ft" "$tmp/hold" &
feeder=$!
# small blocks: rows reach the table while the file is still being sent
"$CHL" -u "$U1?max_insert_block_size=2000" -t ship -l "$cap.ledger" "$f" 2>"$tmp/kill.err" &
ship=$!
pids="$pids $ship $feeder"
wait_for 30 sh -c "[ \"\$(clickhouse-client --port $t1 --query \"SELECT count() > 0 FROM ship WHERE file LIKE '%099000%'\")\" = 1 ]"
sleep 0.5
kill -9 $ship
wait $ship 2>/dev/null
kill -9 $feeder 2>/dev/null
wait $feeder 2>/dev/null
rm -f "$f"
mv "$tmp/big.ft" "$f"
# the server goes on inserting what it had received: wait for that to end
wait_for 30 sh -c "[ \"\$(clickhouse-client --port $t1 --query \"SELECT count() FROM system.processes WHERE query_id LIKE 'ftkit-load-%'\")\" = 0 ]"
part=$(q1 "SELECT count() FROM ship WHERE file LIKE '%099000%'")
check "kill -9: part of the file was in the table ($part of 120000 rows)" \
    [ "$part" -gt 0 -a "$part" -lt 120000 ]
check "kill -9: the ledger says the load was begun" grep -q "^B .*099000" "$cap.ledger"
"$CHL" -u "$U1" -t ship -d "$cap" 2> "$tmp/rerun.err"
check_eq "kill -9: rerun exits 0" "$?" 0
check_eq "kill -9: after the rerun every flow once" \
    "$(q1 'SELECT count(), uniqExact(file) FROM ship' | tr '\t' ' ')" "$total 7"
check_eq "kill -9: the killed file's rows once" \
    "$(q1 "SELECT count() FROM ship WHERE file LIKE '%099000%'")" 120000

# ---- a 2-shard cluster behind flow-fanout -----------------------------------
ch_server_start "$tmp/ch2" "$t2" "$h2" "$cluster" || give_up clickhouse "clickhouse: server 2 did not start"
"$CHL" -c -u "$U1" -S "$U1" -S "$U2" -C ftkit -L flows_local -t flows_all 2> "$tmp/ddl.err"
check_eq "cluster: tables created on both shards" \
    "$(q1 "EXISTS TABLE flows_local") $(q2 "EXISTS TABLE flows_local") $(q1 "EXISTS TABLE flows_all")" "1 1 1"
# each collector ships its files after each rotation (-R) into the cluster
for c in c1 c2; do
    cat > "$tmp/ship-$c" <<HOOK
#!/bin/sh
exec "$CHL" -u "$U1" -t flows_all -C ftkit -L flows_local -S "$U1" -S "$U2" -d "$tmp/$c" -r 3 2>> "$tmp/ship-$c.log"
HOOK
    chmod +x "$tmp/ship-$c"
    mkdir -p "$tmp/$c"
done
spoof=-s
[ "$(id -u)" = 0 ] || spoof=
pc1=$(free_port) pc2=$(free_port) pf=$(free_port)
"$B/flow-capture" -D -w "$tmp/c1" -N 0 -R "$tmp/ship-c1" "127.0.0.1/0/$pc1" 2> "$tmp/c1.log" &
cp1=$!
"$B/flow-capture" -D -w "$tmp/c2" -N 0 -R "$tmp/ship-c2" "127.0.0.1/0/$pc2" 2> "$tmp/c2.log" &
cp2=$!
"$B/flow-fanout" -D $spoof "0/0/$pf" "0/127.0.0.1/$pc1" "0/127.0.0.1/$pc2" 2> "$tmp/fan.log" &
fan=$!
pids="$pids $cp1 $cp2 $fan"
wait_for 5 grep -q "listening on port" "$tmp/c1.log"
wait_for 5 grep -q "listening on port" "$tmp/c2.log"
wait_for 5 grep -q "listening on port" "$tmp/fan.log"
# two exporters (10.255.254.1 and .2), seen as such when we may send from their addresses
"$B/flow-gen" -R -s 3 -n 20000 -V 5 | tee "$tmp/sent.ft" | "$B/flow-send" $spoof -r 20000f "0/127.0.0.1/$pf" 2> "$tmp/send.err"
sleep 0.5
for pid in $fan $cp1 $cp2; do kill -TERM "$pid" 2>/dev/null; wait_exit; done
# flow-capture ran the hook on its last file as it stopped
check "cluster: flow-capture's -R hook loaded the closed files of both collectors" \
    wait_for 30 sh -c "grep -q '^D' '$tmp/c1.ledger' && grep -q '^D' '$tmp/c2.ledger'" 2>/dev/null
# then a catch-up (what the service does), twice: nothing twice
for c in c1 c2; do "$tmp/ship-$c"; done
for c in c1 c2; do "$tmp/ship-$c"; done
cat > "$tmp/ex.cfg" <<'CFG'
stat-report ex
  type ip-exporter-address
  output
    sort +octets
stat-definition default
  report ex
CFG
want=$("$B/flow-cat" "$tmp/c1" "$tmp/c2" | "$B/flow-report" -s "$tmp/ex.cfg" | grep -v '^#')
got=$(q1 "SELECT IPv4NumToString(exaddr), count(), sum(doctets), sum(dpkts),
          sum(bitAnd(last - first, 4294967295)) FROM flows_all GROUP BY exaddr ORDER BY sum(doctets) DESC" | tr '\t' ,)
check "cluster: the collectors got flows ($(echo "$want" | awk -F, '{ n += $2 } END { print n + 0 }'))" [ -n "$want" ]
check_eq "cluster: per-exporter flows, octets, packets, duration by SQL equal flow-report's" "$got" "$want"
"$B/flow-cat" "$tmp/c1" "$tmp/c2" | "$B/flow-report" -s "$tmp/r.cfg" > "$tmp/rep-files.txt"
"$B/flow-report" -s "$tmp/r.cfg" -c "$U1" -Q flows_all > "$tmp/rep-cluster.txt"
check "cluster: flow-report -c over the Distributed table = flow-report over both collectors' files" \
    cmp -s "$tmp/rep-files.txt" "$tmp/rep-cluster.txt"
n1=$(q1 "SELECT count() FROM flows_local") n2=$(q2 "SELECT count() FROM flows_local")
if [ -n "$spoof" ]; then
    check "cluster: both shards hold rows, by exporter ($n1, $n2)" [ "$n1" -gt 0 -a "$n2" -gt 0 ]
    check_eq "cluster: no exporter on both shards" \
        "$(q1 "SELECT count() FROM (SELECT exaddr FROM flows_local GROUP BY exaddr) WHERE exaddr IN (SELECT exaddr FROM remote('127.0.0.1:$t2', currentDatabase(), flows_local))")" 0
fi
check_eq "cluster: the ledgers list every file done" \
    "$(cat "$tmp/c1.ledger" "$tmp/c2.ledger" | grep -c '^D')" "$(find "$tmp/c1" "$tmp/c2" -name 'ft-*' | wc -l)"

finish clickhouse
