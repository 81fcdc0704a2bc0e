/*
 * ft_capwriter.c - rotated capture files written off the receive path (see
 * ft_capwriter.h): the writer and the finisher threads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include "net/ft_capfile.h"
#include "net/ft_capwriter.h"

#define EXPIRY_CHECK_EVERY_S 60
#define RETRY_MAX_S 4           /* a failing disk is tried again this often */
#define FINISH_QUEUE 4          /* closed files waiting for their fsync */

struct ft_capwriter;

/* ---- the finisher ----------------------------------------------------------- */

/*
 * A closed file must reach the disk (fsync) before it takes its ft- name.
 * At 3 million flows/s a 2-second file is 140 MB and its fsync took over
 * 100 ms here, longer than the queue and the socket buffer hold at that
 * rate: so the writer hands closed files to this thread and opens the next
 * at once.  The finisher also owns the expiry list.
 */
struct closed_file {
    int fd;
    char tmp_path[FT_CAPFILE_PATH_MAX], final_path[FT_CAPFILE_PATH_MAX];
    time_t opened;
    uint64_t flows;
};

struct finisher {
    struct ft_capwriter *w;
    pthread_mutex_t mu;
    pthread_cond_t has_work, has_room;
    struct closed_file files[FINISH_QUEUE];    /* files[head], ... n of them */
    unsigned head, n;
    int done;
    struct closed_file taken;           /* the one being finished */
    /* the size of the file being written, as the writer last noted it */
    atomic_uint_fast64_t current_bytes;
    /* flows of files that never reached the disk: the next file's header
     * counts them as lost */
    atomic_uint_fast64_t lost;
    struct ft_expiry expiry;
};

/* ---- the writer --------------------------------------------------------------- */

/* The stream header counters of the file open now, or the next. */
struct file_counts {
    uint32_t corrupt, lost, resets, misordered;
};

struct writer {
    struct ft_capwriter *w;
    const struct ft_format *fmt;
    int fd;
    struct ft_writer *sw;
    char tmp_path[FT_CAPFILE_PATH_MAX], final_path[FT_CAPFILE_PATH_MAX];
    time_t opened, next_rotation;
    time_t last_open_second;
    unsigned rotate_seen;               /* rotations asked for when the file opened */
    struct file_counts counts;
    int failing;                        /* last write/open failed */
    time_t retry_at, retry_delay, last_failure_log;
    time_t size_noted;                  /* when the file's size was last noted */
    char hostname[256];
};

struct ft_capwriter {
    struct ft_capwriter_opts o;
    struct ft_flowq *q;
    atomic_uint rotate_requests;
    atomic_int stop;
    atomic_uint_fast64_t files, write_errors, write_drops, losses;
    struct writer wr;
    struct finisher fin;
    pthread_t writer_thread, finisher_thread;
};

