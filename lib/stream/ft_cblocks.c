/*
 * ft_cblocks.c - column blocks, layout 2 (ft_cblocks.h).
 *
 * The columns are made and put back by layout 1's transposition
 * (ft_blocks.c): a layout-1 block is a count, a bitmap and the stored
 * columns in byte order, so a span's stored columns are one contiguous
 * slice of it, compressed as one frame.  Decoding inflates the wanted
 * spans' slices side by side and hands layout 1's decoder a bitmap with
 * only those columns, so the others come out zero.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif

#include "stream/ft_cblocks.h"
#include "stream/ft_blocks.h"
#include "core/ft_bytes.h"

#define REC_MAX 512

void ft_cspans_of(const struct ft_format *fmt, struct ft_cspans *s)
{
    uint8_t bounds[REC_MAX / 8 + 1];
    unsigned rs = fmt->rec_size;
    bool rows = ft_format_bounds(fmt, bounds);
    s->n = 0;
    for (unsigned j = 0; j < rs; j++) {
        bool start = j == 0 || (rows ? (bounds[j / 8] >> (j % 8)) & 1 : j % 8 == 0);
        if (start)
            s->first[s->n++] = (uint16_t)j;
    }
    s->first[s->n] = (uint16_t)rs;
}

static int column_stored(const uint8_t *bitmap, unsigned j)
{
    return (bitmap[j / 8] >> (j % 8)) & 1;
}

/* Stored columns among [a, b). */
static size_t stored_in(const uint8_t *bitmap, unsigned a, unsigned b)
{
    size_t k = 0;
    for (unsigned j = a; j < b; j++)
        k += (size_t)column_stored(bitmap, j);
    return k;
}

size_t ft_cblock_body_max(unsigned rec_size)
{
    size_t raw = (size_t)FT_BLOCK_MAX_RECS * rec_size;
    /* each frame's worst case is a little over its input; a frame per byte */
#ifdef HAVE_ZSTD
    return ft_cblock_head(rec_size, rec_size) + ZSTD_compressBound(raw) + 64 * (size_t)rec_size;
#else
    return ft_cblock_head(rec_size, rec_size) + raw + 64 * (size_t)rec_size;
#endif
}

size_t ft_cblock_bound(size_t n, unsigned rec_size, unsigned spans)
{
    size_t raw = n * rec_size;
#ifdef HAVE_ZSTD
    return ft_cblock_head(rec_size, spans) + ZSTD_compressBound(raw) + 64 * (size_t)spans;
#else
    (void)spans;
    return ft_cblock_head(rec_size, rec_size) + raw;
#endif
}

#ifdef HAVE_ZSTD

struct ft_cblock_enc {
    ZSTD_CCtx *zc;
    uint8_t *cols;                  /* the block in layout 1 */
};

struct ft_cblock_dec {
    ZSTD_DCtx *zd;
    uint8_t *cols;                  /* layout 1 head and the wanted columns */
};

struct ft_cblock_enc *ft_cblock_enc_new(int level)
{
    struct ft_cblock_enc *e = calloc(1, sizeof *e);
    if (!e || !(e->zc = ZSTD_createCCtx()) ||
        !(e->cols = malloc(ft_block_head_size(REC_MAX) + (size_t)FT_BLOCK_MAX_RECS * REC_MAX)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(e->zc, ZSTD_c_compressionLevel, level)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(e->zc, ZSTD_c_checksumFlag, 1))) {
        ft_cblock_enc_free(e);
        return NULL;
    }
    return e;
}

void ft_cblock_enc_free(struct ft_cblock_enc *e)
{
    if (!e)
        return;
    ZSTD_freeCCtx(e->zc);
    free(e->cols);
    free(e);
}

size_t ft_cblock_encode(struct ft_cblock_enc *e, const uint8_t *recs, size_t n,
                        unsigned rec_size, int big, const struct ft_cspans *s,
                        uint8_t *out, char *why, size_t why_len)
{
    size_t head1 = ft_block_head_size(rec_size);
    ft_block_encode(recs, n, rec_size, big, e->cols);
    const uint8_t *bitmap = e->cols + 4, *src = e->cols + head1;
    size_t cap = ft_cblock_bound(n, rec_size, s->n);
    ft_st32(out + 4, (uint32_t)n, big);
    ft_st16(out + 8, (uint16_t)s->n, big);
    memcpy(out + 10, bitmap, (rec_size + 7) / 8);
    uint8_t *dir = out + 10 + (rec_size + 7) / 8;
    size_t pos = ft_cblock_head(rec_size, s->n);
    for (unsigned i = 0; i < s->n; i++, dir += 8) {
        unsigned a = s->first[i], b = s->first[i + 1];
        size_t len = stored_in(bitmap, a, b) * n, clen = 0;
        if (len) {
            clen = ZSTD_compress2(e->zc, out + pos, cap - pos, src, len);
            if (ZSTD_isError(clen)) {
                snprintf(why, why_len, "zstd compression failed: %s", ZSTD_getErrorName(clen));
                return 0;
            }
        }
        ft_st16(dir, (uint16_t)a, big);
        ft_st16(dir + 2, (uint16_t)(b - a), big);
        ft_st32(dir + 4, (uint32_t)clen, big);
        src += len;
        pos += clen;
    }
    ft_st32(out, (uint32_t)(pos - 4), big);
    return pos;
}

