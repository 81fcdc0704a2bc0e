/*
 * ft_sort.h - sorting a stream's records by a key of fields (flow-sort).
 *
 * Records go in as they are stored (raw, in the reader's byte order) and
 * come out the same bytes in key order, stably: records with equal keys
 * keep their input order.  They are kept in memory, with their encoded
 * keys (core/ft_sortkey.h) and an index, up to a memory limit; a full
 * buffer is radix-sorted on its key bytes and written to a temporary file
 * (a run: an ftkit stream of the same format, uncompressed or compressed
 * as the caller asks), and at the end the runs and the last buffer are
 * merged k ways (in several passes when there are more runs than are
 * merged at once).
 *
 * Temporary files are made in the caller's directory and unlinked as soon
 * as they are created: only their descriptors hold them, so nothing is left
 * behind whatever way the process ends, errors, signals and kill -9 alike.
 *
 * Nothing here prints; failures come back as -1 with err filled.
 */
#ifndef FT_SORT_H
#define FT_SORT_H

#include <stddef.h>
#include <stdint.h>
#include "core/ft_sortkey.h"
#include "stream/ft_stream.h"

#define FT_SORT_FAN_IN 64           /* runs merged at once */
#define FT_SORT_MEM_MIN (64u << 10) /* the smallest memory limit taken */

struct ft_sort_opts {
    size_t mem_limit;               /* bytes for records, keys and index */
    const char *tmpdir;             /* where runs are made */
    struct ft_write_opts run;       /* compression of runs (comp, level) */
    unsigned fan_in;                /* runs merged at once [FT_SORT_FAN_IN] */
};

struct ft_sort_stats {
    uint64_t records;               /* records sorted */
    uint64_t runs;                  /* runs written to temporary files */
    uint64_t run_bytes;             /* bytes of those files */
    unsigned passes;                /* merge passes (0: sorted in memory) */
};

struct ft_sorter;

/*
 * A sorter for records of fmt stored in byte order `order` (as
 * ft_reader_order says).  NULL with err filled when a field of the key is
 * not in fmt's records ("fmt records have no field X") or memory is short.
 */
struct ft_sorter *ft_sorter_new(const struct ft_sortkey *k, const struct ft_format *fmt,
                                int order, const struct ft_sort_opts *o, struct ft_err *err);

/* Add n raw records; a full buffer is sorted and written as a run. */
int ft_sorter_add(struct ft_sorter *s, const uint8_t *recs, size_t n, struct ft_err *err);

/* Write every record added, in key order, to w (raw, in the sorter's byte
 * order; w converts when its own differs). */
int ft_sorter_finish(struct ft_sorter *s, struct ft_writer *w, struct ft_err *err);

void ft_sorter_stats(const struct ft_sorter *s, struct ft_sort_stats *st);

/* Free s, closing (and so removing) its temporary files. */
void ft_sorter_free(struct ft_sorter *s);

#endif
