/*
 * files_ahead.c - flow-cat's second thread, reading the next files while
 * the current one is written (files_ahead.h).
 *
 * Inflating is nearly all of flow-cat's work (writing raw records is a
 * copy), so one thread per core reads, each taking the next file not yet
 * taken: files are inflated side by side and written in order.
 *
 * The files in flight sit in a ring of AHEAD_FILES slots, file i in slot
 * i % AHEAD_FILES: a thread takes file i once the caller is done with the
 * file that held its slot.  One lock and one condition guard the ring; all
 * sides wait on the condition and every change is broadcast (a few threads,
 * a few hundred batches per file: no contention worth finer locks).
 *
 * The bound on records waiting is per file for the file being written (its
 * thread must never wait for the caller to take another file's batches) and
 * over all the others for the files after it.
 */
#define _GNU_SOURCE             /* sched_getaffinity, CPU_COUNT */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files_ahead.h"
#include "stream/ft_format.h"
#include "stream/ft_thread.h"
#include "ft_prog.h"

/* Files open at once: the one being written and the next ones, so that a
 * run of small files still keeps the thread busy. */
#define AHEAD_FILES 4
/* Records read but not yet written, at most: of the file being written,
 * and of the files after it (a few files of a day). */
#define CURRENT_BYTES (4u << 20)
#define AHEAD_BYTES (16u << 20)
/* Reading threads at most (one per core the process may run on). */
#define AHEAD_THREADS 4

struct batch {
    struct batch *next;
    size_t n, bytes;
    uint8_t recs[];
};

struct slot {
    struct ahead_file file;     /* first: the caller's handle is the slot */
    size_t index;               /* of the file in the list */
    bool opened;                /* file is set */
    bool ended;                 /* the thread has left the file: end is set */
    bool dropped;               /* the caller is done: stop reading it */
    ssize_t end;                /* 0 at the end of the stream, -1 on damage */
    struct batch *head, *tail;
    size_t bytes;               /* in its batches */
};

struct files_ahead {
    const char *const *paths;
    size_t n, batch;
    pthread_t threads[AHEAD_THREADS];
    int nthreads;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct slot slots[AHEAD_FILES];
    size_t claimed;             /* files a thread has taken to read */
    size_t taken;               /* files handed to the caller */
    size_t released;            /* files the caller is done with */
    size_t queued_bytes;        /* in batches not yet taken, of files after
                                 * the one being written */
    bool stop;
    struct batch *held;         /* the batch the caller is writing */
};

static void free_batches(struct batch *b)
{
    while (b) {
        struct batch *next = b->next;
        free(b);
        b = next;
    }
}

static struct ft_reader *open_path(const char *path, struct ft_err *err)
{
    if (!path)
        return ft_reader_open(STDIN_FILENO, "stdin", 0, err);
    return ft_reader_open_path(path, err);
}

/* Whether file s must wait for the caller to take batches. */
static bool full(const struct files_ahead *a, const struct slot *s)
{
    if (s->index == a->released)
        return s->bytes >= CURRENT_BYTES;
    return a->queued_bytes >= AHEAD_BYTES;
}

/* Read file s's records into batches until its end, its damage, or until
 * the caller drops it or stops everything. */
static void read_file(struct files_ahead *a, struct slot *s)
{
    struct ft_reader *r = s->file.r;
    size_t rec_size = s->file.fmt->rec_size;
    ssize_t n;
    for (;;) {
        pthread_mutex_lock(&a->lock);
        while (!a->stop && !s->dropped && full(a, s))
            pthread_cond_wait(&a->changed, &a->lock);
        bool leave = a->stop || s->dropped;
        pthread_mutex_unlock(&a->lock);
        if (leave) {
            n = 0;
            break;
        }
        const uint8_t *recs;
        if ((n = ft_reader_raw(r, &recs, a->batch)) <= 0)
            break;
        size_t bytes = (size_t)n * rec_size;
        struct batch *b = malloc(sizeof *b + bytes);
        if (!b)
            ft_die("out of memory reading the next files ahead");
        b->next = NULL;
        b->n = (size_t)n;
        b->bytes = bytes;
        memcpy(b->recs, recs, bytes);
        pthread_mutex_lock(&a->lock);
        if (s->tail)
            s->tail->next = b;
        else
            s->head = b;
        s->tail = b;
        s->bytes += bytes;
        if (s->index != a->released)
            a->queued_bytes += bytes;
        pthread_cond_broadcast(&a->changed);
        pthread_mutex_unlock(&a->lock);
    }
    pthread_mutex_lock(&a->lock);
    s->end = n;
    s->ended = true;
    pthread_cond_broadcast(&a->changed);
    pthread_mutex_unlock(&a->lock);
}

