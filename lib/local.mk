# ftlib: the only place that knows byte layouts.  One folder per area; an
# area includes only the areas below it (tests/layering.sh checks):
#   core < stream < net, synth < pdu, text < lang
# Headers are installed under include/ftkit/AREA/; lib/flat/ keeps the old
# flat names (include/ftkit/ft_stream.h, ...) working for libft.pc users.
lib_LTLIBRARIES += libft.la
libft_la_LDFLAGS = -version-info 0:0:0
libft_la_LIBADD = $(ZSTD_LIBS) $(PCAP_LIBS) $(NETTLE_LIBS) -lm
libft_la_SOURCES =
pkginclude_HEADERS += lib/flat/ft_flow.h lib/flat/ft_format.h lib/flat/ft_stream.h \
	lib/flat/ft_text.h lib/flat/ft_sym.h lib/flat/ft_print.h lib/flat/ft_pdu.h \
	lib/flat/ft_pcap.h lib/flat/ft_trie.h lib/flat/ft_filter.h lib/flat/ft_tag.h

# core: the flow model and its field table, errors, whole files, byte loads/stores, the checked byte reader, dates
ftcoredir = $(pkgincludedir)/core
ftcore_HEADERS = lib/core/ft_flow.h lib/core/ft_field.h lib/core/ft_err.h
libft_la_SOURCES += lib/core/ft_field.c lib/core/ft_err.c lib/core/ft_file.c lib/core/ft_file.h \
	lib/core/ft_grow.c lib/core/ft_grow.h lib/core/ft_bytes.h lib/core/ft_rd.h lib/core/ft_heap.h \
	lib/core/ft_getdate.c lib/core/ft_getdate.h lib/core/ft_sortkey.c lib/core/ft_sortkey.h

# stream: record formats, header, reader (reading ahead), writer, compression,
# column blocks; the flow queue between a receiving and a writing thread
ftstreamdir = $(pkgincludedir)/stream
ftstream_HEADERS = lib/stream/ft_format.h lib/stream/ft_stream.h
libft_la_SOURCES += lib/stream/ft_format.c lib/stream/ft_format_ext.c lib/stream/ft_format_int.h \
	lib/stream/ft_header.c lib/stream/ft_reader.c lib/stream/ft_reader_api.c \
	lib/stream/ft_reader_int.h lib/stream/ft_readahead.c \
	lib/stream/ft_writer.c lib/stream/ft_stream_int.h lib/stream/ft_thread.h \
	lib/stream/ft_pdeflate.c lib/stream/ft_pdeflate.h \
	lib/stream/ft_blocks.c lib/stream/ft_blocks.h \
	lib/stream/ft_cblocks.c lib/stream/ft_cblocks.h \
	lib/stream/ft_bpool.c lib/stream/ft_bpool.h \
	lib/stream/ft_flowq.c lib/stream/ft_flowq.h \
	lib/stream/ft_sort.c lib/stream/ft_sort.h
dist_man_MANS += man/ftkit-stream.5

# net: addresses, UDP sockets, capture file names/rotation/expiry, file and
# directory lists, UDP payloads out of pcap files, the capture writer
ftnetdir = $(pkgincludedir)/net
ftnet_HEADERS = lib/net/ft_pcap.h lib/net/ft_resolve.h
libft_la_SOURCES += lib/net/ft_addrspec.c lib/net/ft_addrspec.h lib/net/ft_udp.c \
	lib/net/ft_udp.h lib/net/ft_capfile.c lib/net/ft_capfile.h lib/net/ft_files.c \
	lib/net/ft_files.h lib/net/ft_pcap.c \
	lib/net/ft_capwriter.c lib/net/ft_capwriter.h
# net: host names resolved within a bound, through a resolver callers can replace
libft_la_SOURCES += lib/net/ft_resolve.c
# net: Crypto-PAn prefix-preserving anonymisation (AES from nettle; flow-xlate)
libft_la_SOURCES += lib/net/ft_cryptopan.c lib/net/ft_cryptopan.h
AM_CPPFLAGS += $(NETTLE_CFLAGS)

# synth: the flow generator (flow-gen)
libft_la_SOURCES += lib/synth/ft_gen.c lib/synth/ft_gen.h lib/synth/ft_gen_int.h \
	lib/synth/ft_gen_counter.c lib/synth/ft_gen_plan.c lib/synth/ft_gen_services.c \
	lib/synth/ft_gen_traffic.c

# pdu: NetFlow v1/v5/v6/v7/v8/v9/IPFIX decoders and encoders; per-exporter settings
ftpdudir = $(pkgincludedir)/pdu
ftpdu_HEADERS = lib/pdu/ft_pdu.h
libft_la_SOURCES += lib/pdu/ft_pdu.c lib/pdu/ft_pdu_ctx.c lib/pdu/ft_pdu_ctx.h \
	lib/pdu/ft_pdu_fixed.c lib/pdu/ft_pdu_fixed.h lib/pdu/ft_pdu_v9.c lib/pdu/ft_pdu_v9.h \
	lib/pdu/ft_pdu_v9rec.c lib/pdu/ft_pdu_v9rec.h \
	lib/pdu/ft_pdu_tmpl.c lib/pdu/ft_pdu_tmpl.h lib/pdu/ft_pdu_tmplfile.c lib/pdu/ft_pdu_enc.c \
	lib/pdu/ft_exporters.c lib/pdu/ft_exporters.h
dist_man_MANS += man/ftkit-exporters.5

