# flow-dscan: host and port scans in a flow stream (lib/report/ft_dscan)
bin_PROGRAMS += flow-dscan
flow_dscan_SOURCES = dscan/flow-dscan.c
flow_dscan_LDADD = $(FTLIB)
dist_man_MANS += man/flow-dscan.1
