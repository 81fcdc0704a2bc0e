#!/bin/sh
# build.sh BUILD_DIR - the build deliverables, checked in a temporary DESTDIR:
#   1. "make install" puts every program, libft (shared and static), every
#      public header under include/ftkit, libft.pc, every man page and every
#      sample symbol table where the build's own variables say;
#   2. a small C program built with "pkg-config --cflags --libs libft" (and one
#      linked against libft.a with --static) reads a stream and counts its
#      records as flow-gen wrote them;
#   3. "make uninstall" leaves no file behind;
#   4. configure stops naming the Debian package when zlib, libpcap, bison or
#      flex is missing (faked through configure's cache variables).
# The lists come from the build's Makefile, so a new program or page is
# checked without touching this script.  Prints one line per check and
# "build: N passed, M failed".

build=$(cd "${1:-.}" && pwd) || exit 1
. "$(dirname "$0")/lib.sh"
ok_pad='   '

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftkit-build.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root

# The build's own variables, read in one make run as shell assignments
# (after any regeneration of the Makefile, whose messages would mix in).
make -s -C "$build" Makefile >/dev/null 2>&1
printf 'show-vars:\n\t@$(foreach v,$(VARS),echo "$(v)='"'"'$($(v))'"'"'";)\n' >"$tmp/show.mk"
eval "$(make -s --no-print-directory -C "$build" -f Makefile -f "$tmp/show.mk" show-vars \
        VARS='abs_top_srcdir bindir libdir pkgincludedir mandir symdir bin_PROGRAMS
              pkginclude_HEADERS ftcore_HEADERS ftstream_HEADERS ftnet_HEADERS
              ftpdu_HEADERS fttext_HEADERS ftlang_HEADERS dist_man_MANS dist_sym_DATA
              CFLAGS LDFLAGS')"
srcdir=$abs_top_srcdir

# ---- 1. install ------------------------------------------------------------

check_quiet "make install DESTDIR exits 0" make -s -C "$build" install DESTDIR="$dest"

for p in $bin_PROGRAMS; do
    check_quiet "program $p installed in $bindir" test -x "$dest$bindir/$p"
done
check_quiet "libft.so installed" test -e "$dest$libdir/libft.so"
check_quiet "libft.a installed" test -f "$dest$libdir/libft.a"
for h in $pkginclude_HEADERS; do
    check_quiet "header ${h##*/} installed in $pkgincludedir" test -f "$dest$pkgincludedir/${h##*/}"
done
for area in core stream net pdu text lang; do
    eval "hs=\$ft${area}_HEADERS"
    for h in $hs; do
        check_quiet "header $area/${h##*/} installed" test -f "$dest$pkgincludedir/$area/${h##*/}"
    done
