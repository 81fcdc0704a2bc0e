# Unit tests (C) are built with `make check`; tests/run-all.sh runs everything.
