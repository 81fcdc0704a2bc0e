# Unit tests of ftlib: each program prints "NAME: N passed, M failed".
# They find ../shared through $FTKIT_SHARED (tests/run-all.sh sets it).
TESTS += $(check_PROGRAMS)
# $FTKIT_SHARED wins over configure's --with-shared; without either the unit
# tests are skipped (exit 77) rather than failed.
AM_TESTS_ENVIRONMENT = FTKIT_SHARED="$${FTKIT_SHARED:-$(FTKIT_SHARED_DIR)}"; export FTKIT_SHARED;
LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/unit-run.sh
AM_DISTCHECK_CONFIGURE_FLAGS = --with-shared="$(FTKIT_SHARED_DIR)"
EXTRA_DIST += tests/unit-run.sh
EXTRA_DIST += tests/unit/ft_test.h
EXTRA_DIST += tests/unit/comment_lines.h

# capture support (file naming, rotation, expiry, address arguments)
check_PROGRAMS += tests/unit/test_capfile
tests_unit_test_capfile_SOURCES = tests/unit/test_capfile.c
tests_unit_test_capfile_LDADD = $(FTLIB)

# stream layer: record formats, reader, writer
EXTRA_DIST += tests/unit/stream_util.h
check_PROGRAMS += tests/unit/test_format
tests_unit_test_format_SOURCES = tests/unit/test_format.c
tests_unit_test_format_LDADD = $(FTLIB)

# text layer: formatters, symbol tables, print formats, JSON/CSV
check_PROGRAMS += tests/unit/test_text
tests_unit_test_text_SOURCES = tests/unit/test_text.c
tests_unit_test_text_LDADD = $(FTLIB)

# pdu: NetFlow/IPFIX decoders and encoders, pcap datagram reader
check_PROGRAMS += tests/unit/test_pdu
tests_unit_test_pdu_SOURCES = tests/unit/test_pdu.c
tests_unit_test_pdu_LDADD = $(FTLIB)

# free-form dates (flow-cat -t/-T)
# report: the aggregation table
check_PROGRAMS += tests/unit/test_agg
tests_unit_test_agg_SOURCES = tests/unit/test_agg.c
tests_unit_test_agg_LDADD = $(FTLIB)
# report: flow-report's ASCII output read back
check_PROGRAMS += tests/unit/test_rptin
tests_unit_test_rptin_SOURCES = tests/unit/test_rptin.c
tests_unit_test_rptin_LDADD = $(FTLIB)
# report: the report types and the stat.cfg language
check_PROGRAMS += tests/unit/test_rcfg
tests_unit_test_rcfg_SOURCES = tests/unit/test_rcfg.c
tests_unit_test_rcfg_LDADD = $(FTLIB)
check_PROGRAMS += tests/unit/test_report
tests_unit_test_report_SOURCES = tests/unit/test_report.c
tests_unit_test_report_LDADD = $(FTLIB)

# core: the field table
check_PROGRAMS += tests/unit/test_field
tests_unit_test_field_SOURCES = tests/unit/test_field.c
tests_unit_test_field_LDADD = $(FTLIB)

check_PROGRAMS += tests/unit/test_getdate
tests_unit_test_getdate_SOURCES = tests/unit/test_getdate.c
tests_unit_test_getdate_LDADD = $(FTLIB)
check_PROGRAMS += tests/unit/test_stream
tests_unit_test_stream_SOURCES = tests/unit/test_stream.c
tests_unit_test_stream_LDADD = $(FTLIB)
check_PROGRAMS += tests/unit/test_roundtrip
tests_unit_test_roundtrip_SOURCES = tests/unit/test_roundtrip.c
tests_unit_test_roundtrip_LDADD = $(FTLIB)
check_PROGRAMS += tests/unit/test_damage
tests_unit_test_damage_SOURCES = tests/unit/test_damage.c
tests_unit_test_damage_LDADD = $(FTLIB)

# per-exporter settings: the settings file, lookup, sampling, scaling, quirks
check_PROGRAMS += tests/unit/test_exporters
tests_unit_test_exporters_SOURCES = tests/unit/test_exporters.c
tests_unit_test_exporters_LDADD = $(FTLIB)

# tag language and prefix trie
check_PROGRAMS += tests/unit/test_tag
tests_unit_test_tag_SOURCES = tests/unit/test_tag.c
tests_unit_test_tag_LDADD = $(FTLIB)

# filter language (flow-nfilter, flow-capture -F)
check_PROGRAMS += tests/unit/test_filter
tests_unit_test_filter_SOURCES = tests/unit/test_filter.c
tests_unit_test_filter_LDADD = $(FTLIB)

