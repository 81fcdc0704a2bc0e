# flow-report: the reports of a stat.cfg definition (lib/report does the work).
# Not in bin_PROGRAMS until every golden report_* case passes (tests/golden.sh
# runs all the cases of a program that is built): `make flow-report` builds it.
EXTRA_PROGRAMS = flow-report
flow_report_SOURCES = report/flow-report.c
flow_report_LDADD = $(FTLIB)
EXTRA_DIST += man/flow-report.1 etc/stat.cfg
