/*
 * ft_stream_int.h - what the header codec (ft_header.c), the reader
 * (ft_reader.c, ft_readahead.c) and the writer (ft_writer.c) share.
 * Not installed.
 */
#ifndef FT_STREAM_INT_H
#define FT_STREAM_INT_H

#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include "stream/ft_stream.h"
#include "core/ft_bytes.h"

#define FT_IO_BLOCK (256 * 1024)       /* read and write unit */
#define FT_MAGIC1 0xCF                 /* the first two bytes of every stream */
#define FT_MAGIC2 0x10
#define FT_SV1_HDR_SIZE 360            /* a stream-version-1 header */

/* Integers of a header whose byte-order byte is neither 1 nor 2 are taken in
 * host order, as the original does ("BROKEN" byte order). */
static inline int ft_order_is_big(int byte_order)
{
    if (byte_order == FT_ORDER_BIG)
        return 1;
    if (byte_order == FT_ORDER_LITTLE)
        return 0;
    return FT_HOST_BIG;
}

/* "NAME: message" into *err: a stream's messages begin with its name. */
static inline __attribute__((format(printf, 3, 0)))
int ft_err_vset_named(struct ft_err *err, const char *name, const char *fmt, va_list ap)
{
    struct ft_err why;
    ft_err_vset(&why, fmt, ap);
    return ft_err_set(err, "%s: %s", name, why.msg);
}

/* ---- the header codec, for the reader (ft_header.c) ---------------------- */

/* The TLVs of a stream-version-3 header after its first 8 bytes; -1 when
 * the interface lists cannot be allocated. */
int ft_header_parse_tlvs(struct ft_header *h, const uint8_t *p, size_t len, int big);

/* A stream-version-1 header (FT_SV1_HDR_SIZE bytes at p); h->byte_order set. */
void ft_header_parse_sv1(struct ft_header *h, const uint8_t *p);

/* ---- reading ahead (ft_readahead.c) and the reader it drives --------------- */

/* ft_reader_read without read-ahead: the second thread's way of reading. */
ssize_t ft_reader_decode(struct ft_reader *r, struct ft_flow *flows, size_t max);
/* Raw records, as ft_reader_raw without its checks (not sv1). */
ssize_t ft_reader_next_raw(struct ft_reader *r, const uint8_t **recs, size_t max);
/* Decode n raw records at p (as ft_reader_decode does): reads only what
 * the reader set at open, so the caller's thread may call it. */
void ft_reader_decode_recs(const struct ft_reader *r, const uint8_t *p, size_t n,
                           struct ft_flow *flows);
/* Does the read-ahead thread hand raw records for the caller to decode
 * (ft_reader_decode_in_caller on a zlib stream whose records fit a flow)? */
int ft_reader_raw_ahead(const struct ft_reader *r);
/* The message of the damage ft_reader_decode returned -1 for. */
const char *ft_reader_damage(const struct ft_reader *r);

struct ft_readahead;

/* Start the second thread on r; NULL when out of memory or threads. */
struct ft_readahead *ft_readahead_start(struct ft_reader *r);
/* The next flows in order, as ft_reader_flows hands them out. */
ssize_t ft_readahead_take(struct ft_readahead *ra, const struct ft_flow **flows, size_t max);
/* Flows handed out, and the message of the caller's side (damage, misuse). */
uint64_t ft_readahead_count(const struct ft_readahead *ra);
struct ft_err *ft_readahead_err(struct ft_readahead *ra);
/* Stop the thread (waiting for a read in progress) and free everything. */
void ft_readahead_stop(struct ft_readahead *ra);

#endif
