/*
 * ft_print.h - flow-print's record formats and the stream header block.
 *
 * Formats 0..24 reproduce flow-tools' flow-print byte for byte (see
 * print-formats.md); ftkit adds JSON lines and CSV.  A printer is built once
 * per stream (it checks that the stream carries the fields the format
 * needs), then formats batches of flows into a struct ft_out.
 */
#ifndef FT_PRINT_H
#define FT_PRINT_H

#include <stdint.h>
#include <stddef.h>
#include "core/ft_flow.h"
#include "stream/ft_format.h"
#include "stream/ft_stream.h"
#include "text/ft_text.h"

#define FT_PRINT_NFORMATS 25    /* flow-tools formats 0..24 */
#define FT_PRINT_DEFAULT  (-1)  /* chosen from the stream's record format */
#define FT_PRINT_JSON     100
#define FT_PRINT_CSV      101

struct ft_print_opts {
    int format;                 /* 0..24, FT_PRINT_JSON, FT_PRINT_CSV or FT_PRINT_DEFAULT */
    int names;                  /* -n: symbolic names for ports, protocols, AS, tags */
    int wide;                   /* -w */
    int line_flush;             /* -l: write out every line at once */
    int stream_header;          /* -p: print the stream header block first */
    char comment;               /* -c: comment character of the header block */
    const char *symdir;         /* where the symbol tables are (NULL: FT_SYM_DEFAULT_DIR) */
};

/* Parse a -f argument ("0".."24", "json", "csv"): 0, or -1 if it is not a
 * format name or number (numbers >= 25 parse; ft_printer_new refuses them). */
int ft_print_parse_format(const char *arg, int *format);

/* flow-print's default format for records of fmt. */
int ft_print_default_format(const struct ft_format *fmt);

/* FT_F_* fields a format needs in the stream (0 for JSON/CSV: they print
 * whatever each flow carries). */
uint64_t ft_print_required(int format);

/* Why ft_printer_new failed. */
enum ft_print_error {
    FT_PRINT_ENOFORMAT = 1,     /* "No such format, N" (flow-print exits 1) */
    FT_PRINT_EFIELDS,           /* the stream lacks a required field (exits 255) */
    FT_PRINT_ENOMEM
};

struct ft_printer;

/*
 * A printer for flows of stream format fmt.  With opts->names the symbol
 * tables are read (ft_sym_open); a table that cannot be read leaves its
 * columns numeric.  NULL on failure, with *why and err set.
 */
struct ft_printer *ft_printer_new(const struct ft_print_opts *opts,
                                  const struct ft_format *fmt,
                                  enum ft_print_error *why, struct ft_err *err);
void ft_printer_free(struct ft_printer *pr);

/* The format actually used (the default resolved). */
int ft_printer_format(const struct ft_printer *pr);

/* The -p header block (if asked for) and the format's column header. */
void ft_print_begin(struct ft_printer *pr, struct ft_out *o, const struct ft_header *h);

/* Format n flows. */
void ft_print_flows(struct ft_printer *pr, struct ft_out *o,
                    const struct ft_flow *flows, size_t n);

/* Flows left out because dPkts was 0 (formats 1, 2 and 24, as flow-tools). */
uint64_t ft_printer_bogus(const struct ft_printer *pr);

/*
 * The stream header block of flow-header, flow-print -p and flow-stat -p
 * (print-formats.md section 4), each line starting with the comment
 * character, dates in local time.
 */
void ft_header_print(struct ft_out *o, const struct ft_header *h, char comment);

#endif