static void say(const struct ft_capwriter *w, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(const struct ft_capwriter *w, int prio, const char *fmt, ...)
{
    if (!w->o.log)
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    w->o.log(w->o.log_arg, prio, msg);
}

static void count(atomic_uint_fast64_t *c, uint64_t v)
{
    atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}

static int expiry_enabled(const struct ft_capwriter *w)
{
    return w->o.max_files || w->o.max_bytes;
}

/* ==== finisher ============================================================ */

static void on_expired(void *arg, const char *path, int why, int errnum)
{
    struct ft_capwriter *w = arg;
    if (errnum && errnum != ENOENT)
        say(w, LOG_WARNING, "unlink %s: %s", path, strerror(errnum));
    else
        say(w, LOG_INFO, "remove/%d %s", why, path);
}

static void run_expiry(struct finisher *f)
{
    struct ft_capwriter *w = f->w;
    if (expiry_enabled(w))
        ft_expiry_run(&f->expiry, atomic_load(&f->current_bytes), w->o.expiry_dry_run,
                      on_expired, w);
}

/* The file is complete on disk: give it its ft- name and account for it. */
static void publish_file(struct finisher *f, const struct closed_file *cf, uint64_t bytes)
{
    struct ft_capwriter *w = f->w;
    char used[FT_CAPFILE_PATH_MAX];
    struct ft_err err;
    if (ft_capfile_commit(cf->tmp_path, cf->final_path, used, sizeof used, &err) < 0) {
        count(&w->write_errors, 1);
        say(w, LOG_ERR, "%s", err.msg);
        return;
    }
    count(&w->files, 1);
    say(w, LOG_DEBUG, "closed %s", used);
    if (expiry_enabled(w)) {
        if (ft_expiry_add(&f->expiry, used, bytes, (uint32_t)cf->opened, &err) < 0)
            say(w, LOG_WARNING, "%s", err.msg);
        run_expiry(f);
    }
    if (w->o.on_file)
        w->o.on_file(w->o.file_arg, used);
}

/* A file that cannot be synced stays tmp-, never renamed: its flows are
 * counted as lost. */
static void finish_file(struct finisher *f, const struct closed_file *cf)
{
    struct ft_capwriter *w = f->w;
    struct stat st;
    if (fsync(cf->fd) < 0) {
        int errnum = errno;
        close(cf->fd);
        count(&w->write_errors, 1);
        count(&w->write_drops, cf->flows);
        atomic_fetch_add(&f->lost, cf->flows);
        say(w, LOG_ERR, "fsync %s: %s; its %llu flows are counted as lost", cf->tmp_path,
            strerror(errnum), (unsigned long long)cf->flows);
        return;
    }
    if (fstat(cf->fd, &st) < 0)
        st.st_size = 0;
    close(cf->fd);
    publish_file(f, cf, (uint64_t)st.st_size);
}

/* The writer waits here only while FINISH_QUEUE files are still unsynced. */
static void finisher_put(struct finisher *f, const struct closed_file *cf)
{
    pthread_mutex_lock(&f->mu);
    while (f->n == FINISH_QUEUE)
        pthread_cond_wait(&f->has_room, &f->mu);
    f->files[(f->head + f->n) % FINISH_QUEUE] = *cf;
    f->n++;
    pthread_cond_signal(&f->has_work);
    pthread_mutex_unlock(&f->mu);
}

/* Waits for a closed file (cf->fd >= 0) or for the time of the next expiry
 * check; 0 once stopped with nothing left. */
static int finisher_take(struct finisher *f, struct closed_file *cf, time_t check_at)
{
    struct timespec until = {check_at, 0};
    pthread_mutex_lock(&f->mu);
    while (f->n == 0 && !f->done && time(NULL) < check_at)
        pthread_cond_timedwait(&f->has_work, &f->mu, &until);
    int got = f->n > 0;
    if (got) {
        *cf = f->files[f->head];
        f->head = (f->head + 1) % FINISH_QUEUE;
        f->n--;
        pthread_cond_signal(&f->has_room);
    }
    int more = got || !f->done;
    pthread_mutex_unlock(&f->mu);
    if (!got)
        cf->fd = -1;
    return more;
}

static void *finisher_main(void *arg)
{
    struct finisher *f = arg;
    struct closed_file *cf = &f->taken;
    time_t check_at = time(NULL) + EXPIRY_CHECK_EVERY_S;
    while (finisher_take(f, cf, check_at)) {
        if (cf->fd >= 0)
            finish_file(f, cf);
        if (time(NULL) >= check_at) {
            run_expiry(f);
            check_at = time(NULL) + EXPIRY_CHECK_EVERY_S;
        }
    }
    return NULL;
}

/* It still finishes the files it holds before it ends. */
static void finisher_stop(struct finisher *f)
{
    pthread_mutex_lock(&f->mu);
    f->done = 1;
    pthread_cond_signal(&f->has_work);
    pthread_mutex_unlock(&f->mu);
}

static void on_scan_note(void *arg, const char *path, const char *why)
{
    say(arg, LOG_INFO, "ignoring: %s (%s)", path, why);
}

/* The expiry list starts with what the working directory holds. */
static void scan_workdir(struct finisher *f)
{
    struct ft_capwriter *w = f->w;
    struct ft_err err;
    ft_expiry_init(&f->expiry, w->o.max_files, w->o.max_bytes);
    if (!expiry_enabled(w))
        return;
    if (ft_expiry_scan(&f->expiry, ".", on_scan_note, w, &err) < 0)
        say(w, LOG_WARNING, "expiry scan: %s", err.msg);
    run_expiry(f);
}

/* ==== writer ============================================================== */

/* The writer's clock.  time() may lag CLOCK_REALTIME by a tick, and the
 * writer's waits for the next second are measured on the latter. */
static time_t wall_second(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec;
}

/* Writing failed (disk full, I/O error...): log it without flooding, and
 * try again a little later, each time a little later up to RETRY_MAX_S. */
static void writer_failed(struct writer *wr, time_t now, const char *what)
{
    struct ft_capwriter *w = wr->w;
    count(&w->write_errors, 1);
    if (!wr->failing || now - wr->last_failure_log >= 60) {
        say(w, LOG_ERR, "%s%s", what,
            wr->failing ? " (still failing)" : "; flows are counted as lost until it works");
        wr->last_failure_log = now;
    }
    wr->retry_delay = wr->failing ? wr->retry_delay * 2 : 1;
    if (wr->retry_delay > RETRY_MAX_S)
        wr->retry_delay = RETRY_MAX_S;
    wr->failing = 1;
    wr->retry_at = now + wr->retry_delay;
}

static void writer_recovered(struct writer *wr)
{
    if (wr->failing)
        say(wr->w, LOG_NOTICE, "writing files again");
    wr->failing = 0;
    wr->retry_at = 0;
}

/* The counters of the file's header, as far as they are known. */
static void set_counts(struct writer *wr, struct ft_header *h)
{
    ft_header_set_u32(h, FT_TLV_FLOW_LOST, wr->counts.lost);
    if (wr->fmt->d_version == FT_DV_EXTENDED)
        ft_header_set_u32(h, FT_TLV_FLOW_MISORDERED, wr->counts.misordered);
    ft_header_set_u32(h, FT_TLV_PKT_CORRUPT, wr->counts.corrupt);
    ft_header_set_u32(h, FT_TLV_SEQ_RESET, wr->counts.resets);
}

/* Every TLV the final header needs, so the rewrite keeps its length. */
static void fill_header(struct writer *wr, struct ft_header *h, time_t now)
{
    ft_header_init(h, wr->fmt);
    ft_header_set_u32(h, FT_TLV_CAP_START, (uint32_t)now);
    ft_header_set_u32(h, FT_TLV_CAP_END, 0);
    ft_header_set_u32(h, FT_TLV_FLOW_COUNT, 0);
    set_counts(wr, h);
    ft_header_set_str(h, FT_TLV_CAP_HOSTNAME, wr->hostname);
    if (wr->w->o.comment)
        ft_header_set_str(h, FT_TLV_COMMENTS, wr->w->o.comment);
}

/* A file of the same second would get the same name, that of a file the
 * finisher may still be renaming: wait for the next.  Rotations never come
 * here in the same second (writer_housekeeping), retries after a failure
 * neither; a clock set back may. */
static time_t wait_for_new_second(struct writer *wr, time_t now)
{
    while (now == wr->last_open_second) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        struct timespec nap = {0, 1000000000L - ts.tv_nsec + 1000000L};
        if (nap.tv_nsec >= 1000000000L) {
            nap.tv_sec = 1;
            nap.tv_nsec -= 1000000000L;
        }
        nanosleep(&nap, NULL);
        now = wall_second();
    }
    return now;
}

