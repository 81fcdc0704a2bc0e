# flow-split: cut a stream into files by count, time or tag
bin_PROGRAMS += flow-split
flow_split_SOURCES = split/flow-split.c
flow_split_LDADD = $(FTLIB)
dist_man_MANS += man/flow-split.1
