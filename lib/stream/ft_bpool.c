/*
 * ft_bpool.c - layout-2 blocks decoded on worker threads (ft_bpool.h).
 *
 * A ring of slots, two per worker and two more (the block the reader holds,
 * the one it gathers), under one mutex: decoding a block (inflating its
 * wanted columns, transposing them) takes about a hundred microseconds, so
 * the lock is taken twice a block and never contended for long.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "stream/ft_bpool.h"
#include "stream/ft_blocks.h"
#include "stream/ft_cblocks.h"
#include "stream/ft_thread.h"

enum sstate { S_FREE, S_SUBMITTED, S_RUNNING, S_DONE, S_HELD };

struct slot {
    enum sstate state;
    uint8_t *raw;
    size_t raw_cap, len;
    uint64_t off;
    uint8_t *recs;
    size_t n;
    int rc;
    char why[160];
};

struct worker {
    struct ft_bpool *p;
    pthread_t thread;
    struct ft_cblock_dec *dec;
};

struct ft_bpool {
    unsigned rec_size;
    int big;
    bool all;                       /* every column wanted */
    uint8_t want[64];
    unsigned nslots, head, tail;    /* head: oldest submitted; tail: the one gathered */
    int held;                       /* the slot handed out, or -1 */
    unsigned pending;
    struct slot *slots;
    unsigned nworkers;
    struct worker w[FT_BPOOL_MAX_WORKERS];
    struct ft_cblock_dec *dec0;     /* without workers: the caller's */
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    bool stop;
};

static void decode_slot(struct ft_bpool *p, struct ft_cblock_dec *dec, struct slot *s)
{
    s->rc = ft_cblock_decode(dec, s->raw + 4, s->len - 4, p->rec_size, p->big,
                             p->all ? NULL : p->want, s->recs, &s->n, s->why, sizeof s->why);
}

/* The oldest submitted slot, or NULL. */
static struct slot *next_work(struct ft_bpool *p)
{
    for (unsigned k = 0, i = p->head; k < p->nslots; k++, i = (i + 1) % p->nslots)
        if (p->slots[i].state == S_SUBMITTED)
            return &p->slots[i];
    return NULL;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    struct ft_bpool *p = w->p;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        struct slot *s;
        while (!p->stop && !(s = next_work(p)))
            pthread_cond_wait(&p->work, &p->mu);
        if (p->stop)
            break;
        s->state = S_RUNNING;
        pthread_mutex_unlock(&p->mu);
        decode_slot(p, w->dec, s);
        pthread_mutex_lock(&p->mu);
        s->state = S_DONE;
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

struct ft_bpool *ft_bpool_new(unsigned workers, unsigned rec_size, int big,
                              const uint8_t *want)
{
    if (workers > FT_BPOOL_MAX_WORKERS)
        workers = FT_BPOOL_MAX_WORKERS;
    struct ft_bpool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->rec_size = rec_size;
    p->big = big;
    p->all = !want;
    if (want)
        memcpy(p->want, want, (rec_size + 7) / 8);
    p->held = -1;
    p->nslots = 2 * workers + 2;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    bool ok = (p->slots = calloc(p->nslots, sizeof *p->slots)) != NULL;
    for (unsigned i = 0; ok && i < p->nslots; i++)
        ok = (p->slots[i].recs = malloc((size_t)FT_BLOCK_MAX_RECS * rec_size)) != NULL;
    if (ok && !workers)
        ok = (p->dec0 = ft_cblock_dec_new()) != NULL;
    for (unsigned i = 0; ok && i < workers; i++, p->nworkers++) {
        p->w[i].p = p;
        ok = (p->w[i].dec = ft_cblock_dec_new()) != NULL &&
             ft_thread_start(&p->w[i].thread, work, &p->w[i]) == 0;
        if (!ok)
            ft_cblock_dec_free(p->w[i].dec);
    }
    if (!ok) {
        ft_bpool_free(p);
        return NULL;
    }
    return p;
}

void ft_bpool_free(struct ft_bpool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->nworkers; i++) {
        pthread_join(p->w[i].thread, NULL);
        ft_cblock_dec_free(p->w[i].dec);
    }
    ft_cblock_dec_free(p->dec0);
    for (unsigned i = 0; p->slots && i < p->nslots; i++) {
        free(p->slots[i].raw);
        free(p->slots[i].recs);
    }
    free(p->slots);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done);
    free(p);
}

unsigned ft_bpool_workers(const struct ft_bpool *p) { return p->nworkers; }

/* Only the reader thread changes head, tail, held and pending. */
int ft_bpool_has_room(const struct ft_bpool *p)
{
    return p->pending + (p->held >= 0) < p->nslots;
}

unsigned ft_bpool_pending(const struct ft_bpool *p) { return p->pending; }

uint8_t *ft_bpool_room(struct ft_bpool *p, size_t need)
{
    struct slot *s = &p->slots[p->tail];
    if (need > s->raw_cap) {
        uint8_t *b = realloc(s->raw, need);
        if (!b)
            return NULL;
        s->raw = b;
        s->raw_cap = need;
    }
    return s->raw;
}

void ft_bpool_submit(struct ft_bpool *p, size_t len, uint64_t offset)
{
    struct slot *s = &p->slots[p->tail];
    s->len = len;
    s->off = offset;
    p->tail = (p->tail + 1) % p->nslots;
    p->pending++;
    if (!p->nworkers) {
        decode_slot(p, p->dec0, s);
        s->state = S_DONE;
        return;
    }
    pthread_mutex_lock(&p->mu);
    s->state = S_SUBMITTED;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
}

int ft_bpool_take(struct ft_bpool *p, const uint8_t **recs, size_t *n, uint64_t *offset,
                  char *why, size_t why_len)
{
    struct slot *s = &p->slots[p->head];
    pthread_mutex_lock(&p->mu);
    if (p->held >= 0)
        p->slots[p->held].state = S_FREE;
    while (s->state != S_DONE)
        pthread_cond_wait(&p->done, &p->mu);
    s->state = S_HELD;
    pthread_mutex_unlock(&p->mu);
    p->held = (int)p->head;
    p->head = (p->head + 1) % p->nslots;
    p->pending--;
    *offset = s->off;
    if (s->rc < 0) {
        memcpy(why, s->why, why_len < sizeof s->why ? why_len : sizeof s->why);
        why[why_len - 1] = 0;
        return -1;
    }
    *recs = s->recs;
    *n = s->n;
    return 0;
}
