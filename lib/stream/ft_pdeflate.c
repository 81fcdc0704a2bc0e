/*
 * ft_pdeflate.c - one zlib stream compressed by several threads.
 *
 * Why it is one valid stream: a deflate stream is a sequence of blocks, and
 * a sync flush ends the blocks so far on a byte boundary without marking the
 * last one final.  A chunk deflated on its own, primed with the 32 KiB that
 * precede it (deflateSetDictionary), can only refer back to bytes an inflater
 * has in its window at that point, so the raw outputs of the chunks simply
 * concatenate; only the last chunk ends with Z_FINISH (final block).  The
 * zlib wrapper is written here: the 2-byte header flagging the level as
 * deflateInit would, and the Adler-32 of all bytes, combined from the
 * checksums the workers compute for their own chunks (adler32_combine).
 *
 * Chunks live in a ring; sequence numbers say where each is:
 *   emitted <= taken <= submitted, submitted - emitted <= nchunks
 * chunk s sits in ring slot s % nchunks.  The caller fills slot `submitted`,
 * workers take `taken` in order, the caller emits `emitted` in order once
 * it is done.  All three counters and the `done` marks are guarded by mu.
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "stream/ft_pdeflate.h"
#include "stream/ft_thread.h"

#define DICT_SIZE 32768             /* deflate's window */
#define CHUNKS_PER_THREAD 2         /* one compressing, one filled or waiting */
#define MAX_THREADS 64

struct chunk {
    uint8_t *buf;                   /* DICT_SIZE of dictionary room, then data */
    size_t dict_len, len;
    bool last;                      /* ends the stream: Z_FINISH */
    uint8_t *out;
    size_t out_len, out_cap;
    uLong adler;                    /* of this chunk's data alone */
    bool done, failed;              /* under mu */
};

struct worker {
    struct ft_pdeflate *pd;
    z_stream zs;                    /* raw deflate, reset for every chunk */
    bool zs_live, started;
    pthread_t tid;
};

struct ft_pdeflate {
    int level;
    ft_pdeflate_sink sink;
    void *sink_arg;

    pthread_mutex_t mu;
    pthread_cond_t work_cv;         /* a chunk was submitted, or stop */
    pthread_cond_t done_cv;         /* a chunk was compressed */
    bool sync_live;
    bool stop;
    uint64_t submitted, taken, emitted;

    struct chunk *chunks;
    size_t nchunks;
    struct worker *workers;
    int nworkers;

    /* the caller's thread only */
    struct chunk *fill;             /* claimed, not yet submitted */
    bool header_sent, failed, finished;
    uLong adler;
    char err[128];
};

static inline uint8_t *chunk_data(struct chunk *c) { return c->buf + DICT_SIZE; }

/* ---- workers ------------------------------------------------------------ */

static int grow_out(struct chunk *c)
{
    size_t cap = c->out_cap * 2;
    uint8_t *p = realloc(c->out, cap);
    if (!p)
        return -1;
    c->out = p;
    c->out_cap = cap;
    return 0;
}

/* Deflate one chunk into c->out; 0 or -1.  Runs on a worker thread, which
 * owns the chunk (and only reads the previous chunk's bytes, copied before). */
static int deflate_chunk(z_stream *zs, struct chunk *c)
{
    if (deflateReset(zs) != Z_OK)
        return -1;
    if (c->dict_len &&
        deflateSetDictionary(zs, chunk_data(c) - c->dict_len, (uInt)c->dict_len) != Z_OK)
        return -1;
    c->adler = adler32(adler32(0L, Z_NULL, 0), chunk_data(c), (uInt)c->len);
    zs->next_in = chunk_data(c);
    zs->avail_in = (uInt)c->len;
    c->out_len = 0;
    int flush = c->last ? Z_FINISH : Z_SYNC_FLUSH;
    for (;;) {
        if (c->out_len == c->out_cap && grow_out(c) < 0)
            return -1;
        zs->next_out = c->out + c->out_len;
        zs->avail_out = (uInt)(c->out_cap - c->out_len);
        int rc = deflate(zs, flush);
        c->out_len = c->out_cap - zs->avail_out;
        if (rc == Z_STREAM_ERROR)
            return -1;
        if (flush == Z_FINISH ? rc == Z_STREAM_END : zs->avail_out != 0)
            return 0;
        if (zs->avail_out != 0)
            return -1;      /* room left but not finished: no progress possible */
    }
}

static void *worker_main(void *arg)
{
    struct worker *wk = arg;
    struct ft_pdeflate *pd = wk->pd;
    pthread_mutex_lock(&pd->mu);
    for (;;) {
        while (!pd->stop && pd->taken == pd->submitted)
            pthread_cond_wait(&pd->work_cv, &pd->mu);
        if (pd->stop)
            break;
        struct chunk *c = &pd->chunks[pd->taken++ % pd->nchunks];
        pthread_mutex_unlock(&pd->mu);
        bool ok = deflate_chunk(&wk->zs, c) == 0;
        pthread_mutex_lock(&pd->mu);
        c->failed = !ok;
        c->done = true;
        pthread_cond_signal(&pd->done_cv);
    }
    pthread_mutex_unlock(&pd->mu);
    return NULL;
}

