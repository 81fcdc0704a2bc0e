# flow-mask: set prefix lengths from a mask definition (lib/lang/ft_mask.h)
bin_PROGRAMS += flow-mask
flow_mask_SOURCES = mask/flow-mask.c
flow_mask_LDADD = $(FTLIB)
dist_man_MANS += man/flow-mask.1
