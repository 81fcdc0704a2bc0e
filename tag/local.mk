# flow-tag: add source/destination tags (the tag language of lib/lang/ft_tag.h)
bin_PROGRAMS += flow-tag
flow_tag_SOURCES = tag/flow-tag.c
flow_tag_LDADD = $(FTLIB)
dist_man_MANS += man/flow-tag.1
