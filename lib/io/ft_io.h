/*
 * ft_io.h - flows to and from other formats: flow-export and flow-import.
 *
 * One table lists the formats (struct ft_io_format): flow-tools' numbered
 * ones (0 cflowd, 1 pcap, 2 ASCII CSV, 3 MySQL, 4 wire, 5 PostgreSQL) and
 * ftkit's named ones (json).  A row says how a format is written (struct
 * ft_export_ops) and read (struct ft_import_ops); a format that is not
 * there yet (the databases) is a row with no operations, and adding it is
 * filling them in (they get the -u URI through the options).
 *
 * Only this area knows the byte layouts of those formats: the cflowd
 * record (ft_io_cflowd.c), pcap files holding Ethernet/IPv4/UDP frames of
 * NetFlow datagrams and the wire format, datagrams back to back
 * (ft_io_wire.c), CSV and JSON lines (ft_io_text.c, over text/ft_row.h).
 *
 * An import parses its input from a file descriptor or from a memory
 * buffer (ft_import_open_mem: the fuzzing entry point of every parser).
 * Errors name the input and the line, record or frame.  Nothing here
 * prints or exits.
 */
#ifndef FT_IO_H
#define FT_IO_H

#include <stdint.h>
#include <stddef.h>
#include "core/ft_err.h"
#include "core/ft_flow.h"
#include "stream/ft_format.h"
#include "text/ft_text.h"

/* -m: a field list, as flow-tools takes it. */
struct ft_io_fields {
    uint64_t mask;              /* FT_F_* bits of the named fields, or the number */
    int numeric;                /* 1: given as a number (format 0: a cflowd mask) */
    int given;                  /* 0: -m was not given (all fields) */
    uint8_t ids[64];            /* the named fields in order (for JSON columns) */
    size_t n_ids;
};

/* Parse -m: a number (0x.. or decimal) or a comma list of field names in
 * the order of the field table, any case.  0, or -1 with err. */
int ft_io_parse_fields(const char *arg, struct ft_io_fields *f, struct ft_err *err);

struct ft_export_opts {
    struct ft_io_fields fields; /* -m */
    const char *uri;            /* -u (the database formats) */
    uint16_t port;              /* pcap: UDP port of the frames [9991] */
};

struct ft_import_opts {
    struct ft_io_fields fields; /* -m: CSV columns when the input has no header */
    const struct ft_format *format; /* the stream format the flows are for (-V) */
};

struct ft_export;
struct ft_import;

struct ft_export_ops {
    /* After the state is set up: write what comes before the records. */
    int (*begin)(struct ft_export *x, struct ft_err *err);
    int (*put)(struct ft_export *x, const struct ft_flow *f, struct ft_err *err);
    /* Write what is still held (a datagram being filled); may be NULL. */
    int (*end)(struct ft_export *x, struct ft_err *err);
    /* Release what begin took for the format (a database connection kept
     * in the export's priv); may be NULL. */
    void (*release)(struct ft_export *x);
};

struct ft_import_ops {
    /* The next flow into *f: 1, 0 at the end, -1 with err. */
    int (*next)(struct ft_import *im, struct ft_flow *f, struct ft_err *err);
};

struct ft_io_format {
    int number;                 /* flow-tools -f number, -1 for a named one */
    const char *name;           /* "cflowd", "pcap", "ascii", "mysql", "wire", "pgsql", "json" */
    const char *title;          /* for messages: "MySQL" */
    const char *imp_title;      /* when flow-tools' import means another format by
                                 * the number (3: Cisco NFCollector), else NULL */
    const struct ft_export_ops *exp;    /* NULL: not written (yet) */
    const struct ft_import_ops *imp;    /* NULL: not read */
};

/* Every format, ended by a row with a NULL name. */
extern const struct ft_io_format ft_io_formats[];

/* The format of a -f argument (its number or its name), or NULL. */
const struct ft_io_format *ft_io_format_find(const char *arg);

/* ---- export ------------------------------------------------------------- */

/* Start writing flows of stream format `in` to out (kept by the caller)
 * as format fmt; what comes before the records is written at once.  NULL
 * with err when fmt cannot be written or the options do not fit. */
struct ft_export *ft_export_new(const struct ft_io_format *fmt, const struct ft_export_opts *o,
                                const struct ft_format *in, struct ft_out *out,
                                struct ft_err *err);
int ft_export_flows(struct ft_export *x, const struct ft_flow *flows, size_t n,
                    struct ft_err *err);
/* Write what is held; 0 or -1.  Frees nothing (ft_export_free). */
int ft_export_end(struct ft_export *x, struct ft_err *err);
uint64_t ft_export_count(const struct ft_export *x);
void ft_export_free(struct ft_export *x);

/* ---- import ------------------------------------------------------------- */

/* Read format fmt from fd (not closed), called `name` in messages. */
struct ft_import *ft_import_open(const struct ft_io_format *fmt, const struct ft_import_opts *o,
                                 int fd, const char *name, struct ft_err *err);
/* The same from len bytes at buf (kept by the caller until ft_import_free):
 * the fuzzing entry point of every import parser. */
struct ft_import *ft_import_open_mem(const struct ft_io_format *fmt,
                                     const struct ft_import_opts *o, const uint8_t *buf,
                                     size_t len, const char *name, struct ft_err *err);
/* Up to max flows into flows: how many (0 at the end), or -1 with err (the
 * flows before the damage have been handed out). */
long ft_import_read(struct ft_import *im, struct ft_flow *flows, size_t max, struct ft_err *err);
/* Flows handed out, and datagrams of a pcap that were no NetFlow (skipped). */
uint64_t ft_import_count(const struct ft_import *im);
uint64_t ft_import_skipped(const struct ft_import *im);
void ft_import_free(struct ft_import *im);

#endif
