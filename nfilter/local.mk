# flow-nfilter: filter a stream with the filter language
bin_PROGRAMS += flow-nfilter
flow_nfilter_SOURCES = nfilter/flow-nfilter.c
flow_nfilter_LDADD = $(FTLIB)
dist_man_MANS += man/flow-nfilter.1