# text: buffered output and formatters, symbol tables, print formats, header text
fttextdir = $(pkgincludedir)/text
fttext_HEADERS = lib/text/ft_text.h lib/text/ft_sym.h lib/text/ft_print.h lib/text/ft_row.h
libft_la_SOURCES += lib/text/ft_text.c lib/text/ft_sym.c lib/text/ft_print.c lib/text/ft_row.c \
	lib/text/ft_print_agg.c lib/text/ft_print_int.h \
	lib/text/ft_header_text.c

# lang: the config reader, the filter and tag languages, longest-prefix match
ftlangdir = $(pkgincludedir)/lang
ftlang_HEADERS = lib/lang/ft_trie.h lib/lang/ft_filter.h lib/lang/ft_tag.h lib/lang/ft_vars.h \
	lib/lang/ft_iflist.h lib/lang/ft_xlate.h
libft_la_SOURCES += lib/lang/ft_cfg.c lib/lang/ft_cfg.h \
	lib/lang/ft_filter.c lib/lang/ft_filter_prim.c lib/lang/ft_filter_eval.c lib/lang/ft_vars.c \
	lib/lang/ft_filter_int.h \
	lib/lang/ft_tag.c lib/lang/ft_tag_parse.c lib/lang/ft_tag_int.h \
	lib/lang/ft_trie.c lib/lang/ft_iflist.c
# the mask language (stat.cfg `mask`; flow-mask when it comes)
	lib/lang/ft_trie.c
# the mask language (stat.cfg `mask`, flow-mask)
libft_la_SOURCES += lib/lang/ft_mask.c lib/lang/ft_mask.h
# the xlate language (flow-xlate): action types over the field table, Crypto-PAn keys
libft_la_SOURCES += lib/lang/ft_xlate.c lib/lang/ft_xlate_act.c \
	lib/lang/ft_xlate_int.h

# report: the aggregation table of reports (flow-report, flow-stat)
libft_la_SOURCES += lib/report/ft_agg.c lib/report/ft_agg.h
libft_la_SOURCES += lib/report/ft_dense.c lib/report/ft_dense.h
# report: flow-stat's formats 0..32 (the table of formats, key reports, summaries)
libft_la_SOURCES += lib/report/ft_stat.c lib/report/ft_stat.h lib/report/ft_stat_int.h \
	lib/report/ft_stat_fmt.c lib/report/ft_stat_sum.c
# report: flow-report's ASCII output read back (flow-rptfmt, the chart page)
libft_la_SOURCES += lib/report/ft_rptin.c lib/report/ft_rptin.h
# report: types over the field table, the stat.cfg language, the engine and its outputs
libft_la_SOURCES += lib/report/ft_rtype.c lib/report/ft_rtype.h \
	lib/report/ft_rcfg.c lib/report/ft_rcfg.h \
	lib/report/ft_report.c lib/report/ft_report.h lib/report/ft_report_int.h \
	lib/report/ft_report_out.c
# report: flow-report's JSON lines and CSV outputs
libft_la_SOURCES += lib/report/ft_report_rows.c
# report: scan detection (flow-dscan)
libft_la_SOURCES += lib/report/ft_dscan.c lib/report/ft_dscan.h

# io: flows to and from other formats (flow-export, flow-import): the format
# table, cflowd records, wire datagrams and pcap files, CSV and JSON lines
ftiodir = $(pkgincludedir)/io
ftio_HEADERS = lib/io/ft_io.h
libft_la_SOURCES += lib/io/ft_io.c lib/io/ft_io_int.h lib/io/ft_io_text.c \
	lib/io/ft_io_cflowd.c lib/io/ft_io_wire.c
# lang: flow-filter's access lists.  The grammar (bison) and the scanner (flex)
# are generated code: they build in a convenience library of their own, with
# flex's unused yy_fatal_error (ours replaces it) silenced there and nowhere else; the
# include path finds the grammar's header in the build tree.
AM_YFLAGS = -d -Wno-yacc
noinst_LTLIBRARIES += libftacl.la
libftacl_la_SOURCES = lib/lang/ft_acl_gram.y lib/lang/ft_acl_scan.l
libftacl_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/lib
libftacl_la_CFLAGS = $(AM_CFLAGS) -Wno-unused-function
# not AM_LDFLAGS' -static (the programs' link): libft.so takes its PIC objects
libftacl_la_LDFLAGS =
BUILT_SOURCES += lib/lang/ft_acl_gram.h
libft_la_LIBADD += libftacl.la
ftlang_HEADERS += lib/lang/ft_acl.h
libft_la_SOURCES += lib/lang/ft_acl.c lib/lang/ft_acl_filter.c lib/lang/ft_acl_int.h

# sensor: packets into flows (flow-sensor): the packet parser, the flow cache
libft_la_SOURCES += lib/sensor/ft_packet.c lib/sensor/ft_packet.h \
	lib/sensor/ft_meter.c lib/sensor/ft_meter.h
# io: the SQL exports (flow-export -f 3 MySQL/MariaDB, -f 5 PostgreSQL): the
# URI, columns and batches they share, each server's client (optional)
libft_la_SOURCES += lib/io/ft_io_sql.c lib/io/ft_io_sql.h lib/io/ft_io_mysql.c \
	lib/io/ft_io_pgsql.c
libft_la_LIBADD += $(MARIADB_LIBS) $(LIBPQ_LIBS)

# io: ClickHouse over HTTP (plain sockets) and flows as its RowBinary rows
ftio_HEADERS += lib/io/ft_chhttp.h lib/io/ft_chrow.h
libft_la_SOURCES += lib/io/ft_chhttp.c lib/io/ft_chrow.c
