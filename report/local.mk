# flow-stat: flow-tools' classic reports (formats 0..32)
bin_PROGRAMS += flow-stat
flow_stat_SOURCES = report/flow-stat.c
flow_stat_LDADD = $(FTLIB)
dist_man_MANS += man/flow-stat.1
