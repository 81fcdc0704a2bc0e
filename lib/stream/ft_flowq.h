/*
 * ft_flowq.h - a bounded queue of flow batches between two threads.
 *
 * The collector's receive thread must never wait on the disk: it fills
 * batches of decoded flows and hands them to the writer thread here.  All
 * batches are allocated up front (a fixed pool), so memory is bounded; when
 * the writer falls behind and no batch is free, the producer chooses whether
 * to wait for one (and how long) or to drop.  A stream reader reading ahead
 * (ft_readahead.c) hands its decoded batches to its caller the same way.
 */
#ifndef FT_FLOWQ_H
#define FT_FLOWQ_H

#include <stdint.h>
#include <stddef.h>
#include "core/ft_flow.h"
#include "stream/ft_format.h"

struct ft_flow_batch {
    const struct ft_format *fmt;    /* format the flows are to be written in */
    struct ft_flow *flows;
    size_t n, cap;
    /* stream header counters that go with these flows */
    uint64_t datagrams;             /* accepted datagrams */
    uint32_t corrupt, lost, resets, misordered;
    /* a reader reading ahead: flows holds n raw records of this many bytes
     * for the caller to decode, or 0 (decoded flows) */
    size_t raw_size;
};

struct ft_flowq;

/* A queue with a pool of `batches` batches of `flows_per_batch` flows, their
 * pages faulted in now.  NULL on out of memory. */
struct ft_flowq *ft_flowq_new(unsigned batches, size_t flows_per_batch);
/* The same, its pages faulted in as batches are first filled: for a reader
 * reading ahead, where most streams fill a fraction of one batch. */
struct ft_flowq *ft_flowq_new_lazy(unsigned batches, size_t flows_per_batch);
void ft_flowq_free(struct ft_flowq *q);

/* A free, emptied batch.  When the pool is exhausted: timeout_ms 0 gives
 * NULL at once, -1 waits for one (NULL only if the queue was closed), > 0
 * waits at most that long. */
struct ft_flow_batch *ft_flowq_take(struct ft_flowq *q, int timeout_ms);

/* Hand a filled batch to the consumer (FIFO). */
void ft_flowq_push(struct ft_flowq *q, struct ft_flow_batch *b);

/*
 * The oldest pushed batch, waiting up to timeout_ms (-1 = no limit).
 * NULL on timeout, after ft_flowq_wake, or when closed and drained.
 */
struct ft_flow_batch *ft_flowq_pop(struct ft_flowq *q, int timeout_ms);

/* Give a popped batch back to the pool. */
void ft_flowq_release(struct ft_flowq *q, struct ft_flow_batch *b);

/* No more pushes will come: pop drains what is left, then returns NULL. */
void ft_flowq_close(struct ft_flowq *q);
/* 1 when closed and nothing is left to pop. */
int ft_flowq_done(struct ft_flowq *q);

/* Make a waiting pop return NULL now (something else needs attention). */
void ft_flowq_wake(struct ft_flowq *q);

/* Batches waiting to be popped, and the most there ever were. */
unsigned ft_flowq_depth(struct ft_flowq *q);
unsigned ft_flowq_high_water(struct ft_flowq *q);

#endif