/* A tmp- file of this name is left from a run that died in the same second:
 * keep it (as NAME.old, NAME.old.1, ...), never overwrite captured data. */
static int set_aside(struct writer *wr, struct ft_err *err)
{
    char aside[FT_CAPFILE_PATH_MAX + 8];
    snprintf(aside, sizeof aside, "%s.old", wr->tmp_path);
    if (ft_capfile_commit(wr->tmp_path, aside, NULL, 0, err) < 0)
        return -1;
    say(wr->w, LOG_WARNING, "kept an older %s as %s.old", wr->tmp_path, wr->tmp_path);
    return 0;
}

static int create_file(struct writer *wr, struct ft_err *err)
{
    if (ft_capfile_mkdirs(wr->tmp_path, err) < 0)
        return -1;
    int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
    wr->fd = open(wr->tmp_path, flags, 0644);
    if (wr->fd < 0 && errno == EEXIST && set_aside(wr, err) == 0)
        wr->fd = open(wr->tmp_path, flags, 0644);
    if (wr->fd < 0)
        return ft_err_set(err, "create %.400s: %s", wr->tmp_path, strerror(errno));
    return 0;
}

static int open_file(struct writer *wr)
{
    struct ft_capwriter *w = wr->w;
    struct ft_err err;
    /* a rotation asked for while no file was open had nothing to close; one
     * asked for from now on rotates the file opened here */
    unsigned seen = atomic_load(&w->rotate_requests);
    time_t now = wait_for_new_second(wr, wall_second());
    if (ft_capfile_path(wr->tmp_path, sizeof wr->tmp_path, w->o.nesting, wr->fmt, now, 1) < 0 ||
        ft_capfile_final_path(wr->tmp_path, wr->final_path, sizeof wr->final_path) < 0) {
        writer_failed(wr, now, "file name too long");
        return -1;
    }
    wr->last_open_second = now;
    if (create_file(wr, &err) < 0) {
        writer_failed(wr, now, err.msg);
        return -1;
    }
    struct ft_header h;
    fill_header(wr, &h, now);
    struct ft_write_opts o = w->o.wopts;
    o.rewrite = 1;
    wr->sw = ft_writer_open(wr->fd, wr->tmp_path, &h, &o, &err);
    if (!wr->sw) {
        /* it holds no flows: do not leave one such file per retry */
        close(wr->fd);
        unlink(wr->tmp_path);
        wr->fd = -1;
        writer_failed(wr, now, err.msg);
        return -1;
    }
    wr->opened = now;
    wr->next_rotation = ft_capfile_next_rotation(now, w->o.rotations);
    wr->rotate_seen = seen;
    say(w, LOG_DEBUG, "opened %s", wr->tmp_path);
    return 0;
}