# multi-threaded compression of the stream writer
check_PROGRAMS += tests/unit/test_pdeflate
tests_unit_test_pdeflate_SOURCES = tests/unit/test_pdeflate.c
tests_unit_test_pdeflate_LDADD = $(FTLIB)

# column blocks of zstd and extended streams
check_PROGRAMS += tests/unit/test_blocks
tests_unit_test_blocks_SOURCES = tests/unit/test_blocks.c
tests_unit_test_blocks_LDADD = $(FTLIB)
# the same without SSE2 squares: the byte-by-byte path other machines take
check_PROGRAMS += tests/unit/test_blocks_portable
tests_unit_test_blocks_portable_SOURCES = tests/unit/test_blocks.c lib/stream/ft_blocks.c
tests_unit_test_blocks_portable_CPPFLAGS = $(AM_CPPFLAGS) -DFT_BLOCKS_PORTABLE
tests_unit_test_blocks_portable_LDADD = $(FTLIB)

# flow generator: the original's counters, realistic traffic
check_PROGRAMS += tests/unit/test_gen
tests_unit_test_gen_SOURCES = tests/unit/test_gen.c
tests_unit_test_gen_LDADD = $(FTLIB)

# report: flow-stat's formats
check_PROGRAMS += tests/unit/test_stat
tests_unit_test_stat_SOURCES = tests/unit/test_stat.c
tests_unit_test_stat_LDADD = $(FTLIB)

# io: flow-export/flow-import formats, their parsers' accept/reject tables, round trips
check_PROGRAMS += tests/unit/test_io
tests_unit_test_io_SOURCES = tests/unit/test_io.c
tests_unit_test_io_LDADD = $(FTLIB)
# the fuzzing harness of flow-import's parsers (its seeds run as a test)
check_PROGRAMS += tests/unit/fuzz_import
tests_unit_fuzz_import_SOURCES = tests/unit/fuzz_import.c
tests_unit_fuzz_import_LDADD = $(FTLIB)
# flow-filter's ACL language (bison/flex) and criteria
check_PROGRAMS += tests/unit/test_acl
tests_unit_test_acl_SOURCES = tests/unit/test_acl.c
tests_unit_test_acl_LDADD = $(FTLIB)
# Crypto-PAn (flow-xlate's address anonymisation): published sample, IPv6, prefix property
check_PROGRAMS += tests/unit/test_cryptopan
tests_unit_test_cryptopan_SOURCES = tests/unit/test_cryptopan.c
tests_unit_test_cryptopan_LDADD = $(FTLIB)
# the xlate language (flow-xlate): accept/reject table, every action, terms, keys
check_PROGRAMS += tests/unit/test_xlate
tests_unit_test_xlate_SOURCES = tests/unit/test_xlate.c
tests_unit_test_xlate_LDADD = $(FTLIB)
# the mask language (flow-mask, stat.cfg mask): accept/reject table, longest prefix, IPv6
check_PROGRAMS += tests/unit/test_mask
tests_unit_test_mask_SOURCES = tests/unit/test_mask.c
tests_unit_test_mask_LDADD = $(FTLIB)
# sensor: the packet parser (every link type, malformed packets) and the flow cache
check_PROGRAMS += tests/unit/test_sensor
tests_unit_test_sensor_SOURCES = tests/unit/test_sensor.c
tests_unit_test_sensor_LDADD = $(FTLIB)
# core/stream: sort keys over the field table and the sorter (flow-sort)
check_PROGRAMS += tests/unit/test_sort
tests_unit_test_sort_SOURCES = tests/unit/test_sort.c
tests_unit_test_sort_LDADD = $(FTLIB)

# io: the SQL exports' URI, columns, rows and batches (no server; tests/sqlexport.sh has those)
check_PROGRAMS += tests/unit/test_sql
tests_unit_test_sql_SOURCES = tests/unit/test_sql.c
tests_unit_test_sql_LDADD = $(FTLIB)
# io: ClickHouse URLs, columns and DDL from the field table, RowBinary rows, HTTP answers
check_PROGRAMS += tests/unit/test_ch
tests_unit_test_ch_SOURCES = tests/unit/test_ch.c
tests_unit_test_ch_LDADD = $(FTLIB)
# column blocks of layout 2 (zstd: a frame per field) and their decoding on worker threads
check_PROGRAMS += tests/unit/test_cblocks
tests_unit_test_cblocks_SOURCES = tests/unit/test_cblocks.c
tests_unit_test_cblocks_LDADD = $(FTLIB) $(ZSTD_LIBS)

# host names through one replaceable resolver, bounded in time (net/ft_resolve)
check_PROGRAMS += tests/unit/test_resolve
tests_unit_test_resolve_SOURCES = tests/unit/test_resolve.c
tests_unit_test_resolve_LDADD = $(FTLIB)
