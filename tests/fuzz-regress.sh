#!/bin/sh
# Replays what fuzzing found: every target of fuzz/targets is compiled with
# the build tree's own compiler and flags (gcc; ASan/UBSan in the ASan tree)
# and fuzz/driver.c instead of libFuzzer, then run over its regression
# inputs (fuzz/regress/NAME/: each once crashed ftlib), its kept seeds
# (fuzz/seeds/NAME/) and an empty input.  A crash or a sanitizer report
# fails the target.  Also checks that every target still builds without clang.
#
#   tests/fuzz-regress.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"
bd=$(cd "${1:?usage: tests/fuzz-regress.sh BUILD_DIR}" && pwd) || give_up fuzz-regress "no build dir"
lib=$bd/.libs/libft.a
[ -f "$lib" ] || give_up fuzz-regress "fuzz-regress: $lib not built"
var() { sed -n "s/^$1 = //p" "$bd/Makefile" | head -n 1; }
cc=$(var CC) cflags=$(var CFLAGS) ldflags=$(var LDFLAGS)
# configure's LIBS and every *_LIBS (zlib, pthread, zstd, pcap, nettle, ...)
libs="$(sed -n 's/^\(LIBS\|[A-Z][A-Z0-9_]*_LIBS\) = //p' "$bd/Makefile" | tr '\n' ' ') -lm"
out=$bd/fuzz-regress
mkdir -p "$out"
empty=$out/empty
: >"$empty"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for name in $(sed -n 's/^\([a-z0-9_]\{1,\}\)[[:space:]].*/\1/p' "$top/fuzz/targets"); do
    exe=$out/$name
    # shellcheck disable=SC2086  # flags are lists of words
    if ! $cc -std=c11 -Wall -Wextra -Wno-unused-parameter $cflags -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
        -DFZ_SYMDIR="\"$top/etc/sym\"" -I"$top/lib" -I"$bd" -I"$top/fuzz" \
        "$top/fuzz/fuzz_$name.c" "$top/fuzz/driver.c" "$lib" $libs $ldflags \
        -o "$exe" >"$out/$name.log" 2>&1; then
        fail "fuzz-regress $name builds" "$(head -n 5 "$out/$name.log")"
        continue
    fi
    set -- "$empty"
    n_regress=0
    for f in "$top/fuzz/regress/$name"/* "$top/fuzz/seeds/$name"/*; do
        [ -f "$f" ] || continue
        case $f in */regress/*) n_regress=$((n_regress + 1)) ;; esac
        set -- "$@" "$f"
    done
    if timeout -k 5 300 "$exe" "$@" >"$out/$name.log" 2>&1; then
        ok "fuzz-regress $name ($# inputs, $n_regress regression)"
    else
        fail "fuzz-regress $name" "$(grep -E 'ERROR|SUMMARY|runtime error' "$out/$name.log" | head -n 3)"
    fi
done
finish fuzz-regress
