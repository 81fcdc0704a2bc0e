#!/bin/sh
# The whole test suite: installs what the tests run against (Debian packages,
# tools/install-deps.sh --tests), builds an optimised tree (build/) and an
# ASan/UBSan tree (build-asan/), runs the unit tests, the golden flow-tools
# cases and the scenario tests in both, every fuzz target for a short time
# (build-fuzz/, clang), the threaded programs' scenarios in a ThreadSanitizer
# tree (build-tsan/), and ends with one line "N passed, N failed".
#
#   tests/run-all.sh            # everything
#   FTKIT_QUICK=1 tests/run-all.sh   # the optimised tree only
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
export FTKIT_SHARED=${FTKIT_SHARED:-$(cd "$top/../shared" 2>/dev/null && pwd)}
[ -d "$FTKIT_SHARED/compat" ] || { echo "run-all: no shared/ beside the checkout ($FTKIT_SHARED)"; exit 1; }
jobs=$(nproc 2>/dev/null || echo 2)
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

# What the tests run against (peers, servers, browser, clang), on Debian.
sh "$top/tools/install-deps.sh" --tests >"$log/deps" 2>&1 ||
    { cat "$log/deps"; echo "run-all: tools/install-deps.sh --tests failed"; echo "0 passed, 1 failed"; exit 1; }
[ -x configure ] || autoreconf -fi >"$log/autoreconf" 2>&1 || { cat "$log/autoreconf"; exit 1; }

build_tree() {   # build_tree DIR CFLAGS LDFLAGS
    mkdir -p "$1"
    (cd "$1" && { [ -f Makefile ] || ../configure -q CFLAGS="$2" LDFLAGS="$3"; } &&
        make -s -j"$jobs" && make -s -j"$jobs" check TESTS=) >"$log/build" 2>&1 ||
        { cat "$log/build"; echo "run-all: build of $1 failed"; echo "0 passed, 1 failed"; exit 1; }
}

total_passed=0 total_failed=0 total_skipped=0
# Runs one test command; its last "N passed, M failed" line is added to the totals.
run() {
    name=$1; shift
    # Every test is bounded in time, so a hang fails that test instead of CI.
    timeout -k 10 "${FTKIT_TEST_TIMEOUT:-900}" "$@" >"$log/out" 2>&1
    rc=$?
    [ "$rc" = 124 ] && echo "timed out after ${FTKIT_TEST_TIMEOUT:-900} s" >>"$log/out"
    summary=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log/out" | tail -n 1)
    p=$(printf '%s\n' "$summary" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
    f=$(printf '%s\n' "$summary" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
    [ -n "$p" ] || p=0
    [ -n "$f" ] || f=0
    # Skips are counted apart: a case skipped is not a case passed.
    s=$(printf '%s\n' "$summary" | grep -oE '[0-9]+ skipped' | grep -oE '[0-9]+')
    [ -n "$s" ] || s=$(grep -c '^skip ' "$log/out")
    total_skipped=$((total_skipped + s))
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi   # crashed or said nothing
    total_passed=$((total_passed + p)); total_failed=$((total_failed + f))
    if [ "$f" != 0 ]; then
        echo "== $name: FAILED ($summary, exit $rc)"
        grep -vE '^(ok|skip) ' "$log/out" | tail -n 40
    else
        echo "== $name: $summary"
    fi
}

TSAN_TESTS="capture capture-filter capture-tag catgen print report sensor"
run_tsan() {   # run_tsan NAME COMMAND...: run, with ThreadSanitizer's reports kept apart
    rm -rf "$log/tsan"; mkdir "$log/tsan"
    TSAN_OPTIONS="log_path=$log/tsan/report halt_on_error=0" run "$@"
    if [ -n "$(ls "$log/tsan")" ]; then
        echo "== $1: ThreadSanitizer reports"
        cat "$log"/tsan/* | head -n 60
        total_failed=$((total_failed + 1))
    fi
}

suite() {   # suite BUILD_DIR LABEL
    for t in "$1"/tests/unit/test_*; do
        [ -x "$t" ] || continue
        case $t in *.o|*.log|*.trs) continue ;; esac
        run "$2 unit $(basename "$t")" sh -c "cd '$1/tests/unit' && exec '$t'"
    done
    run "$2 golden" "$top/tests/golden.sh" "$1"
    for t in "$top"/tests/*.sh; do
        case $(basename "$t") in golden.sh|run-all.sh|unit-run.sh|lib.sh) continue ;; esac   # not scenario tests
        run "$2 $(basename "$t" .sh)" sh "$t" "$1"
    done
}

build_tree build "-O2 -g" ""
suite "$top/build" opt
# The fuzz targets, once per run (their own clang tree, build-fuzz/), each for
# a short time (clang: tools/install-deps.sh --tests).
run "fuzz" sh "$top/fuzz/run.sh" "${FTKIT_FUZZ_SECONDS:-12}" "$top/build-fuzz"
if [ -z "${FTKIT_QUICK:-}" ]; then
    san="-fsanitize=address,undefined -fno-omit-frame-pointer"
    build_tree build-asan "-O1 -g $san -fno-sanitize-recover=undefined" "$san"
    export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
    suite "$top/build-asan" asan
    # The threaded programs' scenarios under ThreadSanitizer: flow-capture's
    # receiver, writer and finisher, the parallel deflate, flow-cat's and the
    # reader's read-ahead, the sensor.  A report anywhere fails the test.
    build_tree build-tsan "-O1 -g -fsanitize=thread" "-fsanitize=thread"
    for t in $TSAN_TESTS; do
        [ -f "$top/tests/$t.sh" ] && run_tsan "tsan $t" sh "$top/tests/$t.sh" "$top/build-tsan"
    done
fi
echo "skipped: $total_skipped (each named by a 'skip' line of its test)"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" = 0 ]
