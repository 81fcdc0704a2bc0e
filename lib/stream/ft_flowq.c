/*
 * ft_flowq.c - bounded batch queue: a fixed pool, a FIFO, one mutex.
 *
 * Batches circulate: pool --take--> producer --push--> FIFO --pop-->
 * consumer --release--> pool.  Both lists are rings of pointers with room
 * for every batch, so no operation allocates.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "stream/ft_flowq.h"

struct ring {
    struct ft_flow_batch **slot;
    unsigned head, n, size;
};

struct ft_flowq {
    pthread_mutex_t lock;
    pthread_cond_t can_pop;         /* FIFO not empty, closed, or woken */
    pthread_cond_t can_take;        /* pool not empty, or closed */
    struct ring pool, fifo;
    struct ft_flow_batch *batches;
    unsigned count;
    unsigned high_water;
    int closed;
    int woken;
};

static void ring_put(struct ring *r, struct ft_flow_batch *b)
{
    r->slot[(r->head + r->n) % r->size] = b;
    r->n++;
}

static struct ft_flow_batch *ring_get(struct ring *r)
{
    struct ft_flow_batch *b = r->slot[r->head];
    r->head = (r->head + 1) % r->size;
    r->n--;
    return b;
}

/*
 * Fault the pages in now, not under the first flows: in a VM the first
 * touch of each page is slow enough to overflow a socket buffer at full
 * rate.  calloc leaves fresh pages untouched, and gcc turns malloc plus
 * memset(0) into calloc: a write per page.
 */
static void touch_pages(void *p, size_t n)
{
    volatile unsigned char *b = p;
    for (size_t i = 0; i < n; i += 4096)
        b[i] = 0;
    if (n > 0)
        b[n - 1] = 0;
}

static struct ft_flowq *flowq_new(unsigned batches, size_t flows_per_batch, bool prefault)
{
    if (batches == 0 || flows_per_batch == 0)
        return NULL;
    struct ft_flowq *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->can_pop, NULL);
    pthread_cond_init(&q->can_take, NULL);
    q->count = batches;
    q->batches = calloc(batches, sizeof *q->batches);
    q->pool.slot = calloc(batches, sizeof *q->pool.slot);
    q->fifo.slot = calloc(batches, sizeof *q->fifo.slot);
    if (!q->batches || !q->pool.slot || !q->fifo.slot) {
        ft_flowq_free(q);
        return NULL;
    }
    q->pool.size = q->fifo.size = batches;
    for (unsigned i = 0; i < batches; i++) {
        struct ft_flow_batch *b = &q->batches[i];
        b->flows = calloc(flows_per_batch, sizeof *b->flows);
        if (!b->flows) {
            ft_flowq_free(q);
            return NULL;
        }
        if (prefault)
            touch_pages(b->flows, flows_per_batch * sizeof *b->flows);
        b->cap = flows_per_batch;
        ring_put(&q->pool, b);
    }
    return q;
}

struct ft_flowq *ft_flowq_new(unsigned batches, size_t flows_per_batch)
{
    return flowq_new(batches, flows_per_batch, true);
}

struct ft_flowq *ft_flowq_new_lazy(unsigned batches, size_t flows_per_batch)
{
    return flowq_new(batches, flows_per_batch, false);
}

void ft_flowq_free(struct ft_flowq *q)
{
    if (!q)
        return;
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->can_pop);
    pthread_cond_destroy(&q->can_take);
    for (unsigned i = 0; q->batches && i < q->count; i++)
        free(q->batches[i].flows);
    free(q->batches);
    free(q->pool.slot);
    free(q->fifo.slot);
    free(q);
}

static void deadline_after(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void empty_batch(struct ft_flow_batch *b)
{
    b->fmt = NULL;
    b->n = 0;
    b->datagrams = 0;
    b->corrupt = b->lost = b->resets = b->misordered = 0;
}

struct ft_flow_batch *ft_flowq_take(struct ft_flowq *q, int timeout_ms)
{
    struct ft_flow_batch *b = NULL;
    struct timespec deadline;
    if (timeout_ms > 0)
        deadline_after(&deadline, timeout_ms);
    pthread_mutex_lock(&q->lock);
    while (timeout_ms != 0 && q->pool.n == 0 && !q->closed) {
        int rc = timeout_ms < 0 ? pthread_cond_wait(&q->can_take, &q->lock)
                                : pthread_cond_timedwait(&q->can_take, &q->lock, &deadline);
        if (rc == ETIMEDOUT)
            break;
    }
    if (q->pool.n > 0)
        b = ring_get(&q->pool);
    pthread_mutex_unlock(&q->lock);
    if (b)
        empty_batch(b);
    return b;
}

void ft_flowq_push(struct ft_flowq *q, struct ft_flow_batch *b)
{
    pthread_mutex_lock(&q->lock);
    ring_put(&q->fifo, b);
    if (q->fifo.n > q->high_water)
        q->high_water = q->fifo.n;
    pthread_cond_signal(&q->can_pop);
    pthread_mutex_unlock(&q->lock);
}

struct ft_flow_batch *ft_flowq_pop(struct ft_flowq *q, int timeout_ms)
{
    struct timespec deadline;
    struct ft_flow_batch *b = NULL;
    if (timeout_ms >= 0)
        deadline_after(&deadline, timeout_ms);
    pthread_mutex_lock(&q->lock);
    while (q->fifo.n == 0 && !q->closed && !q->woken) {
        int rc = timeout_ms < 0 ? pthread_cond_wait(&q->can_pop, &q->lock)
                                : pthread_cond_timedwait(&q->can_pop, &q->lock, &deadline);
        if (rc == ETIMEDOUT)
            break;
    }
    q->woken = 0;
    if (q->fifo.n > 0)
        b = ring_get(&q->fifo);
    pthread_mutex_unlock(&q->lock);
    return b;
}

void ft_flowq_release(struct ft_flowq *q, struct ft_flow_batch *b)
{
    pthread_mutex_lock(&q->lock);
    ring_put(&q->pool, b);
    pthread_cond_signal(&q->can_take);
    pthread_mutex_unlock(&q->lock);
}

void ft_flowq_close(struct ft_flowq *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = 1;
    pthread_cond_broadcast(&q->can_pop);
    pthread_cond_broadcast(&q->can_take);
    pthread_mutex_unlock(&q->lock);
}

int ft_flowq_done(struct ft_flowq *q)
{
    pthread_mutex_lock(&q->lock);
    int done = q->closed && q->fifo.n == 0;
    pthread_mutex_unlock(&q->lock);
    return done;
}

void ft_flowq_wake(struct ft_flowq *q)
{
    pthread_mutex_lock(&q->lock);
    q->woken = 1;
    pthread_cond_broadcast(&q->can_pop);
    pthread_mutex_unlock(&q->lock);
}

unsigned ft_flowq_depth(struct ft_flowq *q)
{
    pthread_mutex_lock(&q->lock);
    unsigned n = q->fifo.n;
    pthread_mutex_unlock(&q->lock);
    return n;
}

unsigned ft_flowq_high_water(struct ft_flowq *q)
{
    pthread_mutex_lock(&q->lock);
    unsigned n = q->high_water;
    pthread_mutex_unlock(&q->lock);
    return n;
}
