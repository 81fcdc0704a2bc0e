#!/bin/sh
# tests/columns.sh BUILD_DIR - programs that read only some columns.
#
# flow-report and flow-stat tell the reader which fields they read
# (ft_reader_want); in zstd column blocks (layout 2) the other columns are
# not inflated and read as zero (flow-print reads them all, on worker
# threads: it is checked too).  A field missing from what a program
# declares would change its output only on those files, so every golden case
# of these programs that reads a stream on stdin is run twice: on an
# uncompressed copy of its input (every field there) and on a zstd copy.
# Both outputs must be the same, but for the header's "compress:" line.
# Then flow-nfilter, which writes all columns out, must keep every byte.
set -u
. "$(dirname "$0")/lib.sh"
build=$(cd "${1:?usage: columns.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
compat=$(cd "${FTKIT_SHARED:-$here/../../shared}/compat" 2>/dev/null && pwd) ||
    give_up columns.sh "no compat folder (set FTKIT_SHARED)"
[ -x "$build/flow-cat" ] && [ -x "$build/flow-report" ] || give_up columns.sh "build first"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin"
for p in "$build"/flow-*; do [ -x "$p" ] && ln -s "$p" "$tmp/bin/"; done

# run_case COMMAND INPUT OUTPUT: as tests/golden.sh runs a case
run_case() {
    rm -rf "$tmp/work" && mkdir "$tmp/work"
    (cd "$compat" && PATH="$tmp/bin:$PATH" TZ=UTC LC_ALL=C WORK="$tmp/work" \
        FTKIT_SYMDIR="$compat/sym" sh -c "$1" <"$2" >"$3" 2>&1)
    echo "exit $?" >>"$3"
    sed -i 's/^\([#@] compress:\).*/\1 (masked)/' "$3"
}

tab=$(printf '\t')
cases=0 differ=0
while IFS="$tab" read -r name cmd stdin expected status; do
    case $name in '#'*|'') continue ;; esac
    case $cmd in flow-report*|flow-stat*|flow-print*) ;; *) continue ;; esac
    [ "$stdin" = - ] && continue
    "$build/flow-cat" -z 0 <"$compat/$stdin" >"$tmp/plain.ft" 2>/dev/null || continue
    "$build/flow-cat" -z zstd <"$compat/$stdin" >"$tmp/zstd.ft" 2>/dev/null || {
        fail "$name: flow-cat -z zstd"; continue; }
    run_case "$cmd" "$tmp/plain.ft" "$tmp/a"
    run_case "$cmd" "$tmp/zstd.ft" "$tmp/b"
    # a report's "# now:" line is the clock, which may tick between the runs
    sed -i 's/^# now:.*$/# now: (masked)/' "$tmp/a" "$tmp/b"
    cases=$((cases + 1))
    if ! cmp -s "$tmp/a" "$tmp/b"; then
        differ=$((differ + 1))
        fail "$name: output on zstd column blocks differs" "$(diff "$tmp/a" "$tmp/b" | head -3 | tr '\n' ' ')"
    fi
done <"$compat/cases.tsv"
check_eq "golden cases run on both copies (at least 150)" "$([ $cases -ge 150 ] && echo yes)" yes
check_eq "cases whose output differs on zstd column blocks" "$differ" 0

# flow-nfilter writes every column: the same flows from both copies
printf 'filter-primitive tcp\n  type ip-protocol\n  permit 6\n\nfilter-definition tcp\n  match ip-protocol tcp\n' >"$tmp/f.cfg"
for f in v5.ft v1005.ft v8.8.ft v7.ft; do
    "$build/flow-cat" -z 0 <"$compat/inputs/$f" >"$tmp/plain.ft"
    "$build/flow-cat" -z zstd <"$compat/inputs/$f" >"$tmp/z.ft"
    for ft in "$tmp/plain.ft" "$tmp/z.ft"; do
        "$build/flow-nfilter" -f "$tmp/f.cfg" -F tcp -z 0 <"$ft" 2>&1 |
            "$build/flow-print" >"$ft.out" 2>&1
    done
    check "flow-nfilter on zstd blocks keeps every field of $f" \
        cmp -s "$tmp/plain.ft.out" "$tmp/z.ft.out"
    check "flow-nfilter kept some flows of $f" [ "$(wc -l <"$tmp/z.ft.out")" -gt 2 ]
done
finish columns.sh
