/*
 * ft_sort.c - sorting a stream's records by a key (see ft_sort.h).
 *
 * The buffer holds three arrays sized once from the memory limit and
 * mapped without reserving memory (pages are touched as records come):
 * the raw records, an index entry per record (the key's first 8 bytes as a
 * number, and the record's place), and for keys longer than 8 bytes the
 * whole encoded keys.  Sorting is an LSD radix sort of the entries on those
 * 8 bytes, one byte per pass, passes where every record has the same byte
 * skipped (an octet count rarely needs more than 4); LSD passes are stable,
 * so records with equal keys stay in input order.  Keys longer than 8
 * bytes then sort each group of equal first bytes on the rest, with the
 * place as the last criterion, which keeps it stable too.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "stream/ft_sort.h"
#include "stream/ft_thread.h"

#define GATHER 1024             /* records copied out per write */
#define READ_BATCH 1024         /* records read per run per call */
#define KEY_MAX (FT_SORTKEY_FIELDS * 17)

struct ent {
    uint64_t pre;               /* first 8 key bytes, big-endian as a number */
    uint64_t idx;               /* place in the buffer (input order) */
};

struct ft_sorter {
    struct ft_sortkey key;
    const struct ft_format *fmt;
    int order;
    struct ft_sort_opts o;
    size_t rs;                  /* record size */
    size_t kw;                  /* key width */
    size_t cap, n;              /* records the buffer holds at most / now */
    uint8_t *recs;
    struct ent *ent, *tmp;
    uint8_t *keys;              /* kw bytes per record when kw > 8, else NULL */
    size_t map_recs, map_ent, map_keys;     /* mapped bytes, for munmap */
    int *runs;                  /* descriptors of the runs, in input order */
    size_t n_runs, cap_runs;
    uint64_t run_seq;
    struct ft_sort_stats st;
    size_t count[8][256];       /* radix sort: values per byte */
    /* The key thread decodes records and encodes their keys while the
     * caller reads and inflates the next ones: records [0, copied) are in
     * the buffer, the keys of [0, keyed) are done. */
    pthread_t keyer;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int keyer_on, keyer_quit;
    size_t copied, keyed;
    size_t faulted;             /* records whose pages are mapped */
    struct ent *ent0, *tmp0;    /* the two index arrays as mapped (the
                                 * radix sort swaps ent and tmp) */
    uint8_t *gather;            /* GATHER records copied out together */
};

static void keyer_start(struct ft_sorter *s);
static void keyer_stop(struct ft_sorter *s);

/* ---- memory ------------------------------------------------------------- */

static void *map(size_t bytes)
{
    void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    /* No MADV_HUGEPAGE: measured on this VM, large pages cost more system
     * time than the page faults they save (the kernel compacts memory to
     * find them). */
    return p == MAP_FAILED ? NULL : p;
}

static void unmap(void *p, size_t bytes)
{
    if (p)
        munmap(p, bytes ? bytes : 1);
}

/* Is every field of the key in the records of fmt?  Start and end times
 * are derived from First and Last in every format that has them. */
static int key_fits(const struct ft_sortkey *k, const struct ft_format *fmt, struct ft_err *err)
{
    for (size_t i = 0; i < k->n; i++) {
        const struct ft_field *d = k->part[i].field;
        uint64_t need = d->has;
        if (need == FT_F_TIMES && (fmt->mask & FT_F_LAST))
            continue;
        if (!(fmt->mask & need))
            return ft_err_set(err, "%s records have no field %s", fmt->name, d->name);
    }
    return 0;
}

