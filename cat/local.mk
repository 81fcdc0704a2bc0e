# flow-cat: concatenate flow files and directories into one stream
bin_PROGRAMS += flow-cat
flow_cat_SOURCES = cat/flow-cat.c cat/files_ahead.c cat/files_ahead.h
flow_cat_LDADD = $(FTLIB)
dist_man_MANS += man/flow-cat.1
