#!/bin/sh
# bench/soak.sh [BUILD_DIR] [SECONDS] - the collector soak: tests/soak.py for
# 30 minutes (SECONDS, default 1800) against an optimised build (default
# build-bench/).  Not part of the suite (tests/soak.sh runs 60 s of it there).
# Pass: no crash, every valid flow stored, each malformed kind counted as
# sent, resident memory within 10% after warm-up.  The output is kept in
# bench/results/DATE-soak-SHA.txt.
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build-bench}" && pwd) || exit 1
secs=${2:-1800}
sha=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)
out=$here/results/$(date -u +%Y-%m-%d)-soak-$sha.txt
{
    echo "== flow-capture soak: $secs s, build $build ($sha), $(date -u '+%Y-%m-%d %H:%M UTC')"
    python3 "$here/../tests/soak.py" "$build" "$secs"
} 2>&1 | tee "$out"
