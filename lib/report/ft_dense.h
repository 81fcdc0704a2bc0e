/*
 * ft_dense.h - the counters of a report whose key is one 8- or 16-bit
 * value, in an array indexed by the value: no hashing or probing a flow.
 * At the end they go into the report's ft_agg table in the order of their
 * values (flow-stat's and flow-report's port, protocol, ToS... reports).
 */
#ifndef FT_DENSE_H
#define FT_DENSE_H

#include <stddef.h>
#include <stdint.h>
#include "report/ft_agg.h"

struct ft_dense {
    size_t width;               /* bytes of a value: 1 or 2 */
    size_t val_len;             /* bytes of a value's counters */
    uint8_t *vals;              /* 256^width blocks of val_len bytes */
    uint8_t seen[65536 / 8];    /* the values counted since the last fold */
};

/* Counters of val_len bytes (zeroed) for every value of width bytes; NULL
 * when memory ran out. */
struct ft_dense *ft_dense_new(size_t width, size_t val_len);
void ft_dense_free(struct ft_dense *d);

/* The counters of value v (< 256^width), marked as counted. */
static inline void *ft_dense_at(struct ft_dense *d, uint32_t v)
{
    d->seen[v >> 3] |= (uint8_t)(1u << (v & 7));
    return d->vals + (size_t)v * d->val_len;
}

/*
 * Every value counted into table a, smallest first: a key of the table's
 * length (the value big-endian in width bytes, zeros after), its
 * counters copied; then the counters start again from zero.  The counters
 * must begin with a uint64_t of flows: the flows of values the table had no
 * room for are returned.
 */
uint64_t ft_dense_fold(struct ft_dense *d, struct ft_agg *a);

#endif
