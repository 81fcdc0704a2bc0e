# flow-xlate: change flows (the xlate language of lib/lang/ft_xlate.h), translate versions
bin_PROGRAMS += flow-xlate
flow_xlate_SOURCES = xlate/flow-xlate.c
flow_xlate_LDADD = $(FTLIB)
dist_man_MANS += man/flow-xlate.1
