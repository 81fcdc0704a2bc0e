# flow-merge: interleave flow files in time order; flow-sort: sort a stream by fields
bin_PROGRAMS += flow-merge
flow_merge_SOURCES = merge/flow-merge.c
flow_merge_LDADD = $(FTLIB)
dist_man_MANS += man/flow-merge.1
bin_PROGRAMS += flow-sort
flow_sort_SOURCES = merge/flow-sort.c
flow_sort_LDADD = $(FTLIB)
dist_man_MANS += man/flow-sort.1