static void set_final_counts(struct writer *wr, time_t now)
{
    struct ft_header *h = ft_writer_header(wr->sw);
    wr->counts.lost += (uint32_t)atomic_exchange(&wr->w->fin.lost, 0);
    ft_header_set_u32(h, FT_TLV_CAP_END, (uint32_t)now);
    ft_header_set_u32(h, FT_TLV_FLOW_COUNT, (uint32_t)ft_writer_count(wr->sw));
    set_counts(wr, h);
}

/* The final header goes in now; the finisher syncs and renames the file. */
static void close_file(struct writer *wr, time_t now)
{
    struct ft_capwriter *w = wr->w;
    struct ft_err err;
    if (!wr->sw)
        return;
    set_final_counts(wr, now);
    count(&w->losses, ft_writer_losses(wr->sw));
    struct closed_file cf = {.fd = wr->fd, .opened = wr->opened};
    cf.flows = ft_writer_count(wr->sw);
    int rc = ft_writer_close(wr->sw, &err);
    wr->sw = NULL;
    wr->fd = -1;
    memset(&wr->counts, 0, sizeof wr->counts);
    if (rc < 0) {
        /* the tmp- file stays as it is: incomplete, never renamed */
        close(cf.fd);
        count(&w->write_drops, cf.flows);
        wr->counts.lost += (uint32_t)cf.flows;
        writer_failed(wr, now, err.msg);
        return;
    }
    atomic_store(&w->fin.current_bytes, 0);
    memcpy(cf.tmp_path, wr->tmp_path, sizeof cf.tmp_path);
    memcpy(cf.final_path, wr->final_path, sizeof cf.final_path);
    finisher_put(&w->fin, &cf);
}

