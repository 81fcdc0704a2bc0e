#!/bin/sh
# Runs the flow-tools golden cases of ../shared/compat/cases.tsv against a build.
#
#   tests/golden.sh BUILD_DIR [CASE_REGEX]
#
# Each case runs as compat/README.md says: `sh -c COMMAND` from the compat folder,
# programs on PATH under their flow-tools names, TZ=UTC, LC_ALL=C, a fresh $WORK,
# the compat symbol tables in effect.  Standard output is compared byte for byte
# (lines starting "# now:" masked) and so is the exit status.  A case whose
# programs are not all built yet is skipped.  Cases listed in
# tests/compat-differences.tsv (where the original damages data) are compared
# with our own expected output in tests/golden/CASE.EXT instead, EXT being the
# extension of the compat expected file (.out text, .ft stream, .bin), or in
# tests/golden/CASE.out when there is no such file.
set -u
build=$(cd "${1:?usage: golden.sh BUILD_DIR [CASE_REGEX]}" && pwd)
filter=${2:-.}
here=$(cd "$(dirname "$0")" && pwd)
compat=$(cd "${FTKIT_SHARED:-$here/../../shared}/compat" && pwd)
diffs=$here/compat-differences.tsv

bin=$(mktemp -d)
scratch=$(mktemp -d)
trap 'rm -rf "$bin" "$scratch"' EXIT
# -L: a build directory reached through a symlink still finds its programs.
for p in $(find -L "$build" -maxdepth 2 -type f -name 'flow-*' -perm -u+x); do
    ln -sf "$p" "$bin/$(basename "$p")"
done
# The floor: every program the build files name must be found in the build, so a
# case is skipped only because its program is not written yet, never because the
# build went missing.
floor_failed=0
for prog in $(sed -n 's/^bin_PROGRAMS += \(flow-[a-z0-9]*\).*/\1/p' "$here"/../*/local.mk | sort -u); do
    [ -e "$bin/$prog" ] && continue
    floor_failed=$((floor_failed + 1)); echo "FAIL $prog: part of the build, not found in $build"
done

own_expected() {   # CASE COMPAT_FILE: ours (named like the compat file) for a case we differ on
    [ -f "$diffs" ] && grep -q "^$1	" "$diffs" && echo "$here/golden/$1.${2##*.}"
}

mask_now() { sed 's/^# now:.*$/# now: (masked)/' "$1"; }

passed=0 failed=0 skipped=0
tab=$(printf '\t')
while IFS="$tab" read -r name cmd stdin expected status; do
    case $name in '#'*|'') continue ;; esac
    printf '%s\n' "$name" | grep -Eq -- "$filter" || continue
    missing=
    for prog in $(printf '%s\n' "$cmd" | grep -oE 'flow-[a-z0-9]+' | sort -u); do
        [ -e "$bin/$prog" ] || missing="$missing $prog"
    done
    if [ -n "$missing" ]; then
        skipped=$((skipped + 1)); echo "skip $name (not built:$missing)"; continue
    fi
    want=$(own_expected "$name" "$expected") || want=$compat/$expected
    [ "$stdin" = - ] && in=/dev/null || in=$compat/$stdin
    work=$scratch/work; rm -rf "$work"; mkdir "$work"
    got=$scratch/out
    (cd "$compat" && PATH="$bin:$PATH" TZ=UTC LC_ALL=C WORK="$work" \
        FTKIT_SYMDIR="$compat/sym" sh -c "$cmd" <"$in" >"$got" 2>"$scratch/err")
    rc=$?
    if [ "$rc" != "$status" ]; then
        failed=$((failed + 1))
        echo "FAIL $name: exit $rc, want $status: $(head -c 200 "$scratch/err")"
    elif ! cmp -s "$got" "$want" && ! { mask_now "$got" | cmp -s - "$(mask_now "$want" >"$scratch/w"; echo "$scratch/w")"; }; then
        failed=$((failed + 1))
        echo "FAIL $name: output differs from $want"
    else
        passed=$((passed + 1)); echo "ok $name"
    fi
done <"$compat/cases.tsv"
failed=$((failed + floor_failed))
echo "golden: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
