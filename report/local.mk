# flow-report: the reports of a stat.cfg definition (lib/report does the work)
bin_PROGRAMS += flow-report
flow_report_SOURCES = report/flow-report.c
flow_report_LDADD = $(FTLIB)
dist_man_MANS += man/flow-report.1
# The default configuration of nfilter-language.md 3.2, as $(sysconfdir)/cfg/stat.cfg
reportcfgdir = $(sysconfdir)/cfg
dist_reportcfg_DATA = etc/stat.cfg