static void *read_files(void *arg)
{
    struct files_ahead *a = arg;
    for (;;) {
        pthread_mutex_lock(&a->lock);
        while (!a->stop && a->claimed < a->n && a->claimed - a->released >= AHEAD_FILES)
            pthread_cond_wait(&a->changed, &a->lock);
        if (a->stop || a->claimed == a->n) {
            pthread_mutex_unlock(&a->lock);
            break;
        }
        /* The slot is free: the caller looks at it again once opened. */
        size_t i = a->claimed++;
        struct slot *s = &a->slots[i % AHEAD_FILES];
        memset(s, 0, sizeof *s);
        s->index = i;
        pthread_mutex_unlock(&a->lock);

        struct ahead_file *f = &s->file;
        f->r = open_path(a->paths[i], &f->err);
        if (f->r) {
            f->fmt = ft_reader_format(f->r);
            f->order = ft_reader_order(f->r);
        }
        pthread_mutex_lock(&a->lock);
        s->opened = true;
        s->ended = !f->r;
        pthread_cond_broadcast(&a->changed);
        pthread_mutex_unlock(&a->lock);
        if (f->r)
            read_file(a, s);
    }
    return NULL;
}

/* One thread per core this process may run on (taskset), at most
 * AHEAD_THREADS. */
static int cores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 1;
    int n = CPU_COUNT(&set);
    return n < 1 ? 1 : n > AHEAD_THREADS ? AHEAD_THREADS : n;
}

struct files_ahead *files_ahead_start(const char *const *paths, size_t n, size_t batch)
{
    struct files_ahead *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->paths = paths;
    a->n = n;
    a->batch = batch;
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->changed, NULL);
    for (int want = cores(); a->nthreads < want; a->nthreads++) {
        if (ft_thread_start(&a->threads[a->nthreads], read_files, a) < 0)
            break;
    }
    if (a->nthreads == 0) {
        pthread_cond_destroy(&a->changed);
        pthread_mutex_destroy(&a->lock);
        free(a);
        return NULL;
    }
    return a;
}

struct ahead_file *files_ahead_next_file(struct files_ahead *a)
{
    struct slot *s = &a->slots[a->taken % AHEAD_FILES];
    pthread_mutex_lock(&a->lock);
    while (!(a->claimed > a->taken && s->opened))
        pthread_cond_wait(&a->changed, &a->lock);
    a->taken++;
    pthread_mutex_unlock(&a->lock);
    return &s->file;
}

ssize_t files_ahead_raw(struct files_ahead *a, struct ahead_file *f, const uint8_t **recs)
{
    struct slot *s = (struct slot *)f;
    free(a->held);
    a->held = NULL;
    pthread_mutex_lock(&a->lock);
    while (!s->head && !s->ended)
        pthread_cond_wait(&a->changed, &a->lock);
    struct batch *b = s->head;
    if (b) {
        if (!(s->head = b->next))
            s->tail = NULL;
        s->bytes -= b->bytes;
        pthread_cond_broadcast(&a->changed);
    }
    ssize_t end = s->end;
    pthread_mutex_unlock(&a->lock);
    if (!b)
        return end;
    a->held = b;
    *recs = b->recs;
    return (ssize_t)b->n;
}

void files_ahead_done(struct files_ahead *a, struct ahead_file *f)
{
    struct slot *s = (struct slot *)f;
    free(a->held);
    a->held = NULL;
    pthread_mutex_lock(&a->lock);
    s->dropped = true;
    pthread_cond_broadcast(&a->changed);
    while (!s->ended)
        pthread_cond_wait(&a->changed, &a->lock);
    struct batch *left = s->head;
    s->head = s->tail = NULL;
    s->bytes = 0;
    s->opened = false;
    /* The next file becomes the one being written: its batches no longer
     * count among those of the files after it. */
    a->released++;
    if (a->released < a->claimed)
        a->queued_bytes -= a->slots[a->released % AHEAD_FILES].bytes;
    pthread_cond_broadcast(&a->changed);
    pthread_mutex_unlock(&a->lock);
    free_batches(left);
}

void files_ahead_stop(struct files_ahead *a)
{
    if (!a)
        return;
    pthread_mutex_lock(&a->lock);
    a->stop = true;
    pthread_cond_broadcast(&a->changed);
    pthread_mutex_unlock(&a->lock);
    for (int t = 0; t < a->nthreads; t++)
        pthread_join(a->threads[t], NULL);
    free(a->held);
    /* Files opened but never handed out, or handed out and not done with. */
    for (size_t i = a->released; i < a->claimed; i++) {
        struct slot *s = &a->slots[i % AHEAD_FILES];
        if (s->file.r)
            ft_reader_close(s->file.r);
        free_batches(s->head);
    }
    pthread_cond_destroy(&a->changed);
    pthread_mutex_destroy(&a->lock);
    free(a);
}
