#!/bin/sh
# unit-run.sh PROGRAM: run one unit test under "make check".  The unit tests
# read ../shared (compat cases, spec tables); when it is not there, as in a
# tarball built away from the checkout, say so and skip (77) instead of
# failing on missing files.
if [ ! -d "${FTKIT_SHARED:-}/compat" ]; then
    echo "${1##*/}: skipped: no reference material (set FTKIT_SHARED or configure --with-shared)"
    exit 77
fi
exec "$@"