struct ft_cblock_dec *ft_cblock_dec_new(void)
{
    struct ft_cblock_dec *d = calloc(1, sizeof *d);
    if (!d || !(d->zd = ZSTD_createDCtx()) ||
        !(d->cols = malloc(ft_block_head_size(REC_MAX) + (size_t)FT_BLOCK_MAX_RECS * REC_MAX))) {
        ft_cblock_dec_free(d);
        return NULL;
    }
    return d;
}

void ft_cblock_dec_free(struct ft_cblock_dec *d)
{
    if (!d)
        return;
    ZSTD_freeDCtx(d->zd);
    free(d->cols);
    free(d);
}

static int bad(char *why, size_t why_len, const char *what)
{
    snprintf(why, why_len, "%s", what);
    return -1;
}

/* Check the head of a body; the span directory's place in *dir. */
static int check_head(const uint8_t *body, size_t len, unsigned rs, int big, size_t *n,
                      unsigned *spans, const uint8_t **dir, char *why, size_t why_len)
{
    size_t bm = (rs + 7) / 8;
    if (len < 6 + bm)
        return bad(why, why_len, "block too short");
    *n = ft_ld32(body, big);
    *spans = ft_ld16(body + 4, big);
    if (*n == 0 || *n > FT_BLOCK_MAX_RECS)
        return bad(why, why_len, "record count out of range");
    if (*spans == 0 || *spans > rs || len < 6 + bm + (size_t)*spans * 8)
        return bad(why, why_len, "span count out of range");
    for (unsigned j = rs; j < bm * 8; j++)
        if (column_stored(body + 6, j))
            return bad(why, why_len, "column bitmap past the record");
    *dir = body + 6 + bm;
    unsigned at = 0;
    for (unsigned i = 0; i < *spans; i++) {
        unsigned a = ft_ld16(*dir + 8 * i, big), w = ft_ld16(*dir + 8 * i + 2, big);
        if (a != at || w == 0 || a + w > rs)
            return bad(why, why_len, "column spans do not tile the record");
        at = a + w;
    }
    if (at != rs)
        return bad(why, why_len, "column spans do not tile the record");
    return 0;
}

/* A span is inflated when one of its stored columns is wanted. */
static bool span_wanted(const uint8_t *bitmap, const uint8_t *want, unsigned a, unsigned b)
{
    for (unsigned j = a; j < b; j++)
        if (column_stored(bitmap, j) && (!want || column_stored(want, j)))
            return true;
    return false;
}

int ft_cblock_decode(struct ft_cblock_dec *d, const uint8_t *body, size_t len,
                     unsigned rec_size, int big, const uint8_t *want, uint8_t *recs,
                     size_t *n, char *why, size_t why_len)
{
    const uint8_t *dir;
    unsigned spans;
    if (rec_size > REC_MAX || check_head(body, len, rec_size, big, n, &spans, &dir,
                                         why, why_len) < 0)
        return -1;
    const uint8_t *bitmap = body + 6;
    size_t bm = (rec_size + 7) / 8, pos = 6 + bm + (size_t)spans * 8;
    uint8_t *head1 = d->cols, *cols = d->cols + ft_block_head_size(rec_size);
    ft_st32(head1, (uint32_t)*n, big);
    memset(head1 + 4, 0, bm);
    for (unsigned i = 0; i < spans; i++) {
        unsigned a = ft_ld16(dir + 8 * i, big), b = a + ft_ld16(dir + 8 * i + 2, big);
        size_t clen = ft_ld32(dir + 8 * i + 4, big), raw = stored_in(bitmap, a, b) * *n;
        if ((clen == 0) != (raw == 0) || clen > len - pos)
            return bad(why, why_len, "column frame length out of range");
        if (raw && span_wanted(bitmap, want, a, b)) {
            size_t got = ZSTD_decompressDCtx(d->zd, cols, raw, body + pos, clen);
            if (ZSTD_isError(got))
                return snprintf(why, why_len, "corrupt column frame: %s",
                                ZSTD_getErrorName(got)), -1;
            if (got != raw)
                return bad(why, why_len, "column frame of the wrong size");
            for (unsigned j = a; j < b; j++)
                if (column_stored(bitmap, j))
                    head1[4 + j / 8] |= (uint8_t)(1u << (j % 8));
            cols += raw;
        }
        pos += clen;
    }
    if (pos != len)
        return bad(why, why_len, "bytes after the last column frame");
    ft_block_decode(head1, d->cols + ft_block_head_size(rec_size), *n, rec_size, recs);
    return 0;
}

#else   /* without zstd: layout 2 cannot be written or read */

struct ft_cblock_enc *ft_cblock_enc_new(int level) { (void)level; return NULL; }
void ft_cblock_enc_free(struct ft_cblock_enc *e) { (void)e; }
size_t ft_cblock_encode(struct ft_cblock_enc *e, const uint8_t *recs, size_t n,
                        unsigned rec_size, int big, const struct ft_cspans *s,
                        uint8_t *out, char *why, size_t why_len)
{
    (void)e; (void)recs; (void)n; (void)rec_size; (void)big; (void)s; (void)out;
    snprintf(why, why_len, "built without zstd");
    return 0;
}
struct ft_cblock_dec *ft_cblock_dec_new(void) { return NULL; }
void ft_cblock_dec_free(struct ft_cblock_dec *d) { (void)d; }
int ft_cblock_decode(struct ft_cblock_dec *d, const uint8_t *body, size_t len,
                     unsigned rec_size, int big, const uint8_t *want, uint8_t *recs,
                     size_t *n, char *why, size_t why_len)
{
    (void)d; (void)body; (void)len; (void)rec_size; (void)big; (void)want; (void)recs;
    (void)n;
    snprintf(why, why_len, "built without zstd");
    return -1;
}

#endif
