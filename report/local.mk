# flow-stat: flow-tools' classic reports (formats 0..32)
bin_PROGRAMS += flow-stat
flow_stat_SOURCES = report/flow-stat.c
flow_stat_LDADD = $(FTLIB)
dist_man_MANS += man/flow-stat.1

# flow-rptfmt: flow-report's ASCII output as an aligned table or an HTML page
bin_PROGRAMS += flow-rptfmt
flow_rptfmt_SOURCES = report/flow-rptfmt.c
# -f chart, the nightly page: its SVG charts beside the tables of -f html
flow_rptfmt_SOURCES += report/rptfmt.h report/rptfmt_chart.c
flow_rptfmt_LDADD = $(FTLIB)
dist_man_MANS += man/flow-rptfmt.1

# flow-report: the reports of a stat.cfg definition (lib/report does the work)
bin_PROGRAMS += flow-report
flow_report_SOURCES = report/flow-report.c report/ch_report.c report/ch_report.h
flow_report_LDADD = $(FTLIB)
dist_man_MANS += man/flow-report.1
# The default configuration of nfilter-language.md 3.2, as $(sysconfdir)/cfg/stat.cfg
reportcfgdir = $(sysconfdir)/cfg
dist_reportcfg_DATA = etc/stat.cfg
