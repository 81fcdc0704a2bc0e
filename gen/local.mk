# flow-gen: synthetic flows (the original's counters, or realistic traffic)
bin_PROGRAMS += flow-gen
flow_gen_SOURCES = gen/flow-gen.c
flow_gen_LDADD = $(FTLIB)
dist_man_MANS += man/flow-gen.1
