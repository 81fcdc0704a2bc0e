/*
 * ft_writer.c - writing flow streams: the header, then records collected
 * into 256 KiB blocks (or column blocks) and written plain or compressed
 * (zlib as flow-tools does it, on worker threads, or zstd); at close the
 * header again with the final counts when the file can be rewritten.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif

#include "stream/ft_stream_int.h"
#include "stream/ft_pdeflate.h"
#include "stream/ft_blocks.h"
#include "stream/ft_cblocks.h"

/* zstd's level 1: on column blocks it compresses v5 flows about 3 times
 * faster than level 3, for files 3% larger (bench/README.md). */
#define ZSTD_DEFAULT_LEVEL 1
#define ZSTD_MAX_LEVEL 19
#define ZSTD_ROWS_LEVEL 16          /* from here on no column blocks */

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
    struct ft_cblock_enc *cenc;         /* layout 2 (FT_HF_BLOCKS2): its compressor */
    struct ft_cspans spans;             /* and the format's column spans */
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
    va_list ap;
    va_start(ap, fmt);
    ft_err_vset_named(&w->err, w->name, fmt, ap);
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
                return ft_err_set(err, "zstd compression level must be between 1 and %d",
                                  ZSTD_MAX_LEVEL);
            }
        }
        o->comp = FT_COMP_ZSTD;
        o->level = (int)level;
        return 0;
#else
        return ft_err_set(err, "zstd compression is not available (ftkit was built "
                          "without zstd)");
#endif
    }
    if (arg[0] < '0' || arg[0] > '9' || arg[1])
        return ft_err_set(err, "Compression level must be between 0 and 9");
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
    if (!(w->out = malloc(FT_IO_BLOCK)))
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
    if (w->hdr.flags & FT_HF_BLOCKS2) {
        /* whole blocks, each field's columns a frame of their own */
        if (!(w->cenc = ft_cblock_enc_new(level)))
            return writer_fail(w, "cannot start zstd compression at level %d", level);
        ft_cspans_of(w->fmt, &w->spans);
        return 0;
    }
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
    h->flags &= ~(uint32_t)(FT_HF_COMPRESS | FT_HF_ZSTD | FT_HF_DONE | FT_HF_BLOCKS |
                            FT_HF_BLOCKS2);
    set_layout_flag(w);
    if (w->comp != FT_COMP_NONE)
        h->flags |= FT_HF_COMPRESS;
    if (w->comp == FT_COMP_ZSTD)
        h->flags |= FT_HF_ZSTD;
    if (stores_blocks(w, o))
        h->flags |= FT_HF_BLOCKS;
    /* zstd's blocks are layout 2 (ft_cblocks.h): readers inflate only the
     * columns they need, and blocks can be decoded in parallel */
    if (stores_blocks(w, o) && w->comp == FT_COMP_ZSTD)
        h->flags |= FT_HF_BLOCKS2;
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
    ft_cblock_enc_free(w->cenc);
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
    bool blocked = w->hdr.flags & FT_HF_BLOCKS, layout2 = w->hdr.flags & FT_HF_BLOCKS2;
    w->recs_cap = layout2 ? FT_CBLOCK_RECS * rs
                : blocked ? FT_BLOCK_RECS * rs : FT_IO_BLOCK - FT_IO_BLOCK % rs;
    size_t block = layout2 ? ft_cblock_bound(FT_CBLOCK_RECS, rs, w->spans.n)
                           : ft_block_head_size(rs) + w->recs_cap;
    if (!(w->recs = malloc(w->recs_cap)) || (blocked && !(w->block = malloc(block))))
        return writer_fail(w, "out of memory");
    return 0;
}

struct ft_writer *ft_writer_open(int fd, const char *name, const struct ft_header *h,
                                 const struct ft_write_opts *o, struct ft_err *err)
{
    const char *nm = name ? name : "stdout";
    struct ft_writer *w = calloc(1, sizeof(*w));
    if (!w || !(w->name = strdup(nm))) {
        ft_err_set(err, "%s: out of memory", nm);
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
        ft_err_set(err, "%s", w->err.msg);
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
        w->zs.avail_out = (uInt)(FT_IO_BLOCK - w->out_len);
        int rc = deflate(&w->zs, flush);
        w->out_len = FT_IO_BLOCK - w->zs.avail_out;
        if (rc == Z_STREAM_ERROR)
            return writer_fail(w, "deflate failed");
        if (w->out_len == FT_IO_BLOCK && flush_out(w) < 0)
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
        ZSTD_outBuffer ob = {w->out, FT_IO_BLOCK, w->out_len};
        size_t left = ZSTD_compressStream2(w->zc, &ob, &ib, end);
        w->out_len = ob.pos;
        if (ZSTD_isError(left))
            return writer_fail(w, "zstd compression failed: %s", ZSTD_getErrorName(left));
        if (w->out_len == FT_IO_BLOCK && flush_out(w) < 0)
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
    if (w->cenc) {
        char why[128];
        if (!len)
            return 0;
        len = ft_cblock_encode(w->cenc, w->recs, len / w->fmt->rec_size, w->fmt->rec_size,
                               ft_order_is_big(w->hdr.byte_order), &w->spans, w->block,
                               why, sizeof why);
        w->recs_len = 0;
        return len ? write_all(w, w->block, len) : writer_fail(w, "%s", why);
    }
    if (w->block && len) {
        len = ft_block_encode(w->recs, len / w->fmt->rec_size, w->fmt->rec_size,
                              ft_order_is_big(w->hdr.byte_order), w->block);
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
    if (w->comp == FT_COMP_ZSTD && !w->cenc && zstd_bytes(w, NULL, 0, ZSTD_e_end) < 0)
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
        ft_err_set(err, "%s", w->err.msg);
    writer_free(w);
    return rc;
}
