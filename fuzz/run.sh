#!/bin/sh
# fuzz/run.sh [SECONDS_PER_TARGET] [BUILD_DIR]: builds the targets
# (fuzz/build.sh), seeds the corpora the first time (fuzz/seeds.sh), then
# runs every target of fuzz/targets for SECONDS (default 20) with
# -rss_limit_mb=512 and its -max_len, one after the other, and prints
#   ok NAME (N execs, peak rss M MB)   or   FAIL NAME (...)
# and "N passed, M failed".  A crash, leak, timeout or memory blow-up is a
# failure; its input is kept as BUILD_DIR/fuzz/crashes/NAME-* (make it a
# regression input: fuzz/regress/NAME/, see fuzz/README.md).
#   FUZZ_TARGETS="filter tag"   only these targets
#   FUZZ_RUNS=N                 stop each after N inputs (the time still bounds it)
#   FUZZ_NICE=19                run at this niceness
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-20}
bd=${2:-$top/build-fuzz}
case $bd in /*) ;; *) bd=$(pwd)/$bd ;; esac
"$top/fuzz/build.sh" "$bd" >"${TMPDIR:-/tmp}/fuzz-build.$$" 2>&1 ||
    { cat "${TMPDIR:-/tmp}/fuzz-build.$$"; rm -f "${TMPDIR:-/tmp}/fuzz-build.$$";
      echo "FAIL build"; echo "0 passed, 1 failed"; exit 1; }
rm -f "${TMPDIR:-/tmp}/fuzz-build.$$"
corpus=$bd/fuzz/corpus
# (re)seed when a target has no corpus yet (a new target, a new tree)
for name in $(sed -n 's/^\([a-z0-9_]\{1,\}\)[[:space:]].*/\1/p' "$top/fuzz/targets"); do
    if [ ! -d "$corpus/$name" ] || [ ! -d "$bd/fuzz/dict" ]; then
        "$top/fuzz/seeds.sh" "$corpus" "$bd" >/dev/null 2>&1
        break
    fi
done
mkdir -p "$bd/fuzz/crashes" "$bd/fuzz/logs"
# a small quarantine keeps ASan's own memory well under the RSS limit
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=32:malloc_context_size=10:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
passed=0 failed=0
while read -r name max_len seeds; do
    case $name in ''|\#*) continue ;; esac
    if [ -n "${FUZZ_TARGETS:-}" ]; then
        case " $FUZZ_TARGETS " in *" $name "*) ;; *) continue ;; esac
    fi
    log=$bd/fuzz/logs/$name.log
    mkdir -p "$corpus/$name"
    runs=${FUZZ_RUNS:+-runs=$FUZZ_RUNS}
    # the regression inputs and kept seeds are run first (read-only dirs)
    extra=
    for x in "$top/fuzz/regress/$name" "$top/fuzz/seeds/$name"; do
        [ -d "$x" ] && extra="$extra $x"
    done
    dict=
    [ -s "$bd/fuzz/dict/$name.dict" ] && dict=-dict=$bd/fuzz/dict/$name.dict
    timeout -k 10 $((secs + 60)) nice -n "${FUZZ_NICE:-0}" "$bd/fuzz/$name" \
        -max_total_time="$secs" -rss_limit_mb=512 -malloc_limit_mb=512 -max_len="$max_len" \
        -timeout=25 -print_final_stats=1 $runs $dict \
        -artifact_prefix="$bd/fuzz/crashes/$name-" "$corpus/$name" $extra >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
    what="${execs:-?} execs, peak rss ${rss:-?} MB"
    if [ "$rc" = 0 ] && [ -n "$execs" ]; then
        echo "ok $name ($what)"
        passed=$((passed + 1))
    else
        echo "FAIL $name ($what, exit $rc; log $log)"
        grep -E 'ERROR|SUMMARY|Test unit written|runtime error' "$log" | head -n 8
        failed=$((failed + 1))
    fi
done <"$top/fuzz/targets"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
