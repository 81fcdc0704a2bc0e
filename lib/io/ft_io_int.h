/*
 * ft_io_int.h - what the format files of lib/io share (not installed): the
 * export and import objects, and the input every import parser reads
 * through, from a descriptor or from memory alike.
 */
#ifndef FT_IO_INT_H
#define FT_IO_INT_H

#include "io/ft_io.h"
#include "pdu/ft_pdu.h"
#include "text/ft_row.h"

/* ---- the input of an import ---------------------------------------------- */

#define FT_ISRC_LINE_MAX 65536      /* longest text line */
#define FT_ISRC_CHUNK 262144        /* bytes read at once */

struct ft_isrc {
    int fd;                     /* -1: all of it is in memory */
    const char *name;
    uint8_t *own;               /* the buffer read into (fd), else NULL */
    size_t cap;
    const uint8_t *p;           /* own or the caller's memory */
    size_t start, end;          /* unread bytes are p[start..end) */
    uint64_t off;               /* input offset of p[start] */
    uint64_t line;              /* lines taken so far */
    int eof;
};

/* At least n unread bytes at *out unless the input ends first: how many
 * there are (< n only at the end), or -1 with err (read error, no memory). */
long ft_isrc_fill(struct ft_isrc *s, size_t n, const uint8_t **out, struct ft_err *err);
void ft_isrc_skip(struct ft_isrc *s, size_t n);
/* The next line without its end (LF or CRLF): 1 with *line and *len, 0 at the
 * end, -1 with err (longer than FT_ISRC_LINE_MAX, read error). */
int ft_isrc_line(struct ft_isrc *s, const char **line, size_t *len, struct ft_err *err);

/* ---- import --------------------------------------------------------------- */

#define FT_IO_MAX_COLS 64

struct ft_import {
    const struct ft_io_format *fmt;
    struct ft_import_opts opt;
    struct ft_isrc src;
    uint64_t count, skipped;
    int failed;                 /* a parser failed: err says why, every call again */
    struct ft_err err;
    /* CSV: the column of every cell (ids), known after the header or the
     * first line; JSON: whether first/last are epoch ms */
    int cols_known;
    size_t n_cols;
    uint8_t cols[FT_IO_MAX_COLS];
    /* JSON: the key seen at each position of the last line and what it
     * means (a field id, or one of the JSON_* below), so that lines with
     * the same keys look up no name */
    struct ft_io_jkey { char name[24]; uint8_t len; int16_t what; } jkeys[FT_IO_MAX_COLS];
    /* wire and pcap: the decoder and the flows of the last datagram */
    struct ft_pdu_ctx *pdu;
    const struct ft_flow *dflows;
    size_t n_dflows, i_dflow;
    /* pcap: link type, byte order and time unit of the file */
    int pcap_started, pcap_big, dlt;
    uint64_t frame;
};

/* ---- export --------------------------------------------------------------- */

struct ft_export {
    const struct ft_io_format *fmt;
    struct ft_export_opts opt;
    const struct ft_format *in;
    struct ft_out *out;
    uint64_t count;
    void *priv;                 /* a format's own state (ft_export_ops.release) */
    /* CSV and JSON: the columns (JSON without -m: flow-print's line) */
    struct ft_row_cols cols;
    int print_line;
    /* cflowd: the fields of every record */
    uint32_t cf_index;
    /* wire and pcap: the encoder, the exporter of the datagram being
     * filled, the IPv4 identification of the next frame */
    struct ft_pdu_enc *enc;
    struct ft_ip exaddr;
    int filling;
    uint16_t ip_id;
};

/* The operations of each format file. */
extern const struct ft_export_ops ft_io_csv_export, ft_io_json_export, ft_io_cflowd_export,
    ft_io_wire_export, ft_io_pcap_export;
extern const struct ft_import_ops ft_io_csv_import, ft_io_json_import, ft_io_cflowd_import,
    ft_io_wire_import, ft_io_pcap_import;

/* The stream fields the export writes: -m (a field mask) within `in`'s. */
uint64_t ft_io_export_mask(const struct ft_export *x);

/* A decimal number of at most max, from s[0..n): 0, or -1 when it is none. */
int ft_io_number(const char *s, size_t n, uint64_t max, uint64_t *v);
/* An IPv4 or IPv6 address from s[0..n): 0 or -1. */
int ft_io_address(const char *s, size_t n, struct ft_ip *a);
/* Store text s[0..n) as the value of field d in f (its has bit set):
 * 0, or -1 when it is no value of that field. */
int ft_io_set_field(struct ft_flow *f, const struct ft_field *d, const char *s, size_t n);

#endif
