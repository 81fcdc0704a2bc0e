# flow-print: flows as text (flow-tools formats 0..24, JSON lines, CSV)
bin_PROGRAMS += flow-print
flow_print_SOURCES = print/flow-print.c
flow_print_LDADD = $(FTLIB)
dist_man_MANS += man/flow-print.1

# Sample symbol tables (flow-print -n and friends), installed to $(sysconfdir)/sym
symdir = $(sysconfdir)/sym
dist_sym_DATA = etc/sym/ip-prot.sym etc/sym/tcp-port.sym etc/sym/asn.sym \
	etc/sym/tag.sym etc/sym/ip-type.sym
