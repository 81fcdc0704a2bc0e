# flow-filter: filter a stream with Cisco-style access lists and value lists
bin_PROGRAMS += flow-filter
flow_filter_SOURCES = filter/flow-filter.c
flow_filter_LDADD = $(FTLIB)
dist_man_MANS += man/flow-filter.1
