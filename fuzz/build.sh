#!/bin/sh
# fuzz/build.sh [BUILD_DIR]: builds every target of fuzz/targets with clang,
# libFuzzer, ASan and UBSan into BUILD_DIR/fuzz/NAME (default build-fuzz/).
# ftlib is built in its own configured tree with
#   CC=clang CFLAGS="-g -O1 -fsanitize=fuzzer-no-link,address,undefined"
# and the targets are linked with -fsanitize=fuzzer; automake's own build
# (gcc) is not touched.  Prints the targets built; exit 1 if one failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bd=${1:-$top/build-fuzz}
case $bd in /*) ;; *) bd=$(pwd)/$bd ;; esac
cc=${FUZZ_CC:-clang}
command -v "$cc" >/dev/null 2>&1 || { echo "fuzz/build.sh: $cc not found (Debian: clang, libclang-rt-14-dev)"; exit 1; }
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cflags="-g -O1 -fsanitize=fuzzer-no-link $san"
mkdir -p "$bd/fuzz" || exit 1
[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi >/dev/null 2>&1) || exit 1
if [ ! -f "$bd/Makefile" ]; then
    (cd "$bd" && "$top/configure" -q CC="$cc" CFLAGS="$cflags" LDFLAGS="$san" \
        --disable-shared) || { echo "fuzz/build.sh: configure failed in $bd"; exit 1; }
fi
make -s -C "$bd" -j"${FUZZ_JOBS:-2}" libft.la flow-gen >"$bd/fuzz/make.log" 2>&1 ||
    { cat "$bd/fuzz/make.log"; echo "fuzz/build.sh: ftlib did not build"; exit 1; }
# the libraries ftlib itself links (configure's LIBS and every *_LIBS: zlib,
# pthread, zstd, pcap, nettle, ...)
libs=$(sed -n 's/^\(LIBS\|[A-Z][A-Z0-9_]*_LIBS\) = //p' "$bd/Makefile" | tr '\n' ' ')
failed=0
for name in $(sed -n 's/^\([a-z0-9_]\{1,\}\)[[:space:]].*/\1/p' "$top/fuzz/targets"); do
    src=$top/fuzz/fuzz_$name.c
    out=$bd/fuzz/$name
    if [ "$out" -nt "$src" ] && [ "$out" -nt "$bd/.libs/libft.a" ] &&
       [ "$out" -nt "$top/fuzz/fuzz.h" ] && [ "$out" -nt "$top/fuzz/pdu.h" ]; then
        continue
    fi
    if "$cc" -std=c11 -Wall -Wextra -Wno-unused-parameter $cflags -fsanitize=fuzzer \
        -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -DFZ_SYMDIR="\"$top/etc/sym\"" \
        -I"$top/lib" -I"$bd" -I"$top/fuzz" "$src" "$bd/.libs/libft.a" $libs -lm \
        -o "$out" 2>"$bd/fuzz/$name.log"; then
        [ -s "$bd/fuzz/$name.log" ] && cat "$bd/fuzz/$name.log"
        echo "built $name"
    else
        cat "$bd/fuzz/$name.log"
        echo "FAILED to build $name"
        failed=1
    fi
done
# the seed tool (fuzz/seeds.sh): a plain program over the same ftlib
if ! "$cc" -std=c11 $cflags -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -I"$top/lib" -I"$bd" \
    "$top/fuzz/seedtool.c" "$bd/.libs/libft.a" $libs -lm -o "$bd/fuzz/seedtool"; then
    echo "FAILED to build seedtool"
    failed=1
fi
exit $failed
