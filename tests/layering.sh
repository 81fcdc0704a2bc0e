#!/bin/sh
# The areas of lib/ lean one way: an area includes only itself and the areas
# below it, and every #include of ftlib names its folder ("core/ft_err.h").
# Reads the #include lines of lib/*/*.[ch]; a planted wrong include in a copy
# must make the check fail, so the check itself is tested too.
#
#   tests/layering.sh [BUILD_DIR]     (the build is not needed)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"

# An area's rank: it may include areas of a lower rank, and itself.
# New areas get a rank here before their first file lands.
rank() {
    case $1 in
    core) echo 0 ;;
    stream) echo 1 ;;
    net|synth) echo 2 ;;
    pdu|text) echo 3 ;;
    lang|sensor) echo 4 ;;
    report|io) echo 5 ;;
    *) echo unknown ;;
    esac
}

# violations LIBDIR: one line per include that leans the wrong way or does
# not name an area; nothing when the house is in order.
violations() {
    for f in "$1"/*/*.[ch]; do
        area=$(basename "$(dirname "$f")")
        [ "$area" = flat ] && continue      # the old flat names, installed only
        mine=$(rank "$area")
        if [ "$mine" = unknown ]; then
            echo "${f#$1/}: area $area has no rank in tests/layering.sh"
            continue
        fi
        sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
        while read -r inc; do
            case $inc in
            config.h) continue ;;
            */*) ;;
            *) echo "${f#$1/}: #include \"$inc\" names no area"; continue ;;
            esac
            theirs=$(rank "${inc%%/*}")
            if [ "$theirs" = unknown ]; then
                echo "${f#$1/}: #include \"$inc\": no such area"
            elif [ "${inc%%/*}" != "$area" ] && [ "$theirs" -ge "$mine" ]; then
                echo "${f#$1/}: $area (rank $mine) includes $inc (rank $theirs)"
            fi
        done
    done
}

out=$(violations "$top/lib")
check "every #include in lib/ names its area and leans down${out:+:
$out}" test -z "$out"

# The check must catch what it is for: a copy with a core file including a
# text header, and one with an include that names no area.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -R "$top/lib" "$tmp/lib"
printf '#include "text/ft_print.h"\n' >>"$tmp/lib/core/ft_err.c"
bad=$(violations "$tmp/lib")
check_eq "the planted upward include is the one reported" \
    "$bad" "core/ft_err.c: core (rank 0) includes text/ft_print.h (rank 3)"
cp "$top/lib/core/ft_err.c" "$tmp/lib/core/ft_err.c"
printf '#include "ft_flow.h"\n' >>"$tmp/lib/stream/ft_format.c"
bad=$(violations "$tmp/lib")
check_eq "an include without its area is reported" \
    "$bad" "stream/ft_format.c: #include \"ft_flow.h\" names no area"

finish layering
