# flow-rptfmt: flow-report's ASCII output as an aligned table or an HTML page.
# (Its own file beside report/'s other programs, so the three report programs'
# rules do not meet in one file.)
bin_PROGRAMS += flow-rptfmt
flow_rptfmt_SOURCES = report/flow-rptfmt.c
flow_rptfmt_LDADD = $(FTLIB)
dist_man_MANS += man/flow-rptfmt.1
