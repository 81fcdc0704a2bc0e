/*
 * ft_bpool.h - decoding layout-2 column blocks (ft_cblocks.h) on worker
 * threads, handed back in stream order.  Not installed.
 *
 * The reader gathers each block's bytes into a free slot and submits it;
 * workers inflate and turn the columns back into records, several blocks
 * at once; the reader takes the oldest block when it is done, so records,
 * the end and damage come in the order of the file.  With no workers a
 * submitted block is decoded at once in the caller's thread.  Used by one
 * reader thread at a time (the caller's, or its read-ahead thread).
 */
#ifndef FT_BPOOL_H
#define FT_BPOOL_H

#include <stddef.h>
#include <stdint.h>

#define FT_BPOOL_MAX_WORKERS 4

struct ft_bpool;

/* A pool of `workers` threads (0..FT_BPOOL_MAX_WORKERS) for records of
 * rec_size bytes; want: the byte columns to inflate (copied; NULL all).
 * NULL when out of memory or threads. */
struct ft_bpool *ft_bpool_new(unsigned workers, unsigned rec_size, int big,
                              const uint8_t *want);
/* Stops the workers (waiting for blocks being decoded) and frees all. */
void ft_bpool_free(struct ft_bpool *p);

unsigned ft_bpool_workers(const struct ft_bpool *p);

/* A free slot to gather into: true when there is one. */
int ft_bpool_has_room(const struct ft_bpool *p);
/* Blocks submitted and not yet taken. */
unsigned ft_bpool_pending(const struct ft_bpool *p);

/* The free slot's buffer with room for `need` bytes, its first bytes kept
 * from the last call (a block is gathered in pieces); NULL when out of
 * memory. */
uint8_t *ft_bpool_room(struct ft_bpool *p, size_t need);
/* The free slot holds a whole block of len bytes (its u32 length field
 * first) that began at byte `offset` of the stream: decode it. */
void ft_bpool_submit(struct ft_bpool *p, size_t len, uint64_t offset);

/*
 * The oldest submitted block, waiting until it is decoded: 0 with its
 * records at *recs (valid until the next take) and their count, or -1
 * with why filled and *offset the block's byte offset (the block is
 * damaged).  The slot of the block taken before is free again.
 */
int ft_bpool_take(struct ft_bpool *p, const uint8_t **recs, size_t *n, uint64_t *offset,
                  char *why, size_t why_len);

#endif
