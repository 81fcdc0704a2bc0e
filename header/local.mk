# flow-header: the header of a flow stream as text
bin_PROGRAMS += flow-header
flow_header_SOURCES = header/flow-header.c
flow_header_LDADD = $(FTLIB)
dist_man_MANS += man/flow-header.1