struct ft_sorter *ft_sorter_new(const struct ft_sortkey *k, const struct ft_format *fmt,
                                int order, const struct ft_sort_opts *o, struct ft_err *err)
{
    if (key_fits(k, fmt, err) < 0)
        return NULL;
    struct ft_sorter *s = calloc(1, sizeof *s);
    if (!s || !(s->gather = malloc((size_t)GATHER * fmt->rec_size))) {
        free(s);
        ft_err_set(err, "out of memory");
        return NULL;
    }
    s->key = *k;
    s->fmt = fmt;
    s->order = order;
    s->o = *o;
    if (!s->o.fan_in || s->o.fan_in < 2)
        s->o.fan_in = FT_SORT_FAN_IN;
    if (s->o.mem_limit < FT_SORT_MEM_MIN)
        s->o.mem_limit = FT_SORT_MEM_MIN;
    s->rs = fmt->rec_size;
    s->kw = k->width;
    size_t per = s->rs + 2 * sizeof(struct ent) + (s->kw > 8 ? s->kw : 0);
    s->cap = s->o.mem_limit / per;
    s->map_recs = s->cap * s->rs;
    s->map_ent = s->cap * sizeof(struct ent);
    s->map_keys = s->kw > 8 ? s->cap * s->kw : 0;
    s->recs = map(s->map_recs);
    s->ent = map(s->map_ent);
    s->tmp = map(s->map_ent);
    s->ent0 = s->ent;
    s->tmp0 = s->tmp;
    s->keys = s->map_keys ? map(s->map_keys) : NULL;
    if (!s->recs || !s->ent || !s->tmp || (s->map_keys && !s->keys)) {
        ft_err_set(err, "cannot map %zu bytes of memory for sorting", s->o.mem_limit);
        ft_sorter_free(s);
        return NULL;
    }
    keyer_start(s);
    return s;
}

void ft_sorter_free(struct ft_sorter *s)
{
    if (!s)
        return;
    keyer_stop(s);
    unmap(s->recs, s->map_recs);
    unmap(s->ent0, s->map_ent);
    unmap(s->tmp0, s->map_ent);
    unmap(s->keys, s->map_keys);
    for (size_t i = 0; i < s->n_runs; i++)
        close(s->runs[i]);
    free(s->runs);
    free(s->gather);
    free(s);
}

void ft_sorter_stats(const struct ft_sorter *s, struct ft_sort_stats *st)
{
    *st = s->st;
}

/* ---- keys ----------------------------------------------------------------- */

static uint64_t load_be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 8; i++)
        v = v << 8 | (i < n ? p[i] : 0);
    return v;
}

/* The encoded key of a raw record into out (kw bytes). */
static void record_key(const struct ft_sorter *s, int order, const uint8_t *rec, uint8_t *out)
{
    struct ft_flow f;
    ft_rec_decode(s->fmt, order, rec, &f);
    ft_sortkey_encode(&s->key, &f, out);
}

/* Keys and index entries of the records [from, to) of the buffer. */
static void make_keys(struct ft_sorter *s, size_t from, size_t to)
{
    uint8_t key[KEY_MAX];
    for (size_t at = from; at < to; at++) {
        uint8_t *out = s->keys ? s->keys + at * s->kw : key;
        record_key(s, s->order, s->recs + at * s->rs, out);
        s->ent[at].pre = load_be(out, s->kw);
        s->ent[at].idx = at;
    }
}

/* Map the pages of records [from, to) of every array (without touching
 * their contents, so the caller may be writing there): the kernel zeroes
 * fresh pages, a gigabyte of them costs as much CPU as the sort, and this
 * way the key thread pays it instead of the thread that inflates. */
static void prefault(struct ft_sorter *s, size_t from, size_t to)
{
#ifdef MADV_POPULATE_WRITE
    long page = sysconf(_SC_PAGESIZE);
    uint8_t *base[4] = {s->recs, (uint8_t *)s->ent0, (uint8_t *)s->tmp0, s->keys};
    size_t size[4] = {s->rs, sizeof(struct ent), sizeof(struct ent), s->kw};
    for (int i = 0; i < 4 && page > 0; i++) {
        if (!base[i])
            continue;
        uintptr_t a = (uintptr_t)(base[i] + from * size[i]) & ~(uintptr_t)(page - 1);
        uintptr_t b = (uintptr_t)(base[i] + to * size[i]);
        if (b > a)
            madvise((void *)a, b - a, MADV_POPULATE_WRITE);
    }
#else
    (void)s; (void)from; (void)to;
#endif
}

