/*
 * ft_stream.c - flow-tools stream files: header codec, reader, writer.
 *
 * Layout facts are those of stream-format.md (sections 2-5); ftkit's
 * additions (zstd, the extended record, lossless big-endian v1005) are
 * described in ftkit-stream(5).
 *
 * Data moves in big blocks: the reader reads 256 KiB at a time and hands out
 * the records of a block as one contiguous batch (straight from the read
 * buffer when the stream is not compressed); the writer collects records
 * into a 256 KiB block before compressing or writing it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif

#include "stream/ft_stream.h"
#include "core/ft_bytes.h"
#include "stream/ft_pdeflate.h"
#include "stream/ft_blocks.h"

#define IO_BLOCK (256 * 1024)       /* read and write unit */
#define HDR_READ_MAX 65536          /* largest header a reader accepts */
#define SV1_HDR_SIZE 360
#define SV1_HOSTNAME_LEN 68
#define SV1_COMMENTS_LEN 256
/* zstd's level 1: on column blocks it compresses v5 flows about 3 times
 * faster than level 3, for files 3% larger (bench/README.md). */
#define ZSTD_DEFAULT_LEVEL 1
#define ZSTD_MAX_LEVEL 19
#define ZSTD_ROWS_LEVEL 16          /* from here on no column blocks */

static const uint8_t MAGIC1 = 0xCF, MAGIC2 = 0x10;

