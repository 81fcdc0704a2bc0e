/*
 * ft_pdeflate.h - one zlib stream (RFC 1950) compressed by several threads.
 *
 * The bytes are cut into chunks of FT_PDEFLATE_CHUNK; worker threads deflate
 * each chunk as raw deflate data primed with the last 32 KiB of the chunk
 * before it, ending it with a sync flush (the last one with Z_FINISH), so the
 * chunks concatenate into one deflate stream.  The caller's thread hands the
 * compressed chunks to `sink` in order, behind a zlib header and ahead of the
 * Adler-32 of all the bytes: any inflate reads the result as one stream.
 *
 * A fixed number of chunks is in flight at a time (memory is bounded); when
 * all are busy, ft_pdeflate_write waits for the oldest.  One caller thread
 * only.  Nothing here prints; errors are return values.
 */
#ifndef FT_PDEFLATE_H
#define FT_PDEFLATE_H

#include <stddef.h>
#include <stdint.h>

#define FT_PDEFLATE_CHUNK (256 * 1024)

struct ft_pdeflate;

/* Receives compressed bytes in stream order; 0, or -1 to stop everything. */
typedef int (*ft_pdeflate_sink)(void *arg, const uint8_t *p, size_t len);

/*
 * `threads` workers (at least 1) compressing at zlib `level` (-1 = 6, 1..9).
 * NULL if memory, zlib or a thread cannot be had (nothing is left running).
 */
struct ft_pdeflate *ft_pdeflate_new(int level, int threads, ft_pdeflate_sink sink, void *arg);

/* Add bytes.  0, or -1 once the sink or a compression failed (sticky). */
int ft_pdeflate_write(struct ft_pdeflate *pd, const uint8_t *p, size_t len);

/* Compress what is left, finish the stream, hand everything to the sink.
 * Once only: a second call does nothing, later writes fail. */
int ft_pdeflate_finish(struct ft_pdeflate *pd);

/* Why the last -1: "" when the sink refused (the sink knows why). */
const char *ft_pdeflate_error(const struct ft_pdeflate *pd);

/* Stop and join the workers, free everything.  NULL is fine. */
void ft_pdeflate_free(struct ft_pdeflate *pd);

#endif