/* A failed file is abandoned as tmp-; its flows are counted lost. */
static void abandon_file(struct writer *wr, time_t now, const char *why)
{
    struct ft_err err;
    uint64_t written = ft_writer_count(wr->sw);
    ft_writer_close(wr->sw, &err);
    wr->sw = NULL;
    close(wr->fd);
    wr->fd = -1;
    count(&wr->w->write_drops, written);
    wr->counts.lost += (uint32_t)written;
    writer_failed(wr, now, why);
}

static void take_counts(struct writer *wr, const struct ft_flow_batch *b)
{
    wr->counts.corrupt += b->corrupt;
    wr->counts.lost += b->lost;
    wr->counts.resets += b->resets;
    wr->counts.misordered += b->misordered;
}

static int counts_pending(const struct writer *wr)
{
    return wr->counts.corrupt || wr->counts.lost || wr->counts.resets || wr->counts.misordered;
}

/* Flows that cannot be written now are counted lost in the next file. */
static void drop_batch(struct writer *wr, size_t n)
{
    count(&wr->w->write_drops, n);
    wr->counts.lost += (uint32_t)n;
}

static void write_batch(struct writer *wr, const struct ft_flow_batch *b, time_t now)
{
    take_counts(wr, b);
    if (!wr->fmt && b->fmt)
        wr->fmt = b->fmt;
    if (b->n == 0)
        return;
    if (!wr->sw && (!wr->failing || now >= wr->retry_at))
        open_file(wr);
    if (!wr->sw) {
        drop_batch(wr, b->n);
        return;
    }
    if (ft_writer_write(wr->sw, b->flows, b->n) < 0) {
        char why[600];
        snprintf(why, sizeof why, "%s", ft_writer_error(wr->sw));
        abandon_file(wr, now, why);
        drop_batch(wr, b->n);
        return;
    }
    writer_recovered(wr);
}

/* A rotation asked for or due by the clock. */
static int rotation_due(const struct writer *wr, time_t now)
{
    return atomic_load(&wr->w->rotate_requests) != wr->rotate_seen || now >= wr->next_rotation;
}

/* How long the writer may sleep: until the next rotation (one held back to
 * the next second: see writer_housekeeping), at most 1 s. */
static int writer_timeout_ms(const struct writer *wr)
{
    if (!wr->sw)
        return 1000;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    time_t at = rotation_due(wr, ts.tv_sec) ? ts.tv_sec + 1 : wr->next_rotation;
    int64_t left = ((int64_t)at - ts.tv_sec) * 1000 - ts.tv_nsec / 1000000;
    if (left < 0)
        return 0;
    return left < 1000 ? (int)left : 1000;
}

