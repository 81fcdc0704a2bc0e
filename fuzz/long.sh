#!/bin/sh
# fuzz/long.sh [SECONDS_PER_TARGET] [BUILD_DIR]: the long run: every target
# until 10 million inputs (FUZZ_RUNS) or SECONDS (default 3600), whichever
# comes first, FUZZ_JOBS (2) targets at a time, at nice 19; prints run.sh's
# "ok NAME (N execs, peak rss M MB)" lines and "N passed, M failed".
# A leak, crash, timeout or RSS above 512 MB fails its target.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-3600}
bd=${2:-$top/build-fuzz}
"$top/fuzz/build.sh" "$bd" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
out=$(sed -n 's/^\([a-z0-9_]\{1,\}\)[[:space:]].*/\1/p' "$top/fuzz/targets" |
    FUZZ_RUNS=${FUZZ_RUNS:-10000000} FUZZ_NICE=${FUZZ_NICE:-19} \
    xargs -P "${FUZZ_JOBS:-2}" -I{} env FUZZ_TARGETS={} sh "$top/fuzz/run.sh" "$secs" "$bd" |
    grep -E '^(ok|FAIL) |^==|SUMMARY|written')
echo "$out"
p=$(echo "$out" | grep -c '^ok ')
f=$(echo "$out" | grep -c '^FAIL ')
echo "$p passed, $f failed"
[ "$f" = 0 ]
