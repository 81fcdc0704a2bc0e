# Unit tests of ftlib: each program prints "NAME: N passed, M failed".
# They find ../shared through $FTKIT_SHARED (tests/run-all.sh sets it).
TESTS += $(check_PROGRAMS)
EXTRA_DIST += tests/unit/ft_test.h
