# flow-export, flow-import: flows to and from cflowd, pcap, CSV, wire and JSON (lib/io)
bin_PROGRAMS += flow-export flow-import
flow_export_SOURCES = export/flow-export.c
flow_export_LDADD = $(FTLIB)
flow_import_SOURCES = export/flow-import.c
flow_import_LDADD = $(FTLIB)
dist_man_MANS += man/flow-export.1 man/flow-import.1
