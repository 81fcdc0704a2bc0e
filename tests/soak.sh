#!/bin/sh
# soak.sh BUILD_DIR - the collector soak of tests/soak.py for 60 seconds:
# flow-capture under mixed valid, malformed and flooding traffic from five
# exporters on loopback, with SIGHUP rotations.  (bench/soak.sh runs the same
# for 30 minutes.)
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/soak.py" "${1:?usage: soak.sh BUILD_DIR}" "${FTKIT_SOAK_S:-60}"
