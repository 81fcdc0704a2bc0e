/*
 * ft_blocks.h - column blocks: how ftkit stores the records of the streams
 * flow-tools could not read anyway (zstd-compressed ones below level 16,
 * zlib-compressed streams of the extended record), flag FT_HF_BLOCKS.
 *
 * A block holds n records turned on their side: byte 0 of every record,
 * then byte 1 of every record, and so on, leaving out the byte columns that
 * are zero in all n records.  Neighbouring flows differ in few bytes, so
 * the columns are long runs that a compressor takes several times faster
 * than whole records, and into fewer bytes (measured in bench/README.md).
 *
 * On disk (inside the compressed data): a u32 record count n in the stream's
 * byte order, then a bitmap of ceil(rec_size / 8) bytes (bit j % 8 of byte
 * j / 8 set: byte column j is stored), then each stored column, n bytes.
 */
#ifndef FT_BLOCKS_H
#define FT_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

#define FT_BLOCK_RECS 1024          /* records per block a writer makes */
#define FT_BLOCK_MAX_RECS 8192      /* the most a reader accepts */

/* Bytes of a block's count and bitmap. */
static inline size_t ft_block_head_size(unsigned rec_size)
{
    return 4 + (rec_size + 7) / 8;
}

/* Encode n records (n >= 1) of rec_size bytes into out, which has room for
 * ft_block_head_size(rec_size) + n * rec_size bytes.  Returns the bytes
 * written. */
size_t ft_block_encode(const uint8_t *recs, size_t n, unsigned rec_size, int big,
                       uint8_t *out);

/* Read a block head: its record count and the bytes of columns that follow.
 * Returns 0, or -1 when the head cannot be one (count 0 or above
 * FT_BLOCK_MAX_RECS, bits set past the record). */
int ft_block_parse_head(const uint8_t *head, unsigned rec_size, int big, size_t *n,
                        size_t *payload);

/* Turn the columns after `head` back into n records at recs. */
void ft_block_decode(const uint8_t *head, const uint8_t *columns, size_t n,
                     unsigned rec_size, uint8_t *recs);

#endif