#define PREFAULT_AHEAD 65536    /* records mapped ahead of the copy */
#define KEY_CHUNK 16384         /* records keyed between two looks at the copy */

static void *keyer_main(void *arg)
{
    struct ft_sorter *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        size_t want = s->copied + PREFAULT_AHEAD < s->cap ? s->copied + PREFAULT_AHEAD : s->cap;
        if (s->faulted < want && !s->keyer_quit) {
            size_t from = s->faulted, to = from + KEY_CHUNK < want ? from + KEY_CHUNK : want;
            pthread_mutex_unlock(&s->mu);
            prefault(s, from, to);
            pthread_mutex_lock(&s->mu);
            s->faulted = to;
            continue;
        }
        if (s->keyed < s->copied) {
            size_t from = s->keyed;
            size_t to = s->copied - from > KEY_CHUNK ? from + KEY_CHUNK : s->copied;
            pthread_mutex_unlock(&s->mu);
            make_keys(s, from, to);
            pthread_mutex_lock(&s->mu);
            s->keyed = to;
            pthread_cond_broadcast(&s->cv);
            continue;
        }
        if (s->keyer_quit)
            break;
        pthread_cond_wait(&s->cv, &s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* Records [0, n) were copied: their keys are to be made (by the thread
 * when it runs, else here). */
static void keys_copied(struct ft_sorter *s, size_t n)
{
    if (!s->keyer_on) {
        make_keys(s, s->copied, n);
        s->copied = s->keyed = n;
        return;
    }
    pthread_mutex_lock(&s->mu);
    s->copied = n;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* Wait until every copied record has its key; then the buffer is the
 * caller's alone until the next copy. */
static void keys_wait(struct ft_sorter *s)
{
    if (!s->keyer_on)
        return;
    pthread_mutex_lock(&s->mu);
    while (s->keyed != s->copied)
        pthread_cond_wait(&s->cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
}

/* The buffer was emptied (written as a run). */
static void keys_reset(struct ft_sorter *s)
{
    keys_wait(s);
    if (s->keyer_on)
        pthread_mutex_lock(&s->mu);
    s->copied = s->keyed = 0;
    if (s->keyer_on)
        pthread_mutex_unlock(&s->mu);
}

static void keyer_start(struct ft_sorter *s)
{
    if (pthread_mutex_init(&s->mu, NULL) != 0)
        return;
    if (pthread_cond_init(&s->cv, NULL) != 0) {
        pthread_mutex_destroy(&s->mu);
        return;
    }
    s->keyer_on = ft_thread_start(&s->keyer, keyer_main, s) == 0;
    if (!s->keyer_on) {
        pthread_cond_destroy(&s->cv);
        pthread_mutex_destroy(&s->mu);
    }
}

static void keyer_stop(struct ft_sorter *s)
{
    if (!s->keyer_on)
        return;
    pthread_mutex_lock(&s->mu);
    s->keyer_quit = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->keyer, NULL);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    s->keyer_on = 0;
}

/* ---- in memory ------------------------------------------------------------ */

static void radix_sort(struct ft_sorter *s)
{
    static const int shift[8] = {0, 8, 16, 24, 32, 40, 48, 56};
    size_t (*count)[256] = s->count;
    struct ent *src = s->ent, *dst = s->tmp;
    memset(s->count, 0, sizeof s->count);
    for (size_t i = 0; i < s->n; i++)
        for (int b = 0; b < 8; b++)
            count[b][(src[i].pre >> shift[b]) & 0xff]++;
    for (int b = 0; b < 8; b++) {
        size_t sum = 0;
        int constant = 0;
        for (int v = 0; v < 256; v++) {
            size_t c = count[b][v];
            if (c == s->n)
                constant = 1;
            count[b][v] = sum;
            sum += c;
        }
        if (constant)
            continue;
        for (size_t i = 0; i < s->n; i++)
            dst[count[b][(src[i].pre >> shift[b]) & 0xff]++] = src[i];
        struct ent *t = src; src = dst; dst = t;
    }
    if (src != s->ent) {
        s->tmp = s->ent;
        s->ent = src;
    }
}

/* Long keys: the bytes after the first 8, compared within a group of
 * equal first bytes. */
static int tail_cmp(const struct ft_sorter *s, const struct ent *x, const struct ent *y)
{
    return memcmp(s->keys + x->idx * s->kw + 8, s->keys + y->idx * s->kw + 8, s->kw - 8);
}

/* A stable merge sort of a[0..n) on the key tails, with scratch room for n
 * entries (insertion sort below 16). */
static void sort_group(const struct ft_sorter *s, struct ent *a, size_t n, struct ent *scratch)
{
    if (n < 16) {
        for (size_t i = 1; i < n; i++) {
            struct ent e = a[i];
            size_t j = i;
            while (j > 0 && tail_cmp(s, &a[j - 1], &e) > 0) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = e;
        }
        return;
    }
    size_t h = n / 2;
    sort_group(s, a, h, scratch);
    sort_group(s, a + h, n - h, scratch);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)      /* the left one first on a tie: stable */
        scratch[k++] = tail_cmp(s, &a[j], &a[i]) < 0 ? a[j++] : a[i++];
    while (i < h)
        scratch[k++] = a[i++];
    while (j < n)
        scratch[k++] = a[j++];
    memcpy(a, scratch, n * sizeof *a);
}

static void sort_buffer(struct ft_sorter *s)
{
    radix_sort(s);
    if (s->kw <= 8)
        return;
    for (size_t i = 0; i < s->n;) {
        size_t j = i + 1;
        while (j < s->n && s->ent[j].pre == s->ent[i].pre)
            j++;
        if (j - i > 1)
            sort_group(s, s->ent + i, j - i, s->tmp);
        i = j;
    }
}

static int spill(struct ft_sorter *s, struct ft_err *err);

int ft_sorter_add(struct ft_sorter *s, const uint8_t *recs, size_t n, struct ft_err *err)
{
    while (n > 0) {
        if (s->n == s->cap && spill(s, err) < 0)
            return -1;
        size_t take = s->cap - s->n < n ? s->cap - s->n : n;
        memcpy(s->recs + s->n * s->rs, recs, take * s->rs);
        s->n += take;
        keys_copied(s, s->n);
        s->st.records += take;
        recs += take * s->rs;
        n -= take;
    }
    return 0;
}

/* Write the sorted buffer to w. */
static int write_buffer(struct ft_sorter *s, struct ft_writer *w, struct ft_err *err)
{
    for (size_t i = 0; i < s->n;) {
        size_t m = s->n - i < GATHER ? s->n - i : GATHER;
        for (size_t j = 0; j < m; j++)
            memcpy(s->gather + j * s->rs, s->recs + s->ent[i + j].idx * s->rs, s->rs);
        if (ft_writer_write_raw(w, s->gather, m, s->order) < 0)
            return ft_err_set(err, "%s", ft_writer_error(w));
        i += m;
    }
    return 0;
}

/* ---- runs ------------------------------------------------------------------ */

/* A new temporary file, unlinked at once: its descriptor, or -1. */
static int new_run_file(struct ft_sorter *s, char *name, size_t size, struct ft_err *err)
{
    snprintf(name, size, "%s/ftkit-sort-XXXXXX", s->o.tmpdir ? s->o.tmpdir : "/tmp");
    int fd = mkstemp(name);
    if (fd < 0)
        return ft_err_set(err, "%s: cannot make a temporary file: %s", name, strerror(errno));
    unlink(name);
    if (s->n_runs == s->cap_runs) {
        size_t cap = s->cap_runs ? 2 * s->cap_runs : 16;
        int *r = realloc(s->runs, cap * sizeof *r);
        if (!r) {
            close(fd);
            return ft_err_set(err, "out of memory");
        }
        s->runs = r;
        s->cap_runs = cap;
    }
    return fd;
}

/* A writer for a run on fd, records stored in the sorter's byte order. */
static struct ft_writer *run_writer(struct ft_sorter *s, int fd, const char *name,
                                    struct ft_err *err)
{
    struct ft_header h;
    struct ft_write_opts wo = s->o.run;
    ft_header_init(&h, s->fmt);
    wo.byte_order = s->order;
    wo.rewrite = 0;
    return ft_writer_open(fd, name, &h, &wo, err);
}

/* Close a finished run's writer and keep the run (fd back at its start). */
static int keep_run(struct ft_sorter *s, struct ft_writer *w, int fd, size_t at,
                    const char *name, struct ft_err *err)
{
    if (ft_writer_close(w, err) < 0) {
        close(fd);
        return -1;
    }
    off_t end = lseek(fd, 0, SEEK_END);
    if (end < 0 || lseek(fd, 0, SEEK_SET) < 0) {
        close(fd);
        return ft_err_set(err, "%s: %s", name, strerror(errno));
    }
    memmove(s->runs + at + 1, s->runs + at, (s->n_runs - at) * sizeof *s->runs);
    s->runs[at] = fd;
    s->n_runs++;
    s->st.runs++;
    s->st.run_bytes += (uint64_t)end;
    return 0;
}

/* Sort the full buffer and write it as the last run. */
static int spill(struct ft_sorter *s, struct ft_err *err)
{
    char name[4096];
    int fd = new_run_file(s, name, sizeof name, err);
    if (fd < 0)
        return -1;
    struct ft_writer *w = run_writer(s, fd, name, err);
    if (!w) {
        close(fd);
        return -1;
    }
    keys_wait(s);
    sort_buffer(s);
    if (write_buffer(s, w, err) < 0) {
        ft_writer_close(w, NULL);
        close(fd);
        return -1;
    }
    if (keep_run(s, w, fd, s->n_runs, name, err) < 0)
        return -1;
    keys_reset(s);
    s->n = 0;
    return 0;
}

/* ---- merging ---------------------------------------------------------------- */

/* One input of a merge: a run read back, or the sorted buffer. */
struct src {
    struct ft_reader *r;        /* NULL: the buffer */
    int order;
    const uint8_t *recs;
    size_t n, pos;
    const uint8_t *head;        /* the head record */
    uint8_t key[KEY_MAX];
};

struct merge {
    struct ft_sorter *s;
    struct src *src;
    size_t *heap, n_heap;
    struct ft_writer *w;
    size_t pend;                /* records in s->gather */
    int pend_order;
};

/* The next head of src i: 0, 1 at its end, -1 on damage. */
static int src_next(struct merge *m, size_t i, struct ft_err *err)
{
    struct ft_sorter *s = m->s;
    struct src *c = &m->src[i];
    if (!c->r) {
        if (c->pos >= s->n)
            return 1;
        const struct ent *e = &s->ent[c->pos++];
        c->head = s->recs + e->idx * s->rs;
        if (s->keys)
            memcpy(c->key, s->keys + e->idx * s->kw, s->kw);
        else
            for (size_t b = 0; b < s->kw; b++)
                c->key[b] = (uint8_t)(e->pre >> (56 - 8 * b));
        return 0;
    }
    if (c->pos >= c->n) {
        ssize_t n = ft_reader_raw(c->r, &c->recs, READ_BATCH);
        if (n < 0)
            return ft_err_set(err, "%s", ft_reader_error(c->r));
        if (n == 0)
            return 1;
        c->n = (size_t)n;
        c->pos = 0;
    }
    c->head = c->recs + c->pos++ * s->rs;
    record_key(s, c->order, c->head, c->key);
    return 0;
}

static int before(const struct merge *m, size_t a, size_t b)
{
    int c = memcmp(m->src[a].key, m->src[b].key, m->s->kw);
    return c < 0 || (c == 0 && a < b);
}

static void sift_down(struct merge *m, size_t k)
{
    size_t *h = m->heap;
    for (;;) {
        size_t c = 2 * k + 1;
        if (c >= m->n_heap)
            return;
        if (c + 1 < m->n_heap && before(m, h[c + 1], h[c]))
            c++;
        if (!before(m, h[c], h[k]))
            return;
        size_t t = h[c]; h[c] = h[k]; h[k] = t;
        k = c;
    }
}

static int flush_gather(struct merge *m, struct ft_err *err)
{
    if (m->pend && ft_writer_write_raw(m->w, m->s->gather, m->pend, m->pend_order) < 0)
        return ft_err_set(err, "%s", ft_writer_error(m->w));
    m->pend = 0;
    return 0;
}

/* Merge the n sources into w; the head records are copied before the next
 * read of their source can move them. */
static int merge_into(struct merge *m, size_t n, struct ft_err *err)
{
    struct ft_sorter *s = m->s;
    for (size_t i = 0; i < n; i++) {
        int rc = src_next(m, i, err);
        if (rc < 0)
            return -1;
        if (rc == 0)
            m->heap[m->n_heap++] = i;
    }
    for (size_t k = m->n_heap / 2; k-- > 0;)
        sift_down(m, k);
    while (m->n_heap) {
        size_t i = m->heap[0];
        struct src *c = &m->src[i];
        if (m->pend == GATHER || (m->pend && m->pend_order != c->order))
            if (flush_gather(m, err) < 0)
                return -1;
        memcpy(s->gather + m->pend++ * s->rs, c->head, s->rs);
        m->pend_order = c->order;
        int rc = src_next(m, i, err);
        if (rc < 0)
            return -1;
        if (rc > 0)
            m->heap[0] = m->heap[--m->n_heap];
        sift_down(m, 0);
    }
    return flush_gather(m, err);
}

/* Merge runs [first, first + n) (and the buffer, when with_buffer) into w. */
static int merge_runs(struct ft_sorter *s, size_t first, size_t n, int with_buffer,
                      struct ft_writer *w, struct ft_err *err)
{
    size_t total = n + (with_buffer ? 1 : 0);
    struct merge m = {.s = s, .w = w};
    int rc = -1;
    m.src = calloc(total, sizeof *m.src);
    m.heap = calloc(total, sizeof *m.heap);
    if (!m.src || !m.heap) {
        ft_err_set(err, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        /* the reader takes the descriptor: it is closed with it */
        m.src[i].r = ft_reader_open(s->runs[first + i], "sort run", FT_READ_CLOSE_FD, err);
        s->runs[first + i] = -1;
        if (!m.src[i].r)
            goto out;
        m.src[i].order = ft_reader_order(m.src[i].r);
    }
    if (with_buffer)
        m.src[n].order = s->order;
    rc = merge_into(&m, total, err);
out:
    for (size_t i = 0; m.src && i < n; i++)
        if (m.src[i].r)
            ft_reader_close(m.src[i].r);
        else if (s->runs[first + i] >= 0)
            close(s->runs[first + i]);
    /* the merged runs are gone from the list */
    memmove(s->runs + first, s->runs + first + n, (s->n_runs - first - n) * sizeof *s->runs);
    s->n_runs -= n;
    free(m.src);
    free(m.heap);
    return rc;
}

/* Merge the first fan_in runs into one run in their place. */
static int merge_pass(struct ft_sorter *s, struct ft_err *err)
{
    char name[4096];
    size_t n = s->o.fan_in;
    int fd = new_run_file(s, name, sizeof name, err);
    if (fd < 0)
        return -1;
    struct ft_writer *w = run_writer(s, fd, name, err);
    if (!w) {
        close(fd);
        return -1;
    }
    if (merge_runs(s, 0, n, 0, w, err) < 0) {
        ft_writer_close(w, NULL);
        close(fd);
        return -1;
    }
    s->st.passes++;
    return keep_run(s, w, fd, 0, name, err);
}

int ft_sorter_finish(struct ft_sorter *s, struct ft_writer *w, struct ft_err *err)
{
    keyer_stop(s);      /* it finishes the keys of every record copied */
    sort_buffer(s);
    if (s->n_runs == 0)
        return write_buffer(s, w, err);
    /* the buffer stays in memory as the last source of the final merge */
    while (s->n_runs + 1 > s->o.fan_in)
        if (merge_pass(s, err) < 0)
            return -1;
    s->st.passes++;
    return merge_runs(s, 0, s->n_runs, 1, w, err);
}