/* For expiry, which counts the open file too: noted once a second. */
static void note_file_size(struct writer *wr, time_t now)
{
    struct stat st;
    if (now == wr->size_noted || !expiry_enabled(wr->w))
        return;
    wr->size_noted = now;
    uint64_t bytes = wr->sw && fstat(wr->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    atomic_store(&wr->w->fin.current_bytes, bytes);
}

static void writer_housekeeping(struct writer *wr, time_t now)
{
    struct ft_capwriter *w = wr->w;
    /* Files are named by the second they open in: one opened in this second
     * rotates early in the next, and the writer goes on writing it meanwhile
     * (waiting for the next second here held up the queue for up to 1 s, when
     * a SIGHUP came in the second of a scheduled rotation). */
    if (wr->sw && rotation_due(wr, now) && now != wr->opened)
        close_file(wr, now);
    /* flow-tools starts the next file at once, so quiet periods still get
     * their (empty) files */
    if (!wr->sw && wr->fmt && !ft_flowq_done(w->q) && !atomic_load(&w->stop) &&
        (!wr->failing || now >= wr->retry_at))
        open_file(wr);
    note_file_size(wr, now);
}

static void *writer_main(void *arg)
{
    struct writer *wr = arg;
    struct ft_flowq *q = wr->w->q;
    writer_housekeeping(wr, wall_second());     /* with a format the first file opens at once */
    for (;;) {
        struct ft_flow_batch *b = ft_flowq_pop(q, writer_timeout_ms(wr));
        time_t now = wall_second();
        if (b) {
            write_batch(wr, b, now);
            ft_flowq_release(q, b);
        }
        writer_housekeeping(wr, wall_second());
        if (!b && ft_flowq_done(q))
            break;
    }
    /* Stopped before the first file opened: the datagrams counted corrupt,
     * lost or reset still get their file (of no flows), as they would have
     * a moment later. */
    if (!wr->sw && wr->fmt && !wr->failing && counts_pending(wr))
        open_file(wr);
    close_file(wr, wall_second());
    return NULL;
}

/* ==== the API ============================================================= */

void ft_capwriter_opts_init(struct ft_capwriter_opts *o)
{
    memset(o, 0, sizeof *o);
    o->nesting = FT_NEST_DEFAULT;
    o->rotations = FT_ROTATIONS_DEFAULT;
    o->wopts.comp = FT_COMP_ZLIB;
    o->wopts.level = 6;
    o->wopts.threads = 1;
}

static void free_writer(struct ft_capwriter *w)
{
    ft_expiry_free(&w->fin.expiry);
    pthread_mutex_destroy(&w->fin.mu);
    pthread_cond_destroy(&w->fin.has_work);
    pthread_cond_destroy(&w->fin.has_room);
    free(w);
}

struct ft_capwriter *ft_capwriter_open(struct ft_flowq *q, const struct ft_capwriter_opts *o,
                                       struct ft_err *err)
{
    struct ft_capwriter *w = calloc(1, sizeof *w);
    if (!w) {
        ft_err_set(err, "capture writer: out of memory");
        return NULL;
    }
    w->o = *o;
    w->q = q;
    struct writer *wr = &w->wr;
    wr->w = w;
    wr->fd = -1;
    wr->fmt = o->format;
    wr->size_noted = (time_t)-1;
    wr->last_open_second = (time_t)-1;
    if (gethostname(wr->hostname, sizeof wr->hostname - 1) < 0)
        snprintf(wr->hostname, sizeof wr->hostname, "localhost");
    struct finisher *f = &w->fin;
    f->w = w;
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->has_work, NULL);
    pthread_cond_init(&f->has_room, NULL);
    scan_workdir(f);
    if (pthread_create(&w->finisher_thread, NULL, finisher_main, f) != 0) {
        free_writer(w);
        ft_err_set(err, "cannot start threads");
        return NULL;
    }
    if (pthread_create(&w->writer_thread, NULL, writer_main, wr) != 0) {
        finisher_stop(f);
        pthread_join(w->finisher_thread, NULL);
        free_writer(w);
        ft_err_set(err, "cannot start threads");
        return NULL;
    }
    return w;
}

void ft_capwriter_rotate(struct ft_capwriter *w)
{
    atomic_fetch_add(&w->rotate_requests, 1);
    ft_flowq_wake(w->q);
}

void ft_capwriter_stop(struct ft_capwriter *w)
{
    atomic_store(&w->stop, 1);
}

void ft_capwriter_stats(const struct ft_capwriter *w, struct ft_capwriter_stats *st)
{
    st->files = atomic_load_explicit(&w->files, memory_order_relaxed);
    st->write_errors = atomic_load_explicit(&w->write_errors, memory_order_relaxed);
    st->write_drops = atomic_load_explicit(&w->write_drops, memory_order_relaxed);
    st->losses = atomic_load_explicit(&w->losses, memory_order_relaxed);
}

void ft_capwriter_close(struct ft_capwriter *w, struct ft_capwriter_stats *st)
{
    pthread_join(w->writer_thread, NULL);
    finisher_stop(&w->fin);
    pthread_join(w->finisher_thread, NULL);
    if (st)
        ft_capwriter_stats(w, st);
    free_writer(w);
}