static void err_set(struct ft_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void err_set(struct ft_err *e, const char *fmt, ...)
{
    if (!e)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
}

/* Integers of a header whose byte-order byte is neither 1 nor 2 are taken in
 * host order, as the original does ("BROKEN" byte order). */
static int order_is_big(int byte_order)
{
    if (byte_order == FT_ORDER_BIG)
        return 1;
    if (byte_order == FT_ORDER_LITTLE)
        return 0;
    return FT_HOST_BIG;
}

/* ======================================================================
 * Header fields
 * ====================================================================== */

void ft_header_init(struct ft_header *h, const struct ft_format *fmt)
{
    memset(h, 0, sizeof(*h));
    h->byte_order = (uint8_t)ft_host_order();
    h->s_version = 3;
    h->d_version = fmt->d_version;
    FT_SET(h, FT_TLV_EX_VER);
    FT_SET(h, FT_TLV_HEADER_FLAGS);
    if (fmt->d_version == 8) {
        h->agg_version = fmt->agg_version;
        h->agg_method = fmt->agg_method;
        FT_SET(h, FT_TLV_AGG_VER);
        FT_SET(h, FT_TLV_AGG_METHOD);
    }
}

void ft_header_set_str(struct ft_header *h, enum ft_tlv tlv, const char *s)
{
    char *dst;
    if (tlv == FT_TLV_CAP_HOSTNAME)
        dst = h->hostname;
    else if (tlv == FT_TLV_COMMENTS)
        dst = h->comments;
    else
        return;
    snprintf(dst, FT_HDR_STR, "%s", s ? s : "");
    FT_SET(h, tlv);
}

/* The member holding a 32-bit TLV, or NULL. */
static uint32_t *header_u32(struct ft_header *h, unsigned tlv)
{
    switch (tlv) {
    case FT_TLV_EXPORTER_IP: return &h->exporter_ip;
    case FT_TLV_CAP_START: return &h->cap_start;
    case FT_TLV_CAP_END: return &h->cap_end;
    case FT_TLV_HEADER_FLAGS: return &h->flags;
    case FT_TLV_ROT_SCHEDULE: return &h->rot_schedule;
    case FT_TLV_FLOW_COUNT: return &h->flow_count;
    case FT_TLV_FLOW_LOST: return &h->flow_lost;
    case FT_TLV_FLOW_MISORDERED: return &h->flow_misordered;
    case FT_TLV_PKT_CORRUPT: return &h->pkt_corrupt;
    case FT_TLV_SEQ_RESET: return &h->seq_reset;
    default: return NULL;
    }
}

void ft_header_set_u32(struct ft_header *h, enum ft_tlv tlv, uint32_t v)
{
    uint32_t *p = header_u32(h, tlv);
    if (p)
        *p = v;
    else if (tlv == FT_TLV_VENDOR)
        h->vendor = (uint8_t)v;
    else if (tlv == FT_TLV_EX_VER)
        h->d_version = (uint16_t)v;
    else if (tlv == FT_TLV_AGG_VER)
        h->agg_version = (uint8_t)v;
    else if (tlv == FT_TLV_AGG_METHOD)
        h->agg_method = (uint8_t)v;
    else if (tlv != FT_TLV_INTERRUPT)
        return;
    FT_SET(h, tlv);
}

/* ======================================================================
 * Header encoding (stream version 3, stream-format.md 3)
 * ====================================================================== */

struct hbuf {
    uint8_t *p;
    size_t cap, len;
    int big;
    bool full;
};

static uint8_t *hbuf_tlv(struct hbuf *b, unsigned type, size_t vlen)
{
    if (b->full || vlen > UINT16_MAX || b->len + 4 + vlen > b->cap) {
        b->full = true;
        return NULL;
    }
    uint8_t *v = b->p + b->len + 4;
    ft_st16(b->p + b->len, (uint16_t)type, b->big);
    ft_st16(b->p + b->len + 2, (uint16_t)vlen, b->big);
    b->len += 4 + vlen;
    return v;
}

static void hbuf_u8(struct hbuf *b, unsigned type, uint8_t v)
{
    uint8_t *p = hbuf_tlv(b, type, 1);
    if (p)
        *p = v;
}

static void hbuf_u16(struct hbuf *b, unsigned type, uint16_t v)
{
    uint8_t *p = hbuf_tlv(b, type, 2);
    if (p)
        ft_st16(p, v, b->big);
}

static void hbuf_u32(struct hbuf *b, unsigned type, uint32_t v)
{
    uint8_t *p = hbuf_tlv(b, type, 4);
    if (p)
        ft_st32(p, v, b->big);
}

static void hbuf_str(struct hbuf *b, unsigned type, const char *s)
{
    size_t n = strnlen(s, FT_HDR_STR - 1);
    uint8_t *p = hbuf_tlv(b, type, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
}

/* IF_NAME and IF_ALIAS in their intended layout (3.3), not the original's
 * broken one. */
static void hbuf_ifname(struct hbuf *b, const struct ft_ifname *e)
{
    size_t n = strnlen(e->name, sizeof(e->name) - 1);
    uint8_t *p = hbuf_tlv(b, FT_TLV_IF_NAME, 6 + n + 1);
    if (!p)
        return;
    ft_st32(p, e->ip, b->big);
    ft_st16(p + 4, e->ifindex, b->big);
    memcpy(p + 6, e->name, n);
    p[6 + n] = 0;
}

static void hbuf_ifalias(struct hbuf *b, const struct ft_ifalias *e)
{
    size_t count = e->n > 32 ? 32 : e->n;
    size_t n = strnlen(e->name, sizeof(e->name) - 1);
    uint8_t *p = hbuf_tlv(b, FT_TLV_IF_ALIAS, 6 + 2 * count + n + 1);
    if (!p)
        return;
    ft_st32(p, e->ip, b->big);
    ft_st16(p + 4, (uint16_t)count, b->big);
    for (size_t i = 0; i < count; i++)
        ft_st16(p + 6 + 2 * i, e->ifindex[i], b->big);
    memcpy(p + 6 + 2 * count, e->name, n);
    p[6 + 2 * count + n] = 0;
}

/* The fixed-size TLVs in writer order (3.1): type 1 to 0x0e. */
static void hbuf_numbers(struct hbuf *b, const struct ft_header *h)
{
    if (FT_HAS(h, FT_TLV_VENDOR))
        hbuf_u8(b, FT_TLV_VENDOR, h->vendor);
    if (FT_HAS(h, FT_TLV_EX_VER))
        hbuf_u16(b, FT_TLV_EX_VER, h->d_version);
    if (h->d_version == 8 && FT_HAS(h, FT_TLV_AGG_VER))
        hbuf_u8(b, FT_TLV_AGG_VER, h->agg_version);
    if (h->d_version == 8 && FT_HAS(h, FT_TLV_AGG_METHOD))
        hbuf_u8(b, FT_TLV_AGG_METHOD, h->agg_method);
    for (unsigned t = FT_TLV_EXPORTER_IP; t <= FT_TLV_SEQ_RESET; t++) {
        if (FT_HAS(h, t))
            hbuf_u32(b, t, *header_u32((struct ft_header *)h, t));
    }
}

ssize_t ft_header_encode(const struct ft_header *h, uint8_t *buf, size_t size)
{
    struct hbuf b = {buf, size < FT_HDR_MAX ? size : FT_HDR_MAX, 8,
                     order_is_big(h->byte_order), false};
    if (b.cap < 8)
        return -1;
    buf[0] = MAGIC1;
    buf[1] = MAGIC2;
    buf[2] = h->byte_order;
    buf[3] = 3;
    hbuf_numbers(&b, h);
    if (FT_HAS(h, FT_TLV_CAP_HOSTNAME))
        hbuf_str(&b, FT_TLV_CAP_HOSTNAME, h->hostname);
    if (FT_HAS(h, FT_TLV_COMMENTS))
        hbuf_str(&b, FT_TLV_COMMENTS, h->comments);
    for (size_t i = 0; i < h->n_ifnames && FT_HAS(h, FT_TLV_IF_NAME); i++)
        hbuf_ifname(&b, &h->ifnames[i]);
    for (size_t i = 0; i < h->n_ifaliases && FT_HAS(h, FT_TLV_IF_ALIAS); i++)
        hbuf_ifalias(&b, &h->ifaliases[i]);
    size_t padded = (b.len + 3) & ~(size_t)3;
    if (b.full || padded > b.cap)
        return -1;
    memset(buf + b.len, 0, padded - b.len);
    ft_st32(buf + 4, (uint32_t)padded, b.big);
    return (ssize_t)padded;
}

/* ======================================================================
 * Header decoding
 * ====================================================================== */

static void copy_str(char *dst, size_t cap, const uint8_t *src, size_t len)
{
    size_t n = strnlen((const char *)src, len < cap - 1 ? len : cap - 1);
    memcpy(dst, src, n);
    dst[n] = 0;
}

static bool decode_ifname(const uint8_t *v, size_t len, int big, struct ft_ifname *e)
{
    if (len < 6)
        return false;
    e->ip = ft_ld32(v, big);
    e->ifindex = ft_ld16(v + 4, big);
    copy_str(e->name, sizeof(e->name), v + 6, len - 6);
    return true;
}

static bool decode_ifalias(const uint8_t *v, size_t len, int big, struct ft_ifalias *e)
{
    if (len < 6)
        return false;
    unsigned n = ft_ld16(v + 4, big);
    if (6 + 2 * (size_t)n > len)
        return false;
    e->ip = ft_ld32(v, big);
    e->n = (uint16_t)(n > 32 ? 32 : n);     /* the struct keeps 32 indexes */
    for (unsigned i = 0; i < e->n; i++)
        e->ifindex[i] = ft_ld16(v + 6 + 2 * i, big);
    copy_str(e->name, sizeof(e->name), v + 6 + 2 * n, len - 6 - 2 * n);
    return true;
}

/* One TLV into the header.  Values too short for their type are ignored. */
static void decode_tlv(struct ft_header *h, unsigned type, const uint8_t *v, size_t len,
                       int big)
{
    uint32_t *u32 = header_u32(h, type);
    if (u32) {
        if (len < 4)
            return;
        *u32 = ft_ld32(v, big);
    } else if (type == FT_TLV_EX_VER) {
        if (len < 2)
            return;
        h->d_version = ft_ld16(v, big);
    } else if (type == FT_TLV_VENDOR || type == FT_TLV_AGG_VER ||
               type == FT_TLV_AGG_METHOD || type == FT_TLV_INTERRUPT) {
        if (len < 1)
            return;
        if (type == FT_TLV_VENDOR)
            h->vendor = v[0];
        else if (type == FT_TLV_AGG_VER)
            h->agg_version = v[0];
        else if (type == FT_TLV_AGG_METHOD)
            h->agg_method = v[0];
    } else if (type == FT_TLV_CAP_HOSTNAME) {
        copy_str(h->hostname, sizeof(h->hostname), v, len);
    } else if (type == FT_TLV_COMMENTS) {
        copy_str(h->comments, sizeof(h->comments), v, len);
    } else if (type == FT_TLV_IF_NAME) {
        if (!decode_ifname(v, len, big, &h->ifnames[h->n_ifnames]))
            return;
        h->n_ifnames++;
    } else if (type == FT_TLV_IF_ALIAS) {
        if (!decode_ifalias(v, len, big, &h->ifaliases[h->n_ifaliases]))
            return;
        h->n_ifaliases++;
    } else {
        return;     /* NULL padding and unknown types are skipped */
    }
    FT_SET(h, type);
}

/*
 * Walk the TLV area.  A TLV running past the end stops the walk silently,
 * as in the original.  With `count` set, only count IF_NAME/IF_ALIAS TLVs
 * (so the arrays can be sized from the header itself: no table grows
 * beyond what the bounded header holds).
 */
static void walk_tlvs(struct ft_header *h, const uint8_t *p, size_t len, int big,
                      size_t *n_names, size_t *n_aliases)
{
    size_t pos = 0;
    while (len - pos >= 4) {
        unsigned type = ft_ld16(p + pos, big);
        size_t vlen = ft_ld16(p + pos + 2, big);
        if (vlen > len - pos - 4)
            break;
        if (n_names) {
            *n_names += type == FT_TLV_IF_NAME;
            *n_aliases += type == FT_TLV_IF_ALIAS;
        } else {
            decode_tlv(h, type, p + pos + 4, vlen, big);
        }
        pos += 4 + vlen;
    }
}

static int parse_tlvs(struct ft_header *h, const uint8_t *p, size_t len, int big)
{
    size_t n_names = 0, n_aliases = 0;
    walk_tlvs(h, p, len, big, &n_names, &n_aliases);
    if (n_names && !(h->ifnames = calloc(n_names, sizeof(*h->ifnames))))
        return -1;
    if (n_aliases && !(h->ifaliases = calloc(n_aliases, sizeof(*h->ifaliases))))
        return -1;
    walk_tlvs(h, p, len, big, NULL, NULL);
    return 0;
}

/*
 * Stream version 1 header (section 4).  The present bits and the XLATE flag
 * are set the way the original's reader (on a little-endian host) leaves
 * them, so that flow-header prints what the original prints:
 *  - capture start/end are not marked present: the original ORs in the TLV
 *    numbers 6 and 7 instead of their bits, which lands on the vendor,
 *    export-version and agg-version bits;
 *  - XLATE is added before the flags are byte-swapped, so in a big-endian
 *    file it ends up as bit 28 instead of 0x10.
 */
static void parse_sv1(struct ft_header *h, const uint8_t *p)
{
    int big = order_is_big(h->byte_order);
    unsigned dv = ft_ld16(p + 4, big);
    h->d_version = (uint16_t)(dv == 65535 ? 1 : dv);
    h->cap_start = ft_ld32(p + 8, big);
    h->cap_end = ft_ld32(p + 12, big);
    h->flags = ft_ld32(p + 16, big) | (big ? (uint32_t)FT_HF_XLATE << 24 : FT_HF_XLATE);
    h->rot_schedule = ft_ld32(p + 20, big);
    h->flow_count = ft_ld32(p + 24, big);
    h->flow_lost = ft_ld32(p + 28, big);
    h->flow_misordered = ft_ld32(p + 32, big);
    copy_str(h->hostname, sizeof(h->hostname), p + 36, SV1_HOSTNAME_LEN);
    copy_str(h->comments, sizeof(h->comments), p + 104, SV1_COMMENTS_LEN);
    h->present = 1u << FT_TLV_VENDOR | 1u << FT_TLV_EX_VER | 1u << FT_TLV_AGG_VER |
                 1u << FT_TLV_HEADER_FLAGS | 1u << FT_TLV_ROT_SCHEDULE |
                 1u << FT_TLV_FLOW_COUNT;
    if (h->hostname[0])
        FT_SET(h, FT_TLV_CAP_HOSTNAME);
    if (h->comments[0])
        FT_SET(h, FT_TLV_COMMENTS);
}

/* ======================================================================
 * Reader
 * ====================================================================== */

enum rstate {
    R_OPEN,         /* more data may come */
    R_DRAINED,      /* no more data will come; hand out what is buffered */
    R_END,          /* returned 0 */
    R_DAMAGED       /* returned -1 */
};

struct ft_reader {
    int fd;
    bool close_fd;
    char *name;
    struct ft_header hdr;
    const struct ft_format *fmt;    /* format handed out */
    unsigned rec_size;              /* bytes per stored record (60 for sv1) */
    int order;                      /* FT_ORDER_* of the stored records */
    bool sv1;
    enum ft_compression comp;
    enum rstate state;

    /* file bytes: in[in_pos..in_len) not consumed yet; in[0] is at in_off */
    uint8_t *in;
    size_t in_pos, in_len;
    uint64_t in_off;
    bool in_eof;

    /* decompressed records: out[out_pos..out_len) */
    uint8_t *out;
    size_t out_pos, out_len, out_cap;
    uint64_t produced;              /* decompressed bytes so far */
    z_stream zs;
    bool zs_live;
#ifdef HAVE_ZSTD
    ZSTD_DStream *zd;
    bool zd_in_frame;               /* a frame is started and not finished */
#endif

    /* column blocks (FT_HF_BLOCKS): the block being gathered from the
     * record bytes, raw[0..raw_len) of raw_need (0 until its head is read,
     * then head and columns), and the records of the last one decoded,
     * blk[blk_pos..blk_len) */
    bool blocked;
    uint8_t *raw, *blk;
    size_t raw_len, raw_need, blk_n, blk_pos, blk_len;
    uint64_t decoded;               /* records of the blocks decoded so far */

    uint8_t *conv;                  /* sv1 records converted for ft_reader_raw */
    uint64_t count;
    char pending[sizeof(struct ft_err)];   /* damage seen, not yet reported */
    struct ft_err err;
};

/* Records in the data decompressed so far, for messages. */
static unsigned long long records_made(const struct ft_reader *r)
{
    return r->blocked ? r->decoded : r->produced / r->rec_size;
}

static void reader_damage(struct ft_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void reader_damage(struct ft_reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->pending, sizeof(r->pending), fmt, ap);
    va_end(ap);
    r->state = R_DRAINED;
}

/* One read() into the free end of `in` (after moving unread bytes to the
 * front).  Returns bytes read, 0 at EOF, -1 on error (damage recorded). */
static ssize_t read_some(struct ft_reader *r)
{
    if (r->in_pos) {
        memmove(r->in, r->in + r->in_pos, r->in_len - r->in_pos);
        r->in_off += r->in_pos;
        r->in_len -= r->in_pos;
        r->in_pos = 0;
    }
    for (;;) {
        ssize_t got = read(r->fd, r->in + r->in_len, IO_BLOCK - r->in_len);
        if (got > 0) {
            r->in_len += (size_t)got;
            return got;
        }
        if (got == 0) {
            r->in_eof = true;
            return 0;
        }
        if (errno != EINTR) {
            reader_damage(r, "%s: read error at byte offset %llu: %s", r->name,
                          (unsigned long long)(r->in_off + r->in_len), strerror(errno));
            return -1;
        }
    }
}

/* At least `need` unread bytes in `in` (need <= IO_BLOCK), unless EOF. */
static int read_at_least(struct ft_reader *r, size_t need)
{
    while (r->in_len - r->in_pos < need && !r->in_eof) {
        if (read_some(r) < 0)
            return -1;
    }
    return 0;
}

static void fill_plain(struct ft_reader *r)
{
    if (r->in_eof || read_some(r) == 0)
        r->state = R_DRAINED;
}

/* Decompress from `in` into the free end of `out`. */
static void inflate_step(struct ft_reader *r)
{
    r->zs.next_in = r->in + r->in_pos;
    r->zs.avail_in = (uInt)(r->in_len - r->in_pos);
    r->zs.next_out = r->out + r->out_len;
    r->zs.avail_out = (uInt)(r->out_cap - r->out_len);
    int rc = inflate(&r->zs, Z_SYNC_FLUSH);
    size_t made = r->out_cap - r->out_len - r->zs.avail_out;
    r->in_pos = r->in_len - r->zs.avail_in;
    r->out_len += made;
    r->produced += made;
    if (rc == Z_STREAM_END) {
        r->state = R_DRAINED;   /* bytes after the zlib stream are not read */
    } else if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_MEM_ERROR ||
               rc == Z_STREAM_ERROR) {
        reader_damage(r, "%s: corrupt compressed data at byte offset %llu (after %llu "
                      "records): %s", r->name,
                      (unsigned long long)(r->in_off + r->in_pos),
                      records_made(r),
                      r->zs.msg ? r->zs.msg : "inflate failed");
    }
}

#ifdef HAVE_ZSTD
static void zstd_step(struct ft_reader *r)
{
    ZSTD_inBuffer ib = {r->in + r->in_pos, r->in_len - r->in_pos, 0};
    ZSTD_outBuffer ob = {r->out + r->out_len, r->out_cap - r->out_len, 0};
    size_t rc = ZSTD_decompressStream(r->zd, &ob, &ib);
    r->in_pos += ib.pos;
    r->out_len += ob.pos;
    r->produced += ob.pos;
    if (ZSTD_isError(rc)) {
        reader_damage(r, "%s: corrupt compressed data at byte offset %llu (after %llu "
                      "records): %s", r->name,
                      (unsigned long long)(r->in_off + r->in_pos),
                      records_made(r),
                      ZSTD_getErrorName(rc));
        return;
    }
    /* rc is 0 when a frame is complete; calls that neither take nor give
     * bytes say nothing (between frames they hint at the next header) */
    if (rc == 0)
        r->zd_in_frame = false;
    else if (ib.pos || ob.pos)
        r->zd_in_frame = true;
}
#endif

/* All input is read and the decompressor has nothing more to give. */
static void compressed_input_end(struct ft_reader *r)
{
#ifdef HAVE_ZSTD
    if (r->comp == FT_COMP_ZSTD && r->zd_in_frame) {
        reader_damage(r, "%s: truncated compressed data at byte offset %llu (after %llu "
                      "records)", r->name, (unsigned long long)(r->in_off + r->in_len),
                      records_made(r));
        return;
    }
#endif
    /* zlib: no end marker needed (the original does not require one) */
    r->state = R_DRAINED;
}

/*
 * Decompress as much as the input read so far gives (up to a full `out`);
 * read more input only while not even one record is ready, so that live
 * streams are not held back waiting for a full block.
 */
static void fill_compressed(struct ft_reader *r)
{
    if (r->out_pos) {
        memmove(r->out, r->out + r->out_pos, r->out_len - r->out_pos);
        r->out_len -= r->out_pos;
        r->out_pos = 0;
    }
    while (r->out_len < r->out_cap && r->state == R_OPEN) {
        if (r->in_pos == r->in_len && !r->in_eof) {
            if (r->out_len >= r->rec_size)
                break;
            read_some(r);
            continue;
        }
        size_t before = r->out_len;
#ifdef HAVE_ZSTD
        if (r->comp == FT_COMP_ZSTD)
            zstd_step(r);
        else
#endif
            inflate_step(r);
        if (r->state == R_OPEN && r->in_eof && r->in_pos == r->in_len &&
            r->out_len == before)
            compressed_input_end(r);
    }
}

/* The unread record bytes: the read buffer, or the decompressed ones. */
static size_t window(struct ft_reader *r, const uint8_t **p)
{
    if (r->comp == FT_COMP_NONE) {
        *p = r->in + r->in_pos;
        return r->in_len - r->in_pos;
    }
    *p = r->out + r->out_pos;
    return r->out_len - r->out_pos;
}

static void consume(struct ft_reader *r, size_t bytes)
{
    if (r->comp == FT_COMP_NONE)
        r->in_pos += bytes;
    else
        r->out_pos += bytes;
}

/* The end of the stream: damage recorded earlier, a partial record, or none. */
static ssize_t finish(struct ft_reader *r, size_t left)
{
    if (!r->pending[0] && left) {
        if (r->blocked)
            snprintf(r->pending, sizeof(r->pending), "%s: truncated record block at byte "
                     "offset %llu (after %llu records)", r->name,
                     (unsigned long long)(r->in_off + r->in_pos), records_made(r));
        else if (r->comp == FT_COMP_NONE)
            snprintf(r->pending, sizeof(r->pending), "%s: truncated record at byte offset "
                     "%llu", r->name, (unsigned long long)(r->in_off + r->in_pos));
        else
            snprintf(r->pending, sizeof(r->pending), "%s: truncated compressed data at "
                     "byte offset %llu (after %llu records)", r->name,
                     (unsigned long long)(r->in_off + r->in_pos),
                     records_made(r));
    }
    if (r->pending[0]) {
        memcpy(r->err.msg, r->pending, sizeof(r->err.msg));
        r->state = R_DAMAGED;
        return -1;
    }
    r->state = R_END;
    return 0;
}

/* More record bytes in the window, or the state says there are none. */
static void fill(struct ft_reader *r)
{
    if (r->comp == FT_COMP_NONE)
        fill_plain(r);
    else
        fill_compressed(r);
}

/* Room for `need` bytes at *buf, which never grows past a block of the
 * largest count a reader accepts. */
static int block_room(struct ft_reader *r, uint8_t **buf, size_t need)
{
    uint8_t *b = realloc(*buf, need);
    if (!b) {
        reader_damage(r, "%s: out of memory for a record block", r->name);
        return -1;
    }
    *buf = b;
    return 0;
}

/* The head of a block is complete in raw: how many bytes its columns take. */
static int parse_block_head(struct ft_reader *r)
{
    size_t head = ft_block_head_size(r->rec_size), payload;
    if (ft_block_parse_head(r->raw, r->rec_size, order_is_big(r->hdr.byte_order),
                            &r->blk_n, &payload) < 0) {
        reader_damage(r, "%s: corrupt record block at byte offset %llu (after %llu "
                      "records)", r->name, (unsigned long long)(r->in_off + r->in_pos),
                      records_made(r));
        return -1;
    }
    r->raw_need = head + payload;
    return block_room(r, &r->raw, r->raw_need);
}

/* Gather the next block from the record bytes and decode it into blk:
 * 1, or what next_records returns at the end (0) or on damage (-1). */
static ssize_t next_block(struct ft_reader *r)
{
    size_t head = ft_block_head_size(r->rec_size);
    if (!r->raw && block_room(r, &r->raw, head) < 0)
        return finish(r, 0);
    for (;;) {
        size_t need = r->raw_need ? r->raw_need : head;
        const uint8_t *p;
        size_t k = window(r, &p);
        if (k > need - r->raw_len)
            k = need - r->raw_len;
        memcpy(r->raw + r->raw_len, p, k);
        consume(r, k);
        r->raw_len += k;
        if (r->raw_len == need && !r->raw_need) {
            if (parse_block_head(r) < 0)
                return finish(r, 0);
            continue;
        }
        if (r->raw_len == need) {
            if (block_room(r, &r->blk, r->blk_n * r->rec_size) < 0)
                return finish(r, 0);
            ft_block_decode(r->raw, r->raw + head, r->blk_n, r->rec_size, r->blk);
            r->blk_pos = 0;
            r->blk_len = r->blk_n * r->rec_size;
            r->decoded += r->blk_n;
            r->raw_len = r->raw_need = 0;
            return 1;
        }
        if (r->state != R_OPEN)
            return finish(r, r->raw_len);
        fill(r);
    }
}

/* next_records for a stream of column blocks. */
static ssize_t block_records(struct ft_reader *r, const uint8_t **p, size_t max)
{
    if (r->blk_pos == r->blk_len) {
        ssize_t rc = next_block(r);
        if (rc <= 0)
            return rc;
    }
    size_t n = (r->blk_len - r->blk_pos) / r->rec_size;
    if (n > max)
        n = max;
    *p = r->blk + r->blk_pos;
    r->blk_pos += n * r->rec_size;
    r->count += n;
    return (ssize_t)n;
}

/* Up to max whole stored records at *p: >0, 0 at the end, -1 on damage. */
static ssize_t next_records(struct ft_reader *r, const uint8_t **p, size_t max)
{
    if (r->state == R_DAMAGED)
        return -1;
    if (r->state == R_END || max == 0)
        return 0;
    if (r->blocked)
        return block_records(r, p, max);
    for (;;) {
        size_t avail = window(r, p);
        if (avail >= r->rec_size) {
            size_t n = avail / r->rec_size;
            if (n > max)
                n = max;
            consume(r, n * r->rec_size);
            r->count += n;
            return (ssize_t)n;
        }
        if (r->state != R_OPEN)
            return finish(r, avail);
        fill(r);
    }
}

/* ---- opening ---------------------------------------------------------- */

static int open_fail(struct ft_reader *r, struct ft_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int open_fail(struct ft_reader *r, struct ft_err *err, const char *fmt, ...)
{
    if (err) {
        int n = snprintf(err->msg, sizeof(err->msg), "%s: ", r->name);
        va_list ap;
        va_start(ap, fmt);
        if (n >= 0 && (size_t)n < sizeof(err->msg))
            vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* At least `need` header bytes, or a message saying why not. */
static int need_header_bytes(struct ft_reader *r, size_t need, struct ft_err *err)
{
    if (read_at_least(r, need) < 0) {
        err_set(err, "%s", r->pending);
        return -1;
    }
    size_t have = r->in_len - r->in_pos;
    if (have == 0)
        return open_fail(r, err, "empty stream (no flow-tools header)");
    if (have < need)
        return open_fail(r, err, "truncated header (%zu of %zu bytes)", have, need);
    return 0;
}

static int read_sv3_header(struct ft_reader *r, struct ft_err *err)
{
    int big = order_is_big(r->hdr.byte_order);
    if (need_header_bytes(r, 8, err) < 0)
        return -1;
    uint32_t len = ft_ld32(r->in + 4, big);
    if (len < 8 || len > HDR_READ_MAX)
        return open_fail(r, err, "header length %lu out of range (8..%d)",
                         (unsigned long)len, HDR_READ_MAX);
    if (need_header_bytes(r, len, err) < 0)
        return -1;
    if (parse_tlvs(&r->hdr, r->in + 8, len - 8, big) < 0)
        return open_fail(r, err, "out of memory");
    r->hdr.header_len = len;
    r->in_pos = len;
    if (!FT_HAS(&r->hdr, FT_TLV_EX_VER))
        return open_fail(r, err, "header has no export version");
    if (r->hdr.d_version == 8 && FT_HAS(&r->hdr, FT_TLV_AGG_VER) && r->hdr.agg_version != 2)
        return open_fail(r, err, "unsupported v8 aggregation version %u (must be 2)",
                         r->hdr.agg_version);
    r->fmt = ft_format_find(r->hdr.d_version, r->hdr.agg_method);
    if (!r->fmt && r->hdr.d_version == 8)
        return open_fail(r, err, "unsupported v8 aggregation method %u", r->hdr.agg_method);
    if (!r->fmt)
        return open_fail(r, err, "unsupported export version %u", r->hdr.d_version);
    r->rec_size = r->fmt->rec_size;
    r->blocked = (r->hdr.flags & FT_HF_BLOCKS) != 0;
    /* Big-endian v1005 not marked as ours: written by flow-tools, whose
     * layout loses the high 16 bits of the tags (ft_format.h). */
    if (r->fmt->d_version == 1005 && r->hdr.byte_order == FT_ORDER_BIG &&
        !(r->hdr.flags & FT_HF_BE1005_FIXED))
        r->order = FT_ORDER_BIG_FLOWTOOLS;
    return 0;
}

static int read_sv1_header(struct ft_reader *r, struct ft_err *err)
{
    if (need_header_bytes(r, SV1_HDR_SIZE, err) < 0)
        return -1;
    parse_sv1(&r->hdr, r->in);
    if (r->hdr.d_version != 1 && r->hdr.d_version != 5)
        return open_fail(r, err, "unsupported export version %u in a stream version 1 "
                         "header", r->hdr.d_version);
    r->hdr.header_len = SV1_HDR_SIZE;
    r->in_pos = SV1_HDR_SIZE;
    r->sv1 = true;
    r->fmt = ft_format_find(r->hdr.d_version, 0);
    r->rec_size = FT_SV1_REC_SIZE;
    return 0;
}

static int start_decompression(struct ft_reader *r, struct ft_err *err)
{
    if (!(r->hdr.flags & FT_HF_COMPRESS))
        return 0;
    r->comp = (r->hdr.flags & FT_HF_ZSTD) ? FT_COMP_ZSTD : FT_COMP_ZLIB;
    r->out_cap = IO_BLOCK + r->rec_size;
    if (!(r->out = malloc(r->out_cap)))
        return open_fail(r, err, "out of memory");
    if (r->comp == FT_COMP_ZLIB) {
        if (inflateInit(&r->zs) != Z_OK)
            return open_fail(r, err, "cannot start zlib");
        r->zs_live = true;
        return 0;
    }
#ifdef HAVE_ZSTD
    if (!(r->zd = ZSTD_createDStream()))
        return open_fail(r, err, "out of memory");
    return 0;
#else
    return open_fail(r, err, "zstd-compressed stream, but ftkit was built without zstd");
#endif
}

static int read_header(struct ft_reader *r, struct ft_err *err)
{
    if (need_header_bytes(r, 4, err) < 0)
        return -1;
    const uint8_t *p = r->in;
    if (p[0] != MAGIC1 || p[1] != MAGIC2)
        return open_fail(r, err, "bad magic number 0x%02x%02x (not a flow-tools stream)",
                         p[0], p[1]);
    r->hdr.byte_order = p[2];
    r->hdr.s_version = p[3];
    r->order = order_is_big(p[2]) ? FT_ORDER_BIG : FT_ORDER_LITTLE;
    int rc;
    if (p[3] == 3)
        rc = read_sv3_header(r, err);
    else if (p[3] == 1)
        rc = read_sv1_header(r, err);
    else
        return open_fail(r, err, "unsupported stream version %u (must be 1 or 3)", p[3]);
    return rc < 0 ? rc : start_decompression(r, err);
}

static void reader_free(struct ft_reader *r)
{
    if (!r)
        return;
    if (r->zs_live)
        inflateEnd(&r->zs);
#ifdef HAVE_ZSTD
    ZSTD_freeDStream(r->zd);
#endif
    if (r->close_fd && r->fd >= 0)
        close(r->fd);
    free(r->hdr.ifnames);
    free(r->hdr.ifaliases);
    free(r->in);
    free(r->out);
    free(r->conv);
    free(r->raw);
    free(r->blk);
    free(r->name);
    free(r);
}

struct ft_reader *ft_reader_open(int fd, const char *name, unsigned flags, struct ft_err *err)
{
    struct ft_reader *r = calloc(1, sizeof(*r));
    if (!r || !(r->name = strdup(name ? name : "stdin")) || !(r->in = malloc(IO_BLOCK))) {
        err_set(err, "%s: out of memory", name ? name : "stdin");
        if (r)
            r->fd = -1;
        reader_free(r);
        if (flags & FT_READ_CLOSE_FD)
            close(fd);
        return NULL;
    }
    r->fd = fd;
    r->close_fd = flags & FT_READ_CLOSE_FD;
    r->state = R_OPEN;
    if (read_header(r, err) < 0) {
        reader_free(r);
        return NULL;
    }
#ifdef POSIX_FADV_SEQUENTIAL
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    return r;
}

struct ft_reader *ft_reader_open_path(const char *path, struct ft_err *err)
{
    if (strcmp(path, "-") == 0)
        return ft_reader_open(STDIN_FILENO, "stdin", 0, err);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        err_set(err, "%s: %s", path, strerror(errno));
        return NULL;
    }
    return ft_reader_open(fd, path, FT_READ_CLOSE_FD, err);
}

void ft_reader_close(struct ft_reader *r)
{
    reader_free(r);
}

const struct ft_header *ft_reader_header(const struct ft_reader *r) { return &r->hdr; }
const struct ft_format *ft_reader_format(const struct ft_reader *r) { return r->fmt; }
int ft_reader_order(const struct ft_reader *r) { return r->order; }
const char *ft_reader_error(const struct ft_reader *r) { return r->err.msg; }
uint64_t ft_reader_count(const struct ft_reader *r) { return r->count; }

ssize_t ft_reader_read(struct ft_reader *r, struct ft_flow *flows, size_t max)
{
    const uint8_t *p;
    ssize_t n = next_records(r, &p, max);
    if (n <= 0)
        return n;
    if (r->sv1) {
        for (ssize_t i = 0; i < n; i++)
            ft_rec_decode_sv1(r->fmt->d_version, r->order, p + (size_t)i * r->rec_size,
                              &flows[i]);
        return n;
    }
    for (ssize_t i = 0; i < n; i++)
        ft_rec_decode(r->fmt, r->order, p + (size_t)i * r->rec_size, &flows[i]);
    return n;
}

/* Stream-version-1 records re-encoded as the v1/v5 records they become. */
static ssize_t convert_sv1(struct ft_reader *r, const uint8_t *p, ssize_t n,
                           const uint8_t **recs)
{
    if (!r->conv && !(r->conv = malloc((IO_BLOCK / FT_SV1_REC_SIZE + 1) * r->fmt->rec_size))) {
        snprintf(r->err.msg, sizeof(r->err.msg), "%s: out of memory", r->name);
        r->state = R_DAMAGED;
        return -1;
    }
    for (ssize_t i = 0; i < n; i++) {
        struct ft_flow f;
        ft_rec_decode_sv1(r->fmt->d_version, r->order, p + (size_t)i * FT_SV1_REC_SIZE, &f);
        ft_rec_encode(r->fmt, r->order, &f, r->conv + (size_t)i * r->fmt->rec_size);
    }
    *recs = r->conv;
    return n;
}

ssize_t ft_reader_raw(struct ft_reader *r, const uint8_t **recs, size_t max)
{
    const uint8_t *p;
    if (r->sv1 && max > IO_BLOCK / FT_SV1_REC_SIZE)
        max = IO_BLOCK / FT_SV1_REC_SIZE;
    ssize_t n = next_records(r, &p, max);
    if (n <= 0)
        return n;
    if (r->sv1)
        return convert_sv1(r, p, n, recs);
    *recs = p;
    return n;
}

/* ======================================================================
 * Writer
 * ====================================================================== */

struct ft_writer {
    int fd;
    char *name;
    struct ft_header hdr;
    struct ft_ifname *own_ifnames;      /* our copies of the caller's lists */
    struct ft_ifalias *own_ifaliases;
    const struct ft_format *fmt;
    int order;
    enum ft_compression comp;
    bool rewrite;
    off_t hdr_off;
    size_t hdr_len;

    uint8_t *recs;                      /* records not yet compressed/written */
    size_t recs_len, recs_cap;
    uint8_t *block;                     /* recs as a column block (FT_HF_BLOCKS) */
    uint8_t *out;                       /* compressed bytes not yet written */
    size_t out_len;
    z_stream zs;
    bool zs_live;
    struct ft_pdeflate *pd;             /* zlib on worker threads (threads > 1) */
#ifdef HAVE_ZSTD
    ZSTD_CCtx *zc;
#endif

    uint64_t count, losses;
    bool failed;
    struct ft_err err;
};

static int writer_fail(struct ft_writer *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int writer_fail(struct ft_writer *w, const char *fmt, ...)
{
    if (w->failed)
        return -1;      /* keep the first message */
    int n = snprintf(w->err.msg, sizeof(w->err.msg), "%s: ", w->name);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof(w->err.msg))
        vsnprintf(w->err.msg + n, sizeof(w->err.msg) - (size_t)n, fmt, ap);
    va_end(ap);
    w->failed = true;
    return -1;
}

static int write_all(struct ft_writer *w, const uint8_t *p, size_t len)
{
    while (len) {
        ssize_t put = write(w->fd, p, len);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            return writer_fail(w, "write error: %s", put < 0 ? strerror(errno) : "no progress");
        p += put;
        len -= (size_t)put;
    }
    return 0;
}

int ft_parse_compression(const char *arg, struct ft_write_opts *o, struct ft_err *err)
{
    if (strncmp(arg, "zstd", 4) == 0 && (arg[4] == 0 || arg[4] == ':')) {
#ifdef HAVE_ZSTD
        long level = ZSTD_DEFAULT_LEVEL;
        if (arg[4] == ':') {
            char *end;
            level = strtol(arg + 5, &end, 10);
            if (end == arg + 5 || *end || level < 1 || level > ZSTD_MAX_LEVEL) {
                err_set(err, "zstd compression level must be between 1 and %d",
                        ZSTD_MAX_LEVEL);
                return -1;
            }
        }
        o->comp = FT_COMP_ZSTD;
        o->level = (int)level;
        return 0;
#else
        err_set(err, "zstd compression is not available (ftkit was built without zstd)");
        return -1;
#endif
    }
    if (arg[0] < '0' || arg[0] > '9' || arg[1]) {
        err_set(err, "Compression level must be between 0 and 9");
        return -1;
    }
    o->level = arg[0] - '0';
    o->comp = o->level ? FT_COMP_ZLIB : FT_COMP_NONE;
    return 0;
}

/* The caller's IF_NAME/IF_ALIAS lists are copied: the header the writer
 * rewrites at close must not point into memory the caller may free. */
static int copy_if_lists(struct ft_writer *w)
{
    struct ft_header *h = &w->hdr;
    if (h->n_ifnames) {
        if (!(w->own_ifnames = malloc(h->n_ifnames * sizeof(*h->ifnames))))
            return -1;
        memcpy(w->own_ifnames, h->ifnames, h->n_ifnames * sizeof(*h->ifnames));
    }
    if (h->n_ifaliases) {
        if (!(w->own_ifaliases = malloc(h->n_ifaliases * sizeof(*h->ifaliases))))
            return -1;
        memcpy(w->own_ifaliases, h->ifaliases, h->n_ifaliases * sizeof(*h->ifaliases));
    }
    h->ifnames = w->own_ifnames;
    h->ifaliases = w->own_ifaliases;
    return 0;
}

/* ft_pdeflate hands its output here, in stream order, on our thread. */
static int pdeflate_sink(void *arg, const uint8_t *p, size_t len)
{
    return write_all(arg, p, len);
}

/* zstd's own workers; a libzstd built without threads refuses them, and
 * then compressing in this thread is the best there is. */
#ifdef HAVE_ZSTD
static void zstd_threads(struct ft_writer *w, int threads)
{
    if (threads > 1)
        ZSTD_CCtx_setParameter(w->zc, ZSTD_c_nbWorkers, threads);
}
#endif

/* The zstd level asked for, or the default. */
static int zstd_level(const struct ft_write_opts *o)
{
    return o->level > 0 ? o->level : ZSTD_DEFAULT_LEVEL;
}

static int start_compression(struct ft_writer *w, const struct ft_write_opts *o)
{
    if (w->comp == FT_COMP_NONE)
        return 0;
    if (w->comp == FT_COMP_ZLIB && o->threads > 1) {
        if (!(w->pd = ft_pdeflate_new(o->level, o->threads, pdeflate_sink, w)))
            return writer_fail(w, "cannot start %d compression threads", o->threads);
        return 0;
    }
    if (!(w->out = malloc(IO_BLOCK)))
        return writer_fail(w, "out of memory");
    if (w->comp == FT_COMP_ZLIB) {
        /* windowBits 15 and the default memLevel: the original's settings */
        int level = o->level < 0 ? Z_DEFAULT_COMPRESSION : o->level;
        if (deflateInit(&w->zs, level) != Z_OK)
            return writer_fail(w, "cannot start zlib compression at level %d", o->level);
        w->zs_live = true;
        return 0;
    }
#ifdef HAVE_ZSTD
    int level = zstd_level(o);
    if (!(w->zc = ZSTD_createCCtx()) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(w->zc, ZSTD_c_compressionLevel, level)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(w->zc, ZSTD_c_checksumFlag, 1)))
        return writer_fail(w, "cannot start zstd compression at level %d", level);
    zstd_threads(w, o->threads);
    return 0;
#else
    return writer_fail(w, "zstd compression is not available (built without zstd)");
#endif
}

/* The layout flag follows the records actually written, whatever the
 * caller's header (perhaps copied from an input stream) says. */
static void set_layout_flag(struct ft_writer *w)
{
    w->hdr.flags &= ~(uint32_t)FT_HF_BE1005_FIXED;
    if (w->fmt->d_version == 1005 && w->order == FT_ORDER_BIG)
        w->hdr.flags |= FT_HF_BE1005_FIXED;
}

/*
 * Column blocks for what flow-tools cannot read anyway: zstd streams, and
 * zlib streams of extended records.  At zstd's archival levels (16 and up)
 * whole records compress smaller (v5 at 19: 19.2 bytes per flow against
 * 20.4 in blocks), and speed is not what those levels are asked for.
 */
static bool stores_blocks(const struct ft_writer *w, const struct ft_write_opts *o)
{
    if (w->comp == FT_COMP_ZSTD)
        return zstd_level(o) < ZSTD_ROWS_LEVEL;
    return w->comp == FT_COMP_ZLIB && w->fmt->d_version == FT_DV_EXTENDED;
}

/* Byte order, compression and header flags from the options. */
static int writer_setup(struct ft_writer *w, const struct ft_write_opts *o)
{
    static const struct ft_write_opts plain = {.comp = FT_COMP_NONE};
    if (!o)
        o = &plain;
    w->order = ft_order_of(w->fmt, o->byte_order);
    if (w->order != FT_ORDER_LITTLE && w->order != FT_ORDER_BIG &&
        w->order != FT_ORDER_BIG_FLOWTOOLS)
        return writer_fail(w, "invalid byte order %d", o->byte_order);
    w->comp = o->comp;
    if (w->comp == FT_COMP_ZLIB && o->level == 0)
        w->comp = FT_COMP_NONE;     /* -z 0 */
    if (w->comp == FT_COMP_ZLIB && (o->level < -1 || o->level > 9))
        return writer_fail(w, "Compression level must be between 0 and 9");
    struct ft_header *h = &w->hdr;
    h->byte_order = (uint8_t)(w->order & 0xff);   /* FLOWTOOLS: big-endian */
    h->s_version = 3;
    h->flags &= ~(uint32_t)(FT_HF_COMPRESS | FT_HF_ZSTD | FT_HF_DONE | FT_HF_BLOCKS);
    set_layout_flag(w);
    if (w->comp != FT_COMP_NONE)
        h->flags |= FT_HF_COMPRESS;
    if (w->comp == FT_COMP_ZSTD)
        h->flags |= FT_HF_ZSTD;
    if (stores_blocks(w, o))
        h->flags |= FT_HF_BLOCKS;
    FT_SET(h, FT_TLV_HEADER_FLAGS);
    struct stat st;
    if (o->rewrite && fstat(w->fd, &st) == 0 && S_ISREG(st.st_mode) &&
        (w->hdr_off = lseek(w->fd, 0, SEEK_CUR)) != (off_t)-1)
        w->rewrite = true;
    else
        h->flags |= FT_HF_STREAMING;
    return start_compression(w, o);
}

static int write_header(struct ft_writer *w)
{
    uint8_t buf[FT_HDR_MAX];
    ssize_t len = ft_header_encode(&w->hdr, buf, sizeof(buf));
    if (len < 0)
        return writer_fail(w, "header does not fit in %d bytes", FT_HDR_MAX);
    w->hdr_len = (size_t)len;
    return write_all(w, buf, (size_t)len);
}

static void writer_free(struct ft_writer *w)
{
    if (w->zs_live)
        deflateEnd(&w->zs);
    ft_pdeflate_free(w->pd);            /* joins its threads */
#ifdef HAVE_ZSTD
    ZSTD_freeCCtx(w->zc);
#endif
    free(w->own_ifnames);
    free(w->own_ifaliases);
    free(w->recs);
    free(w->block);
    free(w->out);
    free(w->name);
    free(w);
}

/* The record buffer: a column block's worth, or 256 KiB of whole records. */
static int alloc_recs(struct ft_writer *w)
{
    unsigned rs = w->fmt->rec_size;
    bool blocked = w->hdr.flags & FT_HF_BLOCKS;
    w->recs_cap = blocked ? FT_BLOCK_RECS * rs : IO_BLOCK - IO_BLOCK % rs;
    if (!(w->recs = malloc(w->recs_cap)) ||
        (blocked && !(w->block = malloc(ft_block_head_size(rs) + w->recs_cap))))
        return writer_fail(w, "out of memory");
    return 0;
}

struct ft_writer *ft_writer_open(int fd, const char *name, const struct ft_header *h,
                                 const struct ft_write_opts *o, struct ft_err *err)
{
    const char *nm = name ? name : "stdout";
    struct ft_writer *w = calloc(1, sizeof(*w));
    if (!w || !(w->name = strdup(nm))) {
        err_set(err, "%s: out of memory", nm);
        free(w);
        return NULL;
    }
    w->fd = fd;
    w->hdr = *h;
    w->fmt = ft_format_find(h->d_version, h->agg_method);
    if (!w->fmt)
        writer_fail(w, "cannot write export version %u%s", h->d_version,
                    h->d_version == 8 ? " with that aggregation method" : "");
    else if (copy_if_lists(w) < 0)
        writer_fail(w, "out of memory");
    else if (writer_setup(w, o) == 0 && alloc_recs(w) == 0)
        write_header(w);
    if (w->failed) {
        err_set(err, "%s", w->err.msg);
        writer_free(w);
        return NULL;
    }
    return w;
}

struct ft_header *ft_writer_header(struct ft_writer *w) { return &w->hdr; }
const struct ft_format *ft_writer_format(const struct ft_writer *w) { return w->fmt; }
uint64_t ft_writer_count(const struct ft_writer *w) { return w->count; }
uint64_t ft_writer_losses(const struct ft_writer *w) { return w->losses; }
const char *ft_writer_error(const struct ft_writer *w) { return w->err.msg; }

static int flush_out(struct ft_writer *w)
{
    int rc = write_all(w, w->out, w->out_len);
    w->out_len = 0;
    return rc;
}

/* Feed bytes to deflate; Z_NO_FLUSH for records, Z_FINISH at the end, as
 * the original does, so the compressed bytes are the original's. */
static int deflate_bytes(struct ft_writer *w, const uint8_t *p, size_t len, int flush)
{
    w->zs.next_in = (Bytef *)p;
    w->zs.avail_in = (uInt)len;
    for (;;) {
        w->zs.next_out = w->out + w->out_len;
        w->zs.avail_out = (uInt)(IO_BLOCK - w->out_len);
        int rc = deflate(&w->zs, flush);
        w->out_len = IO_BLOCK - w->zs.avail_out;
        if (rc == Z_STREAM_ERROR)
            return writer_fail(w, "deflate failed");
        if (w->out_len == IO_BLOCK && flush_out(w) < 0)
            return -1;
        if (flush == Z_FINISH ? rc == Z_STREAM_END : w->zs.avail_in == 0 && w->zs.avail_out)
            return 0;
    }
}

#ifdef HAVE_ZSTD
static int zstd_bytes(struct ft_writer *w, const uint8_t *p, size_t len, ZSTD_EndDirective end)
{
    ZSTD_inBuffer ib = {p, len, 0};
    for (;;) {
        ZSTD_outBuffer ob = {w->out, IO_BLOCK, w->out_len};
        size_t left = ZSTD_compressStream2(w->zc, &ob, &ib, end);
        w->out_len = ob.pos;
        if (ZSTD_isError(left))
            return writer_fail(w, "zstd compression failed: %s", ZSTD_getErrorName(left));
        if (w->out_len == IO_BLOCK && flush_out(w) < 0)
            return -1;
        if (end == ZSTD_e_end ? left == 0 : ib.pos == ib.size)
            return 0;
    }
}
#endif

/* A failure of ft_pdeflate; a refused write has its message already. */
static int pdeflate_failed(struct ft_writer *w)
{
    return writer_fail(w, "%s", ft_pdeflate_error(w->pd));
}

/* Send bytes of whole records on: to the compressor or to the file. */
static int emit(struct ft_writer *w, const uint8_t *p, size_t len)
{
    if (w->pd)
        return ft_pdeflate_write(w->pd, p, len) < 0 ? pdeflate_failed(w) : 0;
    if (w->comp == FT_COMP_ZLIB)
        return deflate_bytes(w, p, len, Z_NO_FLUSH);
#ifdef HAVE_ZSTD
    if (w->comp == FT_COMP_ZSTD)
        return zstd_bytes(w, p, len, ZSTD_e_continue);
#endif
    return write_all(w, p, len);
}

static int flush_recs(struct ft_writer *w)
{
    const uint8_t *p = w->recs;
    size_t len = w->recs_len;
    if (w->block && len) {
        len = ft_block_encode(w->recs, len / w->fmt->rec_size, w->fmt->rec_size,
                              order_is_big(w->hdr.byte_order), w->block);
        p = w->block;
    }
    w->recs_len = 0;
    return emit(w, p, len);
}

/* Room for at least one record in `recs`, as a count of records. */
static size_t recs_room(struct ft_writer *w)
{
    if (w->recs_len == w->recs_cap && flush_recs(w) < 0)
        return 0;
    return (w->recs_cap - w->recs_len) / w->fmt->rec_size;
}

int ft_writer_write(struct ft_writer *w, const struct ft_flow *flows, size_t n)
{
    size_t rs = w->fmt->rec_size;
    while (n && !w->failed) {
        size_t room = recs_room(w);
        size_t k = n < room ? n : room;
        for (size_t i = 0; i < k; i++) {
            if (ft_rec_encode(w->fmt, w->order, &flows[i], w->recs + w->recs_len))
                w->losses++;
            w->recs_len += rs;
        }
        w->count += k;
        flows += k;
        n -= k;
    }
    return w->failed ? -1 : 0;
}

int ft_writer_write_raw(struct ft_writer *w, const uint8_t *recs, size_t n, int order)
{
    size_t rs = w->fmt->rec_size;
    int from = ft_order_of(w->fmt, order);
    bool convert = from != w->order;
    /* a big batch of plain records in the right layout goes out directly */
    if (!convert && w->comp == FT_COMP_NONE && n * rs >= w->recs_cap && !w->failed) {
        if (flush_recs(w) == 0 && write_all(w, recs, n * rs) == 0)
            w->count += n;
        return w->failed ? -1 : 0;
    }
    while (n && !w->failed) {
        size_t room = recs_room(w);
        size_t k = n < room ? n : room;
        uint8_t *dst = w->recs + w->recs_len;
        memcpy(dst, recs, k * rs);
        for (size_t i = 0; convert && i < k; i++) {
            if (ft_rec_convert(w->fmt, dst + i * rs, from, w->order))
                w->losses++;
        }
        w->recs_len += k * rs;
        w->count += k;
        recs += k * rs;
        n -= k;
    }
    return w->failed ? -1 : 0;
}

static int finish_data(struct ft_writer *w)
{
    if (flush_recs(w) < 0)
        return -1;
    if (w->pd)
        return ft_pdeflate_finish(w->pd) < 0 ? pdeflate_failed(w) : 0;
    if (w->comp == FT_COMP_ZLIB && deflate_bytes(w, NULL, 0, Z_FINISH) < 0)
        return -1;
#ifdef HAVE_ZSTD
    if (w->comp == FT_COMP_ZSTD && zstd_bytes(w, NULL, 0, ZSTD_e_end) < 0)
        return -1;
#endif
    return w->out_len ? flush_out(w) : 0;
}

/* Same length as the first header, DONE set, STREAMING cleared (3.5). */
static int rewrite_header(struct ft_writer *w)
{
    uint8_t buf[FT_HDR_MAX];
    w->hdr.flags = (w->hdr.flags & ~(uint32_t)FT_HF_STREAMING) | FT_HF_DONE;
    set_layout_flag(w);
    ssize_t len = ft_header_encode(&w->hdr, buf, sizeof(buf));
    if (len < 0 || (size_t)len != w->hdr_len)
        return writer_fail(w, "header size changed during rewrite (%zd, was %zu bytes)",
                           len, w->hdr_len);
    for (size_t done = 0; done < (size_t)len;) {
        ssize_t put = pwrite(w->fd, buf + done, (size_t)len - done,
                             w->hdr_off + (off_t)done);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            return writer_fail(w, "cannot rewrite header: %s",
                               put < 0 ? strerror(errno) : "no progress");
        done += (size_t)put;
    }
    return 0;
}

int ft_writer_close(struct ft_writer *w, struct ft_err *err)
{
    if (!w)
        return 0;
    if (!w->failed && finish_data(w) == 0 && w->rewrite)
        rewrite_header(w);
    int rc = w->failed ? -1 : 0;
    if (rc < 0)
        err_set(err, "%s", w->err.msg);
    writer_free(w);
    return rc;
}
