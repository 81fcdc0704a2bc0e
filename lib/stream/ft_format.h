/*
 * ft_format.h - the on-disk record formats of flow streams.
 *
 * A format is identified by (d_version, agg_method); its record size and
 * field mask follow.  Only lib/ knows the byte layouts: everything else
 * decodes records into struct ft_flow and encodes them back through here.
 */
#ifndef FT_FORMAT_H
#define FT_FORMAT_H

#include <stdint.h>
#include <stddef.h>
#include "core/ft_flow.h"

/* ftkit's extended record: the whole flow model (see ftkit-stream(5)). */
#define FT_DV_EXTENDED 9005

/* Byte orders, as byte 2 of a stream header says them. */
#define FT_ORDER_LITTLE 1
#define FT_ORDER_BIG    2

/*
 * Big-endian records in flow-tools' own layout, as an `order` argument.
 * It differs from FT_ORDER_BIG in v1005 only: flow-tools leaves the exporter
 * address little-endian and keeps only the low 16 bits of each tag (16 bits
 * big-endian, then two zero bytes), where FT_ORDER_BIG stores every field
 * big-endian and loses nothing.  Stream readers report it for big-endian
 * v1005 streams without FT_HF_BE1005_FIXED (the original's files).  Its low
 * byte is FT_ORDER_BIG, so that it is never mistaken for a header byte of
 * its own.
 */
#define FT_ORDER_BIG_FLOWTOOLS (0x100 | FT_ORDER_BIG)

struct ft_format {
    uint16_t d_version;     /* 1, 5, 6, 7, 8, 1005 or FT_DV_EXTENDED */
    uint8_t agg_method;     /* v8 only: 1..14, else 0 */
    uint8_t agg_version;    /* v8 only: 2, else 0 */
    uint16_t rec_size;      /* bytes per record */
    uint64_t mask;          /* FT_F_* fields the record carries */
    const char *name;       /* "v5", "v8.3", "v1005", "extended" */
};

/* The format of (d_version, agg_method), or NULL if there is none.
 * agg_method is ignored unless d_version is 8. */
const struct ft_format *ft_format_find(unsigned d_version, unsigned agg_method);

/* Parse a -V argument: "5", "8.3", "1005", "extended"... NULL if unknown. */
const struct ft_format *ft_format_parse(const char *spec);

/* All formats, for tests and usage text; ends with a NULL-name sentinel. */
extern const struct ft_format ft_formats[];

/* The stream-version-1 record (60 bytes, read only; converted to v1 or v5). */
#define FT_SV1_REC_SIZE 60

/*
 * Decode one record stored in byte order `order` (FT_ORDER_*, including
 * FT_ORDER_BIG_FLOWTOOLS) into *f.  All of *f is
 * overwritten: fields the format does not carry are zero and absent from
 * f->has.  Times (start_ms/end_ms) are derived.
 */
void ft_rec_decode(const struct ft_format *fmt, int order, const uint8_t *rec,
                   struct ft_flow *f);

/* Same for a stream-version-1 record, converted as the spec says. */
void ft_rec_decode_sv1(unsigned d_version, int order, const uint8_t *rec,
                       struct ft_flow *f);

/* Bits returned by ft_rec_encode when the record could not hold a value. */
#define FT_LOSS_ADDR6     0x01  /* an IPv6 address in an IPv4-only record */
#define FT_LOSS_COUNTER   0x02  /* a 64-bit counter above 2^32-1 (saturated) */
#define FT_LOSS_WIDTH     0x04  /* AS number, ifIndex or tag wider than the field */
#define FT_LOSS_FIELDS    0x08  /* the flow has fields the format has no room for */

/*
 * Encode *f as one record of `fmt` in byte order `order` (as for decode) into out
 * (fmt->rec_size bytes; padding is zeroed).  Returns 0, or FT_LOSS_* bits
 * saying what did not fit.  FT_LOSS_FIELDS is only reported for fields that
 * carry information (non-zero values).
 */
unsigned ft_rec_encode(const struct ft_format *fmt, int order, const struct ft_flow *f,
                       uint8_t *out);

/* Convert a whole record from one byte order to the other, in place
 * (FT_ORDER_LITTLE <-> FT_ORDER_BIG). */
void ft_rec_swap(const struct ft_format *fmt, uint8_t *rec);

/* The layout `order` means for records of fmt: 0 is the host's byte order,
 * FT_ORDER_BIG_FLOWTOOLS is FT_ORDER_BIG in every format but v1005. */
int ft_order_of(const struct ft_format *fmt, int order);

/*
 * Convert a record stored as `from` to `to` (FT_ORDER_* values, including
 * FT_ORDER_BIG_FLOWTOOLS), in place; padding is kept.  Returns 0, or
 * FT_LOSS_WIDTH when a v1005 tag above 65535 was cut to the flow-tools
 * layout's 16 bits.
 */
unsigned ft_rec_convert(const struct ft_format *fmt, uint8_t *rec, int from, int to);

/* The byte columns of fmt's records that hold a field of `fields` (FT_F_*
 * bits): bit j % 8 of cols[j / 8] set for byte j (cols has
 * ceil(rec_size / 8) bytes).  Formats without field rows (the extended
 * record): every column.  Column blocks use it to inflate only those. */
void ft_format_columns(const struct ft_format *fmt, uint64_t fields, uint8_t *cols);

/* Where fields start and end in fmt's records: bit j of bounds (rec_size + 1
 * bits) set when a field starts or ends at byte j; all zero (returns 0) for
 * formats without field rows. */
int ft_format_bounds(const struct ft_format *fmt, uint8_t *bounds);

/* Host byte order as FT_ORDER_*. */
int ft_host_order(void);

#endif
