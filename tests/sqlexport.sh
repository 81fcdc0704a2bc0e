#!/bin/sh
# Scenario tests of flow-export -f 3 (MySQL/MariaDB) and -f 5 (PostgreSQL)
# against real servers the test starts and stops itself.
#
#   tests/sqlexport.sh BUILD_DIR
#
# Debian's mariadbd and postgres run from a scratch directory (their data,
# Unix sockets and logs there, TCP on 127.0.0.1 at free ports; as root,
# postgres runs as the postgres user).  Each gets a user with a password
# and the tables man/flow-export.1 documents, taken from the man page
# itself.  A flow-gen -R stream (several batches) and an extended one
# (IPv6, every field) go in; counts and sums by SQL equal flow-stat's
# totals and per-protocol figures, and every row read back equals
# flow-export -f 2's line for the flow.  -m fills only its columns.  A
# wrong password, a missing table, a closed port and a constraint the
# server enforces halfway through the stream each give the server's
# message and status 1; after the latter the table holds exactly the
# flows "Exported N records" counts (whole batches, nothing of the one
# refused).  Every wait is bounded; the servers stop at exit.
set -u
build=$(cd "${1:?usage: sqlexport.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
fe=$build/flow-export
fg=$build/flow-gen
fs=$build/flow-stat
export TZ=UTC LC_ALL=C
. "$here/lib.sh"
script=sqlexport

for p in "$fe" "$fg" "$fs"; do
    [ -x "$p" ] || give_up $script "$script: $p not built"
done
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
for p in mariadbd mariadb-install-db mariadb psql; do
    command -v $p >/dev/null 2>&1 ||
        give_up $script "$script: $p is missing (Debian packages mariadb-server, postgresql)"
done
[ -n "$pgbin" ] && [ -x "$pgbin/initdb" ] ||
    give_up $script "$script: initdb is missing (Debian package postgresql)"
for f in 3 5; do
    "$fe" -f $f -u x:x:/nonexistent::x:x </dev/null 2>&1 | grep -q "not supported" &&
        give_up $script "$script: flow-export was built without format $f (libmariadb-dev, libpq-dev)"
done

tmp=$(mktemp -d)
chmod 755 "$tmp"
my_pid= pid=
# postgres refuses to run as root: then it runs as the postgres user
if [ "$(id -u)" = 0 ]; then
    as_pg() { runuser -u postgres -- "$@"; }
    my_user=root
else
    as_pg() { "$@"; }
    my_user=$(id -un)
fi
cleanup() {
    [ -n "$my_pid" ] && kill -9 "$my_pid" 2>/dev/null
    [ -f "$tmp/pg/data/postmaster.pid" ] &&
        as_pg "$pgbin/pg_ctl" -D "$tmp/pg/data" -m immediate -w -t 10 stop >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

tcp_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The CREATE TABLE of the man page for ENGINE (mysql, pgsql), for table NAME.
man_table() {
    sed -n "/^\\.\\\\\" table: $1/,/^\\.fi/p" "$here/../man/flow-export.1" |
        sed -e '/^\./d' -e "s/^CREATE TABLE raw /CREATE TABLE $2 /"
}

# ---- the servers -------------------------------------------------------------
myport=$(tcp_port)
pgport=$(tcp_port)
mkdir "$tmp/my" "$tmp/pg"
(mariadb-install-db --no-defaults --datadir="$tmp/my/data" --user="$my_user" \
    --auth-root-authentication-method=normal --skip-test-db >"$tmp/my/install.log" 2>&1
 echo $? >"$tmp/my/install.rc") &
inst=$!
echo secret >"$tmp/pg/pw"
[ "$(id -u)" = 0 ] && chown -R postgres "$tmp/pg"
as_pg "$pgbin/initdb" -D "$tmp/pg/data" -U postgres --auth-local=trust \
    --auth-host=scram-sha-256 --pwfile="$tmp/pg/pw" --no-sync >"$tmp/initdb.log" 2>&1 ||
    { cat "$tmp/initdb.log"; give_up $script "$script: initdb failed"; }
as_pg "$pgbin/pg_ctl" -D "$tmp/pg/data" -l "$tmp/pg/log" -w -t 30 -o \
    "-p $pgport -k $tmp/pg -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB" \
    start >/dev/null 2>&1 || { cat "$tmp/pg/log"; give_up $script "$script: postgres did not start"; }
wait $inst
[ "$(cat "$tmp/my/install.rc")" = 0 ] ||
    { tail -20 "$tmp/my/install.log"; give_up $script "$script: mariadb-install-db failed"; }
mariadbd --no-defaults --datadir="$tmp/my/data" --socket="$tmp/my/sock" --port="$myport" \
    --bind-address=127.0.0.1 --user="$my_user" --pid-file="$tmp/my/pid" \
    --log-error="$tmp/my/err" --skip-name-resolve --innodb-buffer-pool-size=16M \
    >/dev/null 2>&1 &
my_pid=$!

sql_root() { mariadb --no-defaults --socket="$tmp/my/sock" -uroot "$@"; }
wait_for 30 sql_root -e 'SELECT 1' >/dev/null 2>&1 ||
    { tail -20 "$tmp/my/err"; give_up $script "$script: mariadbd did not start"; }
sql_root -e "CREATE DATABASE netflow;
    CREATE USER 'ft'@'127.0.0.1' IDENTIFIED BY 'pw';
    GRANT ALL ON netflow.* TO 'ft'@'127.0.0.1';
    CREATE USER 'ft'@'localhost' IDENTIFIED BY 'pw';
    GRANT ALL ON netflow.* TO 'ft'@'localhost';" ||
    give_up $script "$script: no MariaDB user"
psql_pg() { psql -X -q -h "$tmp/pg" -p "$pgport" -U postgres "$@"; }
psql_pg -c "CREATE USER ft PASSWORD 'pw'" && psql_pg -c "CREATE DATABASE netflow OWNER ft" ||
    give_up $script "$script: no PostgreSQL user"

# my SQL / pg SQL: a query as the exporting user, rows as comma separated
# values (NULL an empty cell, as in flow-export -f 2)
my() {
    mariadb --no-defaults -h 127.0.0.1 -P "$myport" -uft -ppw -N -B netflow -e "$1" |
        tr '\t' , | sed -e 's/^NULL,/,/' -e 's/,NULL$/,/' -e ':a' -e 's/,NULL,/,,/' -e 'ta'
}
pg() { PGPASSWORD=pw psql -X -q -h 127.0.0.1 -p "$pgport" -U ft -At -F , -c "$1" netflow; }
myu=ft:pw:127.0.0.1:$myport:netflow
pgu=ft:pw:127.0.0.1:$pgport:netflow

for t in raw ext sel chk sock; do
    man_table mysql $t | my "$(cat)" || fail "MariaDB: the man page's table ($t)"
    man_table pgsql $t | pg "$(cat)" || fail "PostgreSQL: the man page's table ($t)"
done
check "the man page documents a table for each server" sh -c \
    "[ \$(sed -n '/table: mysql/,/^\\.fi/p' '$here/../man/flow-export.1' | wc -l) -gt 30 ] &&
     [ \$(sed -n '/table: pgsql/,/^\\.fi/p' '$here/../man/flow-export.1' | wc -l) -gt 30 ]"

# ---- flows in, figures out -----------------------------------------------------
n=12000
"$fg" -R -n $n -s 7 >"$tmp/v5.ft" 2>/dev/null
"$fg" -R -n 3000 -s 3 -V extended -6 40 >"$tmp/ext.ft" 2>/dev/null
"$fs" -f 0 <"$tmp/v5.ft" | awk -F': ' '/^Total (Flows|Octets|Packets)/ { printf "%s,", $2 }' |
    sed 's/,$//' >"$tmp/totals"
"$fs" -f 12 <"$tmp/v5.ft" | awk '!/^#/ && NF == 4 { print $1 "," $2 "," $3 "," $4 }' |
    sort -t, -k1,1n >"$tmp/protos"
[ -s "$tmp/totals" ] && [ "$(wc -l <"$tmp/protos")" -gt 2 ] || fail "flow-stat figures" "none"

# cols FILE: the columns of the stream, as flow-export -f 2 heads them (its
# second nexthop is the peer's)
cols() {
    "$fe" -f 2 <"$1" 2>/dev/null | head -1 | sed 's/^#://' | tr , '\n' |
        awk '$0 == "nexthop" && seen++ { $0 = "peer_nexthop" } { print }'
}
# select Q FILE TABLE: the query of every column of the stream, quoted by Q
select_all() {
    printf 'SELECT %s FROM %s' "$(cols "$2" | sed "s/.*/$1&$1/" | paste -sd, -)" "$3"
}

for db in my pg; do
    case $db in my) title=MariaDB f=3 u=$myu q='`' v6="srcaddr LIKE '%:%'" ;;
                *) title=PostgreSQL f=5 u=$pgu q='"' v6='family(srcaddr) = 6' ;; esac
    "$fe" -f $f -u "$u:raw" <"$tmp/v5.ft" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    check "$title: $n flows exported, status 0" sh -c \
        "[ $rc = 0 ] && grep -qx 'flow-export: Exported $n records' '$tmp/err' && [ ! -s '$tmp/out' ]"
    check_eq "$title: flows, octets, packets by SQL = flow-stat's" \
        "$($db 'SELECT count(*), sum(doctets), sum(dpkts) FROM raw')" "$(cat "$tmp/totals")"
    $db 'SELECT prot, count(*), sum(doctets), sum(dpkts) FROM raw GROUP BY prot' |
        sort -t, -k1,1n >"$tmp/got"
    check "$title: per-protocol flows, octets, packets by SQL = flow-stat -f 12's" \
        cmp -s "$tmp/got" "$tmp/protos"
    for s in v5:raw ext:ext; do
        file=$tmp/${s%%:*}.ft table=${s#*:}
        [ $table = ext ] && "$fe" -f $f -u "$u:ext" <"$file" 2>/dev/null
        "$fe" -f 2 <"$file" 2>/dev/null | sed 1d | sort >"$tmp/want"
        $db "$(select_all "$q" "$file" $table)" | sort >"$tmp/got"
        check "$title: every row of $table read back = flow-export -f 2 (${s%%:*})" sh -c \
            "[ -s '$tmp/want' ] && cmp -s '$tmp/got' '$tmp/want'"
    done
    check_eq "$title: the extended stream's IPv6 flows went in" \
        "$($db "SELECT count(*) > 100 FROM ext WHERE $v6" | sed 's/^t$/1/')" 1
    "$fe" -f $f -m dpkts,srcaddr,dstaddr -u "$u:sel" <"$tmp/v5.ft" 2>/dev/null
    check_eq "$title: -m fills its columns only" \
        "$($db 'SELECT count(*), count(srcaddr), count(dpkts), count(doctets), sum(dpkts) FROM sel')" \
        "$n,$n,$n,0,$(cut -d, -f3 "$tmp/totals")"
done

# a host that is a path: the server's Unix socket (MySQL: the socket file,
# PostgreSQL: its directory)
"$fg" -n 100 2>/dev/null | "$fe" -f 3 -u "ft:pw:$tmp/my/sock::netflow:sock" 2>/dev/null
check_eq "MariaDB: through the Unix socket" "$(my 'SELECT count(*) FROM sock')" 100
"$fg" -n 100 2>/dev/null | "$fe" -f 5 -u "ft:pw:$tmp/pg:$pgport:netflow:sock" 2>/dev/null
check_eq "PostgreSQL: through the Unix socket directory" "$(pg 'SELECT count(*) FROM sock')" 100

# ---- refusals -------------------------------------------------------------------
# refused NAME PATTERN ARGS...: status 1 and the server's words on stderr
refused() {
    rname=$1 pat=$2; shift 2
    "$fe" "$@" <"$tmp/v5.ft" >/dev/null 2>"$tmp/err"
    rc=$?
    if [ $rc = 1 ] && grep -q "$pat" "$tmp/err"; then ok "$rname"
    else fail "$rname" "status $rc: $(head -c 300 "$tmp/err")"; fi
}
refused "MariaDB: wrong password" "Access denied for user 'ft'" \
    -f 3 -u "ft:nope:127.0.0.1:$myport:netflow:raw"
refused "PostgreSQL: wrong password" 'password authentication failed for user "ft"' \
    -f 5 -u "ft:nope:127.0.0.1:$pgport:netflow:raw"
refused "MariaDB: missing table" "Table 'netflow.nosuch' doesn't exist" -f 3 -u "$myu:nosuch"
refused "PostgreSQL: missing table" 'relation "nosuch" does not exist' -f 5 -u "$pgu:nosuch"
closed=$(tcp_port)
refused "MariaDB: nothing listening" "Can't connect" -f 3 -u "ft:pw:127.0.0.1:$closed:netflow:raw"
refused "PostgreSQL: nothing listening" "Connection refused" \
    -f 5 -u "ft:pw:127.0.0.1:$closed:netflow:raw"
refused "a URI of five fields" "expecting user:password:host:port:name:table" \
    -f 5 -u "ft:pw:127.0.0.1:$pgport:netflow"

# A constraint the flows break from the middle of the stream on: the
# batches before are kept, the refused one leaves nothing, and the count
# said is the count stored.
limit=$("$fe" -f 2 <"$tmp/v5.ft" 2>/dev/null | sed -n "$((n * 2 / 3))p" | cut -d, -f1)
before=$("$fe" -f 2 <"$tmp/v5.ft" 2>/dev/null | sed 1d | awk -F, -v l="$limit" '$1 < l' | wc -l)
my "ALTER TABLE chk ADD CONSTRAINT late CHECK (unix_secs < $limit)"
pg "ALTER TABLE chk ADD CONSTRAINT late CHECK (unix_secs < $limit)"
for db in my pg; do
    case $db in my) title=MariaDB f=3 u=$myu pat="CONSTRAINT .late. failed" ;;
                *) title=PostgreSQL f=5 u=$pgu pat='violates check constraint "late"' ;; esac
    refused "$title: a constraint broken halfway: status 1, the server's message" "$pat" \
        -f $f -u "$u:chk"
    said=$(sed -n 's/^flow-export: Exported \([0-9]*\) records$/\1/p' "$tmp/err")
    stored=$($db 'SELECT count(*) FROM chk')
    check "$title: the flows said exported are the flows stored ($said), whole batches before" \
        sh -c "[ -n '$said' ] && [ '$said' = '$stored' ] && [ '$said' -gt 0 ] &&
               [ '$said' -le $before ] && [ $before -lt $n ]"
done

# ---- the servers stop ------------------------------------------------------------
pid=$my_pid my_pid=
kill -TERM "$pid" 2>/dev/null
wait_exit
check "MariaDB stops on TERM" test "$rc" = 0
as_pg "$pgbin/pg_ctl" -D "$tmp/pg/data" -m fast -w -t 15 stop >/dev/null 2>&1
check "PostgreSQL stops" test ! -f "$tmp/pg/data/postmaster.pid"
finish $script
