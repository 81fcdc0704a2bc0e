/*
 * ft_reader.c - reading flow streams: the header, then records, plain or
 * decompressed (zlib, zstd), whole or in column blocks, up to the end or
 * the first damage.
 *
 * Layout facts are those of stream-format.md (sections 2-5); ftkit's
 * additions (zstd, the extended record, lossless big-endian v1005, column
 * blocks) are described in ftkit-stream(5).
 *
 * Data moves in big blocks: the reader reads 256 KiB at a time and hands out
 * the records of a block as one contiguous batch (straight from the read
 * buffer when the stream is not compressed).  Reading ahead on a second
 * thread is ft_readahead.c's.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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
#include "stream/ft_reader_int.h"
#include "stream/ft_blocks.h"
#include "stream/ft_cblocks.h"
#include "stream/ft_bpool.h"
#include "core/ft_field.h"

#define HDR_READ_MAX 65536          /* largest header a reader accepts */

/* Records in the data decompressed so far, for messages. */
static unsigned long long records_made(const struct ft_reader *r)
{
    return r->blocked || r->blocks2 ? r->decoded : r->produced / r->rec_size;
}

static void reader_damage(struct ft_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void reader_damage(struct ft_reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ft_err_vset(&r->pending, fmt, ap);
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
        ssize_t got;
        if (r->mem) {           /* the same path as read(), from memory */
            size_t n = r->mem_len - r->mem_pos;
            if (n > FT_IO_BLOCK - r->in_len)
                n = FT_IO_BLOCK - r->in_len;
            memcpy(r->in + r->in_len, r->mem + r->mem_pos, n);
            r->mem_pos += n;
            got = (ssize_t)n;
        } else {
            got = read(r->fd, r->in + r->in_len, FT_IO_BLOCK - r->in_len);
        }
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

/* At least `need` unread bytes in `in` (need <= FT_IO_BLOCK), unless EOF. */
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
    if (!r->pending.msg[0] && left) {
        if (r->blocked || r->blocks2)
            ft_err_set(&r->pending, "%s: truncated record block at byte offset %llu (after "
                       "%llu records)", r->name, (unsigned long long)(r->blocks2 ? r->blk_start
                       : r->in_off + r->in_pos), records_made(r));
        else if (r->comp == FT_COMP_NONE)
            ft_err_set(&r->pending, "%s: truncated record at byte offset %llu", r->name,
                       (unsigned long long)(r->in_off + r->in_pos));
        else
            ft_err_set(&r->pending, "%s: truncated compressed data at byte offset %llu "
                       "(after %llu records)", r->name,
                       (unsigned long long)(r->in_off + r->in_pos), records_made(r));
    }
    if (r->pending.msg[0]) {
        r->err = r->pending;
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
    if (ft_block_parse_head(r->raw, r->rec_size, ft_order_is_big(r->hdr.byte_order),
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

/* Gather the next layout-2 block from the file bytes (its u32 length
 * first) into the pool's free slot and submit it: 1; 0 at the end of the
 * stream; -1 when the stream ends inside a block or the block cannot be
 * one (r->gather_left, r->pending say which). */
static int gather_block2(struct ft_reader *r)
{
    size_t have = 0, need = 4;
    uint8_t *raw = ft_bpool_room(r->pool, need);
    bool sized = false;
    for (;;) {
        const uint8_t *p;
        size_t k = window(r, &p);
        if (!raw) {
            reader_damage(r, "%s: out of memory for a record block", r->name);
            return -1;
        }
        if (have == 0 && k)
            r->blk_start = r->in_off + r->in_pos;
        if (k > need - have)
            k = need - have;
        memcpy(raw + have, p, k);
        consume(r, k);
        have += k;
        if (have == need && !sized) {
            size_t len = ft_ld32(raw, ft_order_is_big(r->hdr.byte_order));
            if (len < 6 || len > ft_cblock_body_max(r->rec_size)) {
                reader_damage(r, "%s: corrupt record block at byte offset %llu (after %llu "
                              "records): block length %zu out of range", r->name,
                              (unsigned long long)r->blk_start, records_made(r), len);
                return -1;
            }
            sized = true;
            need = 4 + len;
            raw = ft_bpool_room(r->pool, need);
            continue;
        }
        if (have == need) {
            ft_bpool_submit(r->pool, need, r->blk_start);
            return 1;
        }
        if (r->state != R_OPEN) {
            r->gather_left = have;
            return have ? -1 : 0;
        }
        fill(r);
    }
}

/* Gather ahead while slots are free; from a pipe only while bytes are
 * already there, so that a live stream's block is not held back waiting
 * for the next ones. */
static void gather_ahead(struct ft_reader *r)
{
    while (!r->gather_end && ft_bpool_has_room(r->pool)) {
        if (ft_bpool_pending(r->pool) && !r->regular && r->in_pos == r->in_len)
            return;
        if (gather_block2(r) <= 0)
            r->gather_end = true;
    }
}

int ft_reader_start_pool(struct ft_reader *r, unsigned workers)
{
    r->pool = ft_bpool_new(workers, r->rec_size, ft_order_is_big(r->hdr.byte_order),
                           r->want ? r->want_cols : NULL);
    return r->pool ? 0 : -1;
}

/* The next layout-2 block's records into blk: 1, 0 at the end, -1 on
 * damage (every block before it handed out first). */
static ssize_t next_block2(struct ft_reader *r)
{
    if (!r->pool && ft_reader_start_pool(r, 0) < 0) {
        reader_damage(r, "%s: out of memory for a record block", r->name);
        return finish(r, 0);
    }
    gather_ahead(r);
    if (!ft_bpool_pending(r->pool))
        return finish(r, r->gather_left);
    char why[160];
    const uint8_t *recs;
    uint64_t off;
    if (ft_bpool_take(r->pool, &recs, &r->blk_n, &off, why, sizeof why) < 0) {
        ft_err_set(&r->pending, "%s: corrupt record block at byte offset %llu (after %llu "
                   "records): %s", r->name, (unsigned long long)off,
                   (unsigned long long)r->decoded, why);
        r->state = R_DRAINED;
        return finish(r, 0);
    }
    r->cur = recs;
    r->blk_pos = 0;
    r->blk_len = r->blk_n * r->rec_size;
    r->decoded += r->blk_n;
    return 1;
}

/* next_records for a stream of column blocks. */
static ssize_t block_records(struct ft_reader *r, const uint8_t **p, size_t max)
{
    if (r->blk_pos == r->blk_len) {
        ssize_t rc = r->blocks2 ? next_block2(r) : next_block(r);
        if (rc <= 0)
            return rc;
    }
    size_t n = (r->blk_len - r->blk_pos) / r->rec_size;
    if (n > max)
        n = max;
    *p = (r->blocks2 ? r->cur : r->blk) + r->blk_pos;
    r->blk_pos += n * r->rec_size;
    r->count += n;
    return (ssize_t)n;
}

/* Up to max whole stored records at *p: >0, 0 at the end, -1 on damage. */
ssize_t ft_reader_next_raw(struct ft_reader *r, const uint8_t **p, size_t max)
{
    if (r->state == R_DAMAGED)
        return -1;
    if (r->state == R_END || max == 0)
        return 0;
    if (r->blocked || r->blocks2)
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
    va_list ap;
    va_start(ap, fmt);
    ft_err_vset_named(err, r->name, fmt, ap);
    va_end(ap);
    return -1;
}

/* At least `need` header bytes, or a message saying why not. */
static int need_header_bytes(struct ft_reader *r, size_t need, struct ft_err *err)
{
    if (read_at_least(r, need) < 0) {
        ft_err_set(err, "%s", r->pending.msg);
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
    int big = ft_order_is_big(r->hdr.byte_order);
    if (need_header_bytes(r, 8, err) < 0)
        return -1;
    uint32_t len = ft_ld32(r->in + 4, big);
    if (len < 8 || len > HDR_READ_MAX)
        return open_fail(r, err, "header length %lu out of range (8..%d)",
                         (unsigned long)len, HDR_READ_MAX);
    if (need_header_bytes(r, len, err) < 0)
        return -1;
    if (ft_header_parse_tlvs(&r->hdr, r->in + 8, len - 8, big) < 0)
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
    if (r->hdr.flags & FT_HF_BLOCKS2) {
        if ((r->hdr.flags & (FT_HF_BLOCKS | FT_HF_COMPRESS | FT_HF_ZSTD)) !=
            (FT_HF_BLOCKS | FT_HF_COMPRESS | FT_HF_ZSTD))
            return open_fail(r, err, "column blocks of layout 2 in a stream not marked "
                             "zstd-compressed (header flags 0x%lx)",
                             (unsigned long)r->hdr.flags);
        r->blocks2 = true;
        r->blocked = false;
    }
    /* Big-endian v1005 not marked as ours: written by flow-tools, whose
     * layout loses the high 16 bits of the tags (ft_format.h). */
    if (r->fmt->d_version == 1005 && r->hdr.byte_order == FT_ORDER_BIG &&
        !(r->hdr.flags & FT_HF_BE1005_FIXED))
        r->order = FT_ORDER_BIG_FLOWTOOLS;
    return 0;
}

static int read_sv1_header(struct ft_reader *r, struct ft_err *err)
{
    if (need_header_bytes(r, FT_SV1_HDR_SIZE, err) < 0)
        return -1;
    ft_header_parse_sv1(&r->hdr, r->in);
    if (r->hdr.d_version != 1 && r->hdr.d_version != 5)
        return open_fail(r, err, "unsupported export version %u in a stream version 1 "
                         "header", r->hdr.d_version);
    r->hdr.header_len = FT_SV1_HDR_SIZE;
    r->in_pos = FT_SV1_HDR_SIZE;
    r->sv1 = true;
    r->fmt = ft_format_find(r->hdr.d_version, 0);
    r->rec_size = FT_SV1_REC_SIZE;
    return 0;
}

static int start_decompression(struct ft_reader *r, struct ft_err *err)
{
    if (!(r->hdr.flags & FT_HF_COMPRESS))
        return 0;
    if (r->blocks2) {
        /* the blocks are compressed, not the stream: file bytes as they are */
#ifdef HAVE_ZSTD
        struct stat st;
        r->regular = r->mem || (fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode));
        return 0;
#else
        return open_fail(r, err, "zstd-compressed stream, but ftkit was built without zstd");
#endif
    }
    r->comp = (r->hdr.flags & FT_HF_ZSTD) ? FT_COMP_ZSTD : FT_COMP_ZLIB;
    r->out_cap = FT_IO_BLOCK + r->rec_size;
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
    if (p[0] != FT_MAGIC1 || p[1] != FT_MAGIC2)
        return open_fail(r, err, "bad magic number 0x%02x%02x (not a flow-tools stream)",
                         p[0], p[1]);
    r->hdr.byte_order = p[2];
    r->hdr.s_version = p[3];
    r->order = ft_order_is_big(p[2]) ? FT_ORDER_BIG : FT_ORDER_LITTLE;
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
    free(r->flows);
    free(r->raw);
    free(r->blk);
    ft_bpool_free(r->pool);
    free(r->name);
    free(r);
}

static struct ft_reader *reader_open(int fd, const uint8_t *mem, size_t mem_len,
                                     const char *name, unsigned flags, struct ft_err *err)
{
    struct ft_reader *r = calloc(1, sizeof(*r));
    if (!r || !(r->name = strdup(name ? name : "stdin")) || !(r->in = malloc(FT_IO_BLOCK))) {
        ft_err_set(err, "%s: out of memory", name ? name : "stdin");
        if (r)
            r->fd = -1;
        reader_free(r);
        if (flags & FT_READ_CLOSE_FD)
            close(fd);
        return NULL;
    }
    r->fd = fd;
    r->close_fd = flags & FT_READ_CLOSE_FD;
    r->mem = mem;
    r->mem_len = mem_len;
    r->state = R_OPEN;
    if (read_header(r, err) < 0) {
        reader_free(r);
        return NULL;
    }
#ifdef POSIX_FADV_SEQUENTIAL
    if (fd >= 0)
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    return r;
}

struct ft_reader *ft_reader_open(int fd, const char *name, unsigned flags, struct ft_err *err)
{
    return reader_open(fd, NULL, 0, name, flags, err);
}

struct ft_reader *ft_reader_open_mem(const void *buf, size_t len, const char *name,
                                     struct ft_err *err)
{
    static const uint8_t none[1];
    return reader_open(-1, buf ? buf : none, buf ? len : 0, name ? name : "memory", 0, err);
}

struct ft_reader *ft_reader_open_path(const char *path, struct ft_err *err)
{
    if (strcmp(path, "-") == 0)
        return ft_reader_open(STDIN_FILENO, "stdin", 0, err);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ft_err_set(err, "%s: %s", path, strerror(errno));
        return NULL;
    }
    return ft_reader_open(fd, path, FT_READ_CLOSE_FD, err);
}

void ft_reader_close(struct ft_reader *r)
{
    if (r && r->ra)
        ft_readahead_stop(r->ra);       /* first: its thread uses r */
    reader_free(r);
}
