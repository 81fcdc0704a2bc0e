# ftlib: the only place that knows byte layouts.
lib_LTLIBRARIES += libft.la
libft_la_LDFLAGS = -version-info 0:0:0
libft_la_LIBADD = $(ZSTD_LIBS) $(PCAP_LIBS)
libft_la_SOURCES =
pkginclude_HEADERS += lib/ft_flow.h lib/ft_format.h lib/ft_stream.h

# stream: header, reader, writer, record codecs
libft_la_SOURCES += lib/ft_format.c lib/ft_stream.c

# text: formatting helpers, symbol tables, print formats, header text
# (filled in by the print/header work)

# generator
# (filled in by the flow-gen work)
