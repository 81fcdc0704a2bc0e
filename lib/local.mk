# ftlib: the only place that knows byte layouts.
lib_LTLIBRARIES += libft.la
libft_la_LDFLAGS = -version-info 0:0:0
libft_la_LIBADD = $(ZSTD_LIBS) $(PCAP_LIBS)
libft_la_SOURCES =
pkginclude_HEADERS += lib/ft_flow.h lib/ft_format.h lib/ft_stream.h

# stream: header, reader, writer, record codecs, byte-order helpers; the file format page
libft_la_SOURCES += lib/ft_err.h lib/ft_err.c
libft_la_SOURCES += lib/ft_format.c lib/ft_stream.c lib/ft_bytes.h
dist_man_MANS += man/ftkit-stream.5
# zlib compression on worker threads (ft_write_opts.threads)
libft_la_SOURCES += lib/ft_pdeflate.c lib/ft_pdeflate.h
# column blocks: records turned on their side before compression
libft_la_SOURCES += lib/ft_blocks.c lib/ft_blocks.h

# text: formatting helpers, symbol tables, print formats, header text
pkginclude_HEADERS += lib/ft_text.h lib/ft_sym.h lib/ft_print.h
libft_la_SOURCES += lib/ft_text.c lib/ft_sym.c lib/ft_print.c lib/ft_header_text.c

# capture support: file naming, rotation, expiry; address arguments; UDP
libft_la_SOURCES += lib/ft_capfile.c lib/ft_capfile.h lib/ft_addrspec.c lib/ft_addrspec.h \
	lib/ft_udp.c lib/ft_udp.h

# pdu: NetFlow v1/v5/v6/v7/v8/v9/IPFIX decoders and encoders; pcap datagram reader
pkginclude_HEADERS += lib/ft_pdu.h lib/ft_pcap.h
libft_la_SOURCES += lib/ft_pdu.c lib/ft_pdu_int.h lib/ft_pdu_fixed.c lib/ft_pdu_v9.c \
	lib/ft_pdu_tmpl.c lib/ft_pdu_enc.c lib/ft_pcap.c
libft_la_SOURCES += lib/ft_flowq.c lib/ft_flowq.h

# flow generator, file and directory lists, free-form dates (flow-gen, flow-cat)
libft_la_SOURCES += lib/ft_gen.c lib/ft_gen.h lib/ft_files.c lib/ft_files.h \
	lib/ft_getdate.c lib/ft_getdate.h
libft_la_LIBADD += -lm

# longest-prefix match (tag engine, filter engine)
pkginclude_HEADERS += lib/ft_trie.h
libft_la_SOURCES += lib/ft_trie.c

# per-exporter settings of the collectors: sampling overrides, scaling, quirks
libft_la_SOURCES += lib/ft_exporters.c lib/ft_exporters.h
dist_man_MANS += man/ftkit-exporters.5

# filter language (flow-nfilter, flow-capture -F)
pkginclude_HEADERS += lib/ft_filter.h
libft_la_SOURCES += lib/ft_filter.c lib/ft_filter_eval.c lib/ft_filter_vars.c lib/ft_filter_int.h
# the config-file reading filter.cfg and tag.cfg share
libft_la_SOURCES += lib/ft_cfg.c lib/ft_cfg.h

# tag language (flow-tag, flow-capture -T)
pkginclude_HEADERS += lib/ft_tag.h
libft_la_SOURCES += lib/ft_tag.c lib/ft_tag_parse.c lib/ft_tag_int.h