done
check_quiet "libft.pc installed" test -f "$dest$libdir/pkgconfig/libft.pc"
for m in $dist_man_MANS; do
    page=${m##*/}
    check_quiet "man page $page installed" test -f "$dest$mandir/man${page##*.}/$page"
done
for s in $dist_sym_DATA; do
    check_quiet "symbol table ${s##*/} installed in $symdir" test -f "$dest$symdir/${s##*/}"
done

# Every header an installed header includes is installed too.
missing=
for h in "$dest$pkgincludedir"/*.h "$dest$pkgincludedir"/*/*.h; do
    for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$h"); do
        [ -f "$dest$pkgincludedir/$inc" ] || missing="$missing ${h#$dest$pkgincludedir/}:$inc"
    done
done
check_quiet "installed headers include only installed headers (${missing:-none missing})" \
    test -z "$missing"

# ---- 2. a program built against the installed libft -------------------------

cat >"$tmp/count.c" <<'EOF'
#include <stdio.h>
#include <ft_stream.h>
int main(void)
{
    struct ft_err err;
    struct ft_reader *r = ft_reader_open(0, "stdin", 0, &err);
    if (!r) { fprintf(stderr, "%s\n", err.msg); return 1; }
    static struct ft_flow flows[512];
    ssize_t n; long long total = 0;
    while ((n = ft_reader_read(r, flows, 512)) > 0) total += n;
    printf("%lld\n", total);
    ft_reader_close(r);
    return n < 0;
}
EOF
export PKG_CONFIG_PATH="$dest$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
cc_shared() {
    ${CC:-cc} $CFLAGS $LDFLAGS -o "$tmp/count" "$tmp/count.c" $(pkg-config --cflags --libs libft)
}
cc_static() {
    ${CC:-cc} $CFLAGS $LDFLAGS -o "$tmp/count-static" "$tmp/count.c" $(pkg-config --cflags libft) \
        $(pkg-config --static --libs libft | sed 's/-lft\b/-Wl,-Bstatic -lft -Wl,-Bdynamic/')
}
# The same program through the headers' own folders (include/ftkit/stream/).
sed 's|<ft_stream.h>|"stream/ft_stream.h"|' "$tmp/count.c" >"$tmp/count-areas.c"
cc_areas() {
    ${CC:-cc} $CFLAGS $LDFLAGS -o "$tmp/count-areas" "$tmp/count-areas.c" $(pkg-config --cflags --libs libft)
}
check_quiet "pkg-config knows libft" pkg-config --exists libft
check_quiet "a program including \"stream/ft_stream.h\" compiles against pkg-config libft" cc_areas
check_quiet "a program compiles against pkg-config libft" cc_shared
check_quiet "a program links libft.a with pkg-config --static" cc_static

flows=$((1000 + $$ % 997))      # not a constant, so a fixed answer cannot pass
"$dest$bindir/flow-gen" -n "$flows" >"$tmp/in.ft" 2>/dev/null
got=$(LD_LIBRARY_PATH="$dest$libdir" "$tmp/count" <"$tmp/in.ft" 2>&1)
check_quiet "the pkg-config program counts the $flows flows of installed flow-gen (got $got)" \
    test "$got" = "$flows"
check_quiet "it runs on the installed libft.so" \
    sh -c "LD_LIBRARY_PATH='$dest$libdir' ldd '$tmp/count' | grep -q '$dest$libdir/libft.so'"
got=$("$tmp/count-static" <"$tmp/in.ft" 2>&1)
check_quiet "the static program counts them too (got $got)" test "$got" = "$flows"
check_quiet "the static program needs no libft.so" sh -c "test -x '$tmp/count-static' && ! ldd '$tmp/count-static' | grep -q libft"
check_quiet "a damaged stream fails in the pkg-config program" \
    sh -c "head -c 100 '$tmp/in.ft' | LD_LIBRARY_PATH='$dest$libdir' '$tmp/count'; test \$? -ne 0"

# ---- 3. uninstall ----------------------------------------------------------

check_quiet "make uninstall DESTDIR exits 0" make -s -C "$build" uninstall DESTDIR="$dest"
left=$(find "$dest" -type f -o -type l | sed "s|^$dest||" | head -5 | tr '\n' ' ')
check_quiet "make uninstall leaves no file (${left:-none left})" test -z "$left"

# ---- 4. configure names the Debian package of what is missing ---------------

# configure VAR=no: fails, and its message names the package
missing_dep() {
    mkdir -p "$tmp/cfg" && (cd "$tmp/cfg" && "$srcdir/configure" -q "$1" >out 2>&1)
    test $? -ne 0 && grep -q "Debian package $2" "$tmp/cfg/out"
}
check_quiet "configure without zlib.h names zlib1g-dev" missing_dep ac_cv_header_zlib_h=no zlib1g-dev
check_quiet "configure without pcap.h names libpcap-dev" \
    missing_dep ac_cv_header_pcap_pcap_h=no libpcap-dev
check_quiet "configure without bison names bison" missing_dep ac_cv_prog_BISON=no bison
check_quiet "configure without flex names flex" missing_dep ac_cv_prog_FLEX=no flex

finish build
