/*
 * ft_cblocks.h - column blocks, layout 2: each field's columns compressed
 * on their own (zstd), each block whole and self-delimiting, so that a
 * reader inflates only the columns a program asks for and blocks can be
 * decoded on several threads.  Flag FT_HF_BLOCKS2 (with FT_HF_BLOCKS and
 * FT_HF_ZSTD): zstd streams below level 16, the default of `-z zstd`.
 *
 * Layout 1 (ft_blocks.h) is one zstd or zlib stream over all the blocks;
 * layout 2 is not compressed as a whole: the record bytes after the header
 * are a sequence of blocks, integers in the stream's byte order:
 *
 *   u32 len                    bytes of the block after this field
 *   u32 n                      records (1..FT_BLOCK_MAX_RECS)
 *   u16 spans                  column spans (1..rec_size)
 *   bitmap                     ceil(rec_size / 8) bytes: byte column j is
 *                              stored (not zero in all n records), as in
 *                              layout 1
 *   spans x {u16 first, u16 width, u32 clen}
 *                              the spans tile the record: first of the
 *                              first is 0, each next one starts where the
 *                              last ended, the last ends at rec_size;
 *                              clen 0 when no column of the span is stored
 *   frames                     per span with clen > 0, one zstd frame of
 *                              clen bytes: its stored columns, n bytes each
 *
 * A writer makes one span per field of the record format (and one per run
 * of bytes no field covers), so a field's columns inflate alone.
 */
#ifndef FT_CBLOCKS_H
#define FT_CBLOCKS_H

#include <stddef.h>
#include <stdint.h>
#include "stream/ft_format.h"

#define FT_CBLOCK_RECS 8192         /* records per block a writer makes */
#define FT_CBLOCK_SPANS_MAX 512     /* at most one per byte of a record */

struct ft_cspans {
    unsigned n;
    uint16_t first[FT_CBLOCK_SPANS_MAX + 1];   /* first[n] = rec_size */
};

/* The spans a writer uses for fmt: one per field, one per uncovered run
 * (formats without field rows, the extended record: 8 bytes each). */
void ft_cspans_of(const struct ft_format *fmt, struct ft_cspans *s);

/* The most bytes a block of n records of rec_size takes (with its len). */
size_t ft_cblock_bound(size_t n, unsigned rec_size, unsigned spans);

/* Bytes of a block before its frames, for n_spans spans. */
static inline size_t ft_cblock_head(unsigned rec_size, unsigned spans)
{
    return 4 + 4 + 2 + (rec_size + 7) / 8 + (size_t)spans * 8;
}

struct ft_cblock_enc;
struct ft_cblock_dec;

/* A compressor at zstd `level`; NULL when out of memory or without zstd. */
struct ft_cblock_enc *ft_cblock_enc_new(int level);
void ft_cblock_enc_free(struct ft_cblock_enc *e);

/* Encode n records (1..FT_BLOCK_MAX_RECS) into out, which has
 * ft_cblock_bound() bytes.  Returns the bytes written (len field
 * included), 0 when the compressor failed (message in why). */
size_t ft_cblock_encode(struct ft_cblock_enc *e, const uint8_t *recs, size_t n,
                        unsigned rec_size, int big, const struct ft_cspans *s,
                        uint8_t *out, char *why, size_t why_len);

struct ft_cblock_dec *ft_cblock_dec_new(void);
void ft_cblock_dec_free(struct ft_cblock_dec *d);

/* The largest block body (after len) a reader accepts for rec_size. */
size_t ft_cblock_body_max(unsigned rec_size);

/*
 * Decode a block body (the len bytes after the len field) into *n records
 * at recs (room for FT_BLOCK_MAX_RECS).  want: bitmap of the byte columns
 * to inflate (NULL: all); columns not wanted read as zero.  0, or -1 with
 * why filled (the body is damaged).
 */
int ft_cblock_decode(struct ft_cblock_dec *d, const uint8_t *body, size_t len,
                     unsigned rec_size, int big, const uint8_t *want, uint8_t *recs,
                     size_t *n, char *why, size_t why_len);

#endif