/* ---- set-up and tear-down ----------------------------------------------- */

static int setup_workers(struct ft_pdeflate *pd)
{
    for (int i = 0; i < pd->nworkers; i++) {
        struct worker *wk = &pd->workers[i];
        wk->pd = pd;
        /* raw deflate (negative window bits), window and memLevel as zlib's
         * defaults, which the original uses: the same header flags apply */
        if (deflateInit2(&wk->zs, pd->level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            return -1;
        wk->zs_live = true;
    }
    return 0;
}

static int setup_chunks(struct ft_pdeflate *pd)
{
    /* a sync flush adds a few bytes to what deflateBound allows for */
    size_t out_cap = deflateBound(&pd->workers[0].zs, FT_PDEFLATE_CHUNK) + 64;
    for (size_t i = 0; i < pd->nchunks; i++) {
        struct chunk *c = &pd->chunks[i];
        c->out_cap = out_cap;
        if (!(c->buf = malloc(DICT_SIZE + FT_PDEFLATE_CHUNK)) || !(c->out = malloc(out_cap)))
            return -1;
    }
    return 0;
}

static int start_threads(struct ft_pdeflate *pd)
{
    int rc = 0;
    for (int i = 0; i < pd->nworkers && rc == 0; i++) {
        struct worker *wk = &pd->workers[i];
        rc = ft_thread_start(&wk->tid, worker_main, wk);
        wk->started = rc == 0;
    }
    return rc;
}

static int init_sync(struct ft_pdeflate *pd)
{
    if (pthread_mutex_init(&pd->mu, NULL) != 0)
        return -1;
    if (pthread_cond_init(&pd->work_cv, NULL) != 0) {
        pthread_mutex_destroy(&pd->mu);
        return -1;
    }
    if (pthread_cond_init(&pd->done_cv, NULL) != 0) {
        pthread_cond_destroy(&pd->work_cv);
        pthread_mutex_destroy(&pd->mu);
        return -1;
    }
    pd->sync_live = true;
    return 0;
}

struct ft_pdeflate *ft_pdeflate_new(int level, int threads, ft_pdeflate_sink sink, void *arg)
{
    if (level < -1 || level > 9)
        return NULL;
    struct ft_pdeflate *pd = calloc(1, sizeof(*pd));
    if (!pd)
        return NULL;
    pd->level = level < 0 ? 6 : level;
    pd->sink = sink;
    pd->sink_arg = arg;
    pd->adler = adler32(0L, Z_NULL, 0);
    pd->nworkers = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads;
    pd->nchunks = (size_t)pd->nworkers * CHUNKS_PER_THREAD;
    if (init_sync(pd) < 0) {
        free(pd);
        return NULL;
    }
    if (!(pd->workers = calloc((size_t)pd->nworkers, sizeof(*pd->workers))) ||
        !(pd->chunks = calloc(pd->nchunks, sizeof(*pd->chunks))) ||
        setup_workers(pd) < 0 || setup_chunks(pd) < 0 || start_threads(pd) < 0) {
        ft_pdeflate_free(pd);
        return NULL;
    }
    return pd;
}

void ft_pdeflate_free(struct ft_pdeflate *pd)
{
    if (!pd)
        return;
    if (pd->sync_live) {
        pthread_mutex_lock(&pd->mu);
        pd->stop = true;
        pthread_cond_broadcast(&pd->work_cv);
        pthread_mutex_unlock(&pd->mu);
    }
    for (int i = 0; pd->workers && i < pd->nworkers; i++) {
        if (pd->workers[i].started)
            pthread_join(pd->workers[i].tid, NULL);
        if (pd->workers[i].zs_live)
            deflateEnd(&pd->workers[i].zs);
    }
    for (size_t i = 0; pd->chunks && i < pd->nchunks; i++) {
        free(pd->chunks[i].buf);
        free(pd->chunks[i].out);
    }
    if (pd->sync_live) {
        pthread_cond_destroy(&pd->work_cv);
        pthread_cond_destroy(&pd->done_cv);
        pthread_mutex_destroy(&pd->mu);
    }
    free(pd->workers);
    free(pd->chunks);
    free(pd);
}

/* ---- the caller's side ---------------------------------------------------- */

static int fail(struct ft_pdeflate *pd, const char *why)
{
    if (!pd->failed)
        snprintf(pd->err, sizeof(pd->err), "%s", why);
    pd->failed = true;
    return -1;
}

static int to_sink(struct ft_pdeflate *pd, const uint8_t *p, size_t len)
{
    if (len && pd->sink(pd->sink_arg, p, len) < 0)
        return fail(pd, "");
    return 0;
}

/* RFC 1950 header: 32 KiB window, the level class deflateInit announces. */
static int send_header(struct ft_pdeflate *pd)
{
    unsigned flevel = pd->level < 2 ? 0 : pd->level < 6 ? 1 : pd->level == 6 ? 2 : 3;
    unsigned v = (0x78u << 8) | (flevel << 6);
    v += 31 - v % 31;
    uint8_t h[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    pd->header_sent = true;
    return to_sink(pd, h, sizeof(h));
}

static int send_trailer(struct ft_pdeflate *pd)
{
    uLong a = pd->adler;
    uint8_t t[4] = {(uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a};
    return to_sink(pd, t, sizeof(t));
}

/* Hand the oldest chunk to the sink: 1 done, 0 not compressed yet (and not
 * `wait`ing), -1 failed. */
static int emit_oldest(struct ft_pdeflate *pd, bool wait)
{
    struct chunk *c = &pd->chunks[pd->emitted % pd->nchunks];
    pthread_mutex_lock(&pd->mu);
    while (!c->done && wait)
        pthread_cond_wait(&pd->done_cv, &pd->mu);
    bool done = c->done, failed = c->failed;
    pthread_mutex_unlock(&pd->mu);
    if (!done)
        return 0;
    if (failed)
        return fail(pd, "deflate failed (out of memory?)");
    if (!pd->header_sent && send_header(pd) < 0)
        return -1;
    if (to_sink(pd, c->out, c->out_len) < 0)
        return -1;
    pd->adler = adler32_combine(pd->adler, c->adler, (z_off_t)c->len);
    if (c->last && send_trailer(pd) < 0)
        return -1;
    pd->emitted++;
    return 1;
}

/* Whatever is finished at the head of the ring, without waiting. */
static int emit_ready(struct ft_pdeflate *pd)
{
    int rc = 1;
    while (pd->emitted < pd->submitted && (rc = emit_oldest(pd, false)) == 1)
        ;
    return rc < 0 ? -1 : 0;
}

/* Claim the next ring slot (waiting for the oldest chunk if all are in
 * flight) and prime it with the tail of the chunk before it. */
static struct chunk *claim(struct ft_pdeflate *pd)
{
    while (pd->submitted - pd->emitted >= pd->nchunks)
        if (emit_oldest(pd, true) < 0)
            return NULL;
    struct chunk *c = &pd->chunks[pd->submitted % pd->nchunks];
    c->len = 0;
    c->dict_len = 0;
    c->last = false;
    c->done = c->failed = false;    /* no worker sees this slot until submitted */
    if (pd->submitted > 0) {
        /* the previous chunk is full (only the last may be short) and may be
         * compressing right now: both sides only read its bytes */
        struct chunk *prev = &pd->chunks[(pd->submitted - 1) % pd->nchunks];
        c->dict_len = DICT_SIZE;
        memcpy(c->buf, chunk_data(prev) + prev->len - DICT_SIZE, DICT_SIZE);
    }
    return pd->fill = c;
}

static void submit(struct ft_pdeflate *pd, bool last)
{
    pd->fill->last = last;
    pd->fill = NULL;
    pthread_mutex_lock(&pd->mu);
    pd->submitted++;
    pthread_cond_signal(&pd->work_cv);
    pthread_mutex_unlock(&pd->mu);
}

int ft_pdeflate_write(struct ft_pdeflate *pd, const uint8_t *p, size_t len)
{
    if (pd->finished)
        return fail(pd, "bytes after the end of the stream");
    while (len && !pd->failed) {
        struct chunk *c = pd->fill;
        /* a full chunk waits until more bytes come, so that the last chunk
         * of a stream is never an empty one */
        if (c && c->len == FT_PDEFLATE_CHUNK) {
            submit(pd, false);
            if (emit_ready(pd) < 0)
                return -1;
            c = NULL;
        }
        if (!c && !(c = claim(pd)))
            return -1;
        size_t k = FT_PDEFLATE_CHUNK - c->len;
        if (k > len)
            k = len;
        memcpy(chunk_data(c) + c->len, p, k);
        c->len += k;
        p += k;
        len -= k;
    }
    return pd->failed ? -1 : 0;
}

int ft_pdeflate_finish(struct ft_pdeflate *pd)
{
    if (pd->failed)
        return -1;
    if (pd->finished)
        return 0;
    if (!pd->fill && !claim(pd))
        return -1;
    submit(pd, true);
    pd->finished = true;
    while (pd->emitted < pd->submitted)
        if (emit_oldest(pd, true) < 0)
            return -1;
    return 0;
}

const char *ft_pdeflate_error(const struct ft_pdeflate *pd)
{
    return pd->err;
}
