/*
 * ft_readahead.c - a reader's second thread: it reads, decompresses and
 * decodes the next batches of records while the caller works on the last
 * one, so that a program's work (printing, filtering, counting) overlaps
 * inflating instead of following it.
 *
 * The batches go through a bounded queue of flow batches (ft_flowq.h): the
 * thread fills the free ones in stream order, the caller takes them in that
 * order and gives each back on the call after the one that handed out its
 * last flow, so a batch's flows stay valid until the next call.  The end of
 * the stream or its damage comes after the last batch, with the reader's
 * message, so the caller sees every record before the damage and then the
 * same message it would have seen without the thread.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "stream/ft_stream_int.h"
#include "stream/ft_flowq.h"
#include "stream/ft_thread.h"

/* Four batches: the thread can be a whole batch ahead while the caller
 * holds one, and a slow batch on either side is absorbed. */
#define RA_BATCHES 4

struct ft_readahead {
    struct ft_reader *r;            /* the thread's alone once started */
    struct ft_flowq *q;
    bool raw;                       /* the thread may hand raw records over */
    size_t rec_size;
    uint8_t *scratch;               /* the caller's copy of them */
    pthread_t thread;
    atomic_bool stop;               /* the reader is being closed */
    /* the thread's outcome, written before it closes the queue */
    ssize_t end;                    /* 0 at the end of the stream, -1 on damage */
    struct ft_err damage;

    /* the caller's side */
    struct ft_flow_batch *held;     /* the batch being handed out */
    size_t pos;                     /* its flows handed out so far */
    bool ended;                     /* the queue is drained: `end` is final */
    uint64_t count;
    struct ft_err err;
};

/* Raw records into the front of the batch's flow memory (they are smaller
 * than flows), for decode_raw on the caller's side. */
static ssize_t read_raw(struct ft_readahead *ra, struct ft_flow_batch *b)
{
    const uint8_t *p;
    ssize_t n = ft_reader_next_raw(ra->r, &p, b->cap);
    if (n > 0)
        memcpy(b->flows, p, (size_t)n * ra->rec_size);
    return n;
}

/* The caller's side: the raw records of b copied out and decoded into
 * its flows. */
static void decode_raw(struct ft_readahead *ra, struct ft_flow_batch *b)
{
    memcpy(ra->scratch, b->flows, b->n * ra->rec_size);
    ft_reader_decode_recs(ra->r, ra->scratch, b->n, b->flows);
}

static void *read_ahead(void *arg)
{
    struct ft_readahead *ra = arg;
    ssize_t n = 1;
    while (n > 0 && !atomic_load(&ra->stop)) {
        struct ft_flow_batch *b = ft_flowq_take(ra->q, -1);
        if (!b)
            break;                  /* closed: the reader is being closed */
        /* raw when the caller has nothing queued (it waits for this thread:
         * inflating is the limit), decoded here when it is behind */
        b->raw_size = ra->raw && ft_flowq_depth(ra->q) == 0 ? ra->rec_size : 0;
        n = b->raw_size ? read_raw(ra, b) : ft_reader_decode(ra->r, b->flows, b->cap);
        if (n > 0) {
            b->n = (size_t)n;
            ft_flowq_push(ra->q, b);
        } else {
            ft_flowq_release(ra->q, b);
        }
    }
    ra->end = n < 0 ? -1 : 0;
    if (n < 0)
        ft_err_set(&ra->damage, "%s", ft_reader_damage(ra->r));
    ft_flowq_close(ra->q);          /* the caller's pop sees the above after this */
    return NULL;
}

struct ft_readahead *ft_readahead_start(struct ft_reader *r)
{
    struct ft_readahead *ra = calloc(1, sizeof(*ra));
    if (!ra)
        return NULL;
    ra->r = r;
    ra->raw = ft_reader_raw_ahead(r);
    ra->rec_size = ft_reader_format(r)->rec_size;
    atomic_init(&ra->stop, false);
    if ((ra->raw && !(ra->scratch = malloc(FT_READ_BATCH * ra->rec_size))) ||
        !(ra->q = ft_flowq_new_lazy(RA_BATCHES, FT_READ_BATCH)) ||
        ft_thread_start(&ra->thread, read_ahead, ra) < 0) {
        ft_flowq_free(ra->q);
        free(ra->scratch);
        free(ra);
        return NULL;
    }
    return ra;
}

/* The batch to hand out from: the held one while it has flows, else the
 * next one in order (waiting for it); NULL at the end or on damage. */
static struct ft_flow_batch *current_batch(struct ft_readahead *ra)
{
    if (ra->held && ra->pos == ra->held->n) {
        ft_flowq_release(ra->q, ra->held);
        ra->held = NULL;
    }
    if (!ra->held && !ra->ended) {
        ra->held = ft_flowq_pop(ra->q, -1);
        ra->pos = 0;
        if (ra->held && ra->held->raw_size)
            decode_raw(ra, ra->held);
        if (!ra->held) {
            ra->ended = true;
            if (ra->end < 0)
                ra->err = ra->damage;
        }
    }
    return ra->held;
}

ssize_t ft_readahead_take(struct ft_readahead *ra, const struct ft_flow **flows, size_t max)
{
    if (max == 0)
        return ra->ended ? ra->end : 0;
    struct ft_flow_batch *b = current_batch(ra);
    if (!b)
        return ra->end;
    size_t n = b->n - ra->pos;
    if (n > max)
        n = max;
    *flows = b->flows + ra->pos;
    ra->pos += n;
    ra->count += n;
    return (ssize_t)n;
}

uint64_t ft_readahead_count(const struct ft_readahead *ra) { return ra->count; }
struct ft_err *ft_readahead_err(struct ft_readahead *ra) { return &ra->err; }

void ft_readahead_stop(struct ft_readahead *ra)
{
    atomic_store(&ra->stop, true);
    ft_flowq_close(ra->q);          /* a thread waiting for a free batch returns */
    pthread_join(ra->thread, NULL);
    ft_flowq_free(ra->q);
    free(ra->scratch);
    free(ra);
}
