# flow-stat: flow-tools' classic reports (formats 0..32)
bin_PROGRAMS += flow-stat
flow_stat_SOURCES = report/flow-stat.c
flow_stat_LDADD = $(FTLIB)
dist_man_MANS += man/flow-stat.1

# flow-rptfmt: flow-report's ASCII output as an aligned table or an HTML page
bin_PROGRAMS += flow-rptfmt
flow_rptfmt_SOURCES = report/flow-rptfmt.c
flow_rptfmt_LDADD = $(FTLIB)
dist_man_MANS += man/flow-rptfmt.1
