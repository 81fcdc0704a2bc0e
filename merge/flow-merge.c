/*
 * flow-merge - interleave the records of several flow files in time order.
 *
 * The arguments become one list of files as for flow-cat (net/ft_files.h):
 * directories walked, headers read, sorted by capture start per argument
 * (or all together with -g).  Every file is then open at once, and at each
 * step the record whose Last is earliest in wall-clock time among the heads
 * of all inputs is written; on equal times the input earlier in the list
 * goes first, as the original's scan over its inputs does.  Records are
 * copied as they are stored (byte-swapped when -b asks for the other
 * order): all inputs must share one record format.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/ft_files.h"
#include "stream/ft_stream.h"
#include "ft_prog.h"

#define BATCH 1024              /* records per read, per input */

static volatile sig_atomic_t stop_requested;

struct options {
    unsigned file_flags;        /* -a */
    int global_sort;            /* -g */
    int debug;
    const char *outfile;        /* -o */
    const char *comment;        /* -C */
    struct ft_write_opts out;
};

/* One input: its reader, its current batch of raw records, the head's time. */
struct input {
    const char *path;
    struct ft_reader *r;
    int order;
    const uint8_t *recs;        /* current batch */
    size_t n, pos;
    uint64_t head_ms;           /* wall-clock ms of the head record's Last */
};

struct merge {
    struct input *in;
    size_t n_in;
    size_t *heap;               /* indexes of inputs that have a head */
    size_t n_heap;
    const struct ft_format *fmt;
    struct ft_writer *w;
    int out_fd;
    int failed;
    /* records chosen but not yet written: a run of one input's batch */
    size_t pend_in, pend_pos, pend_n;
    /* capture times of the inputs' headers, for -o */
    int have_start, have_end;
    uint32_t start, end;
};

static void usage(void)
{
    fprintf(stderr,
        "Usage: flow-merge [-aghm] [-b big|little] [-C comment] [-d level] [-o file]\n"
        "                  [-z level] [file|directory ...]\n");
}

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* HUP, INT, QUIT and TERM end the merge after the current record; the
 * output is then finished normally, as flow-cat does. */
static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static void parse_options(int argc, char **argv, struct options *o)
{
    struct ft_err err;
    int c;
    memset(o, 0, sizeof *o);
    while ((c = getopt(argc, argv, "ab:C:d:gh?mo:z:")) != -1) {
        switch (c) {
        case 'a': o->file_flags |= FT_FILES_TMP; break;
        case 'b': o->out.byte_order = ft_opt_byte_order(optarg); break;
        case 'C': o->comment = optarg; break;
        case 'd': o->debug = atoi(optarg); break;
        case 'g': o->global_sort = 1; break;
        case 'm': break;                /* no mmap: ftkit reads with read(2) anyway */
        case 'o': o->outfile = optarg; break;
        case 'z':
            if (ft_parse_compression(optarg, &o->out, &err) < 0)
                ft_die("%s", err.msg);
            break;
        default: usage(); exit(1);     /* -h too, as the original */
        }
    }
    o->out.rewrite = o->outfile != NULL;
}

/* Every input is open at once: let the process have as many descriptors as
 * it may. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static void build_list(struct ft_file_list *l, int argc, char **argv,
                       const struct options *o, struct merge *m)
{
    struct ft_err err;
    ft_files_init(l);
    if (argc == 0) {
        ft_files_add(l, "-", 0, &err);
        return;
    }
    for (int i = 0; i < argc; i++) {
        if (ft_files_add(l, argv[i], o->file_flags, &err) < 0) {
            ft_warn("%s", err.msg);
            m->failed = 1;
        }
    }
    for (size_t i = 0; i < l->n; i++) {
        struct ft_file *f = &l->files[i];
        if (!(f->has & FT_FILE_ONCE) && ft_file_probe(f, &err) < 0) {
            ft_warn("%s, skipped", err.msg);
            m->failed = 1;
        }
    }
    ft_files_sort(l, o->global_sort);
}

/* -o naming one of the inputs would truncate it before it is read. */
static void refuse_output_as_input(const struct ft_file_list *l, const struct options *o)
{
    struct stat out, in;
    if (!o->outfile || stat(o->outfile, &out) != 0)
        return;
    for (size_t i = 0; i < l->n; i++) {
        const struct ft_file *f = &l->files[i];
        if (!(f->has & FT_FILE_ONCE) && stat(f->path, &in) == 0
            && in.st_dev == out.st_dev && in.st_ino == out.st_ino)
            ft_die("%s: the output file is also an input", o->outfile);
    }
}

static bool same_format(const struct ft_format *a, const struct ft_format *b)
{
    return a->d_version == b->d_version && (a->d_version != 8 || a->agg_method == b->agg_method);
}

static void account_header(struct merge *m, const struct ft_header *h)
{
    if (FT_HAS(h, FT_TLV_CAP_START) && (!m->have_start || h->cap_start < m->start)) {
        m->start = h->cap_start;
        m->have_start = 1;
    }
    if (FT_HAS(h, FT_TLV_CAP_END) && (!m->have_end || h->cap_end > m->end)) {
        m->end = h->cap_end;
        m->have_end = 1;
    }
}

/* Open every readable input; all must hold records of one format. */
static void open_inputs(struct merge *m, const struct ft_file_list *l)
{
    struct ft_err err;
    if (!(m->in = calloc(l->n ? l->n : 1, sizeof *m->in)))
        ft_die("out of memory");
    for (size_t i = 0; i < l->n; i++) {
        const struct ft_file *f = &l->files[i];
        if (f->has & FT_FILE_BAD)
            continue;
        struct input *in = &m->in[m->n_in];
        in->path = f->has & FT_FILE_STDIN ? "stdin" : f->path;
        in->r = f->has & FT_FILE_STDIN ? ft_reader_open(STDIN_FILENO, "stdin", 0, &err)
                                       : ft_reader_open_path(f->path, &err);
        if (!in->r) {
            ft_warn("%s", err.msg);
            m->failed = 1;
            continue;
        }
        const struct ft_format *fmt = ft_reader_format(in->r);
        if (!m->fmt) {
            m->fmt = fmt;
        } else if (!same_format(fmt, m->fmt)) {
            ft_die("%s: data version or sub version changed! (%s after %s)",
                   in->path, fmt->name, m->fmt->name);
        }
        in->order = ft_reader_order(in->r);
        account_header(m, ft_reader_header(in->r));
        m->n_in++;
    }
}

static int open_output(struct merge *m, const struct options *o)
{
    struct ft_header h;
    struct ft_err err;
    const char *name = o->outfile ? o->outfile : "stdout";
    m->out_fd = STDOUT_FILENO;
    if (o->outfile && (m->out_fd = open(o->outfile, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) {
        ft_warn("%s: %s", o->outfile, strerror(errno));
        return -1;
    }
    ft_header_init(&h, m->fmt);
    if (o->outfile) {       /* placeholders, final values written at close */
        ft_header_set_u32(&h, FT_TLV_CAP_START, 0);
        ft_header_set_u32(&h, FT_TLV_CAP_END, 0);
        ft_header_set_u32(&h, FT_TLV_FLOW_COUNT, 0);
    }
    if (o->comment)
        ft_header_set_str(&h, FT_TLV_COMMENTS, o->comment);
    if (!(m->w = ft_writer_open(m->out_fd, name, &h, &o->out, &err))) {
        ft_warn("%s", err.msg);
        return -1;
    }
    return 0;
}

/* ---- the merge ---------------------------------------------------------- */

/* Write the run of records chosen since the last flush. */
static int flush_pending(struct merge *m)
{
    if (!m->pend_n)
        return 0;
    struct input *in = &m->in[m->pend_in];
    const uint8_t *p = in->recs + m->pend_pos * m->fmt->rec_size;
    int rc = ft_writer_write_raw(m->w, p, m->pend_n, in->order);
    m->pend_n = 0;
    if (rc < 0) {
        ft_warn("%s", ft_writer_error(m->w));
        m->failed = 1;
    }
    return rc;
}

/*
 * The head record's time: Last in wall-clock milliseconds computed as the
 * original computes it (stream-format.md section 7: unsigned 64-bit, no
 * correction of an uptime that wrapped, so such a flow sorts 49.7 days
 * late), which decides the order of the output.  Records with absolute
 * times only (the extended record) use those.
 */
static void set_head_time(struct merge *m, struct input *in)
{
    struct ft_flow f;
    ft_rec_decode(m->fmt, in->order, in->recs + in->pos * m->fmt->rec_size, &f);
    if (f.has & FT_F_LAST)
        in->head_ms = (uint64_t)f.unix_secs * 1000u + f.unix_nsecs / 1000000u
                      - f.sysuptime + f.last;
    else
        in->head_ms = ft_flow_end_ms(&f);
}

/* Move input i to its next record, reading a batch when needed.  0 when it
 * has one, 1 at its end (or damage, reported), -1 when output failed. */
static int advance(struct merge *m, size_t i)
{
    struct input *in = &m->in[i];
    if (++in->pos < in->n) {
        set_head_time(m, in);
        return 0;
    }
    if (m->pend_n && m->pend_in == i && flush_pending(m) < 0)
        return -1;
    ssize_t n = ft_reader_raw(in->r, &in->recs, BATCH);
    if (n <= 0) {
        if (n < 0) {
            ft_warn("%s", ft_reader_error(in->r));
            m->failed = 1;
        }
        in->n = in->pos = 0;
        return 1;
    }
    in->n = (size_t)n;
    in->pos = 0;
    set_head_time(m, in);
    return 0;
}

/* Heap order: earlier Last first, then the input earlier in the list. */
static bool before(const struct merge *m, size_t a, size_t b)
{
    uint64_t ta = m->in[a].head_ms, tb = m->in[b].head_ms;
    return ta < tb || (ta == tb && a < b);
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

static void merge_all(struct merge *m)
{
    if (!(m->heap = calloc(m->n_in ? m->n_in : 1, sizeof *m->heap)))
        ft_die("out of memory");
    for (size_t i = 0; i < m->n_in; i++) {
        m->in[i].pos = (size_t)-1;  /* advance() then reads the first batch */
        m->in[i].n = 0;
        int rc = advance(m, i);
        if (rc == 0)
            m->heap[m->n_heap++] = i;
    }
    for (size_t k = m->n_heap / 2; k-- > 0;)
        sift_down(m, k);
    while (m->n_heap && !stop_requested) {
        size_t i = m->heap[0];
        struct input *in = &m->in[i];
        if (m->pend_n && (m->pend_in != i || m->pend_pos + m->pend_n != in->pos))
            if (flush_pending(m) < 0)
                return;
        if (!m->pend_n) {
            m->pend_in = i;
            m->pend_pos = in->pos;
        }
        m->pend_n++;
        int rc = advance(m, i);
        if (rc < 0)
            return;
        if (rc > 0)
            m->heap[0] = m->heap[--m->n_heap];
        sift_down(m, 0);
    }
    flush_pending(m);
}

static void finish_output(struct merge *m, const struct options *o)
{
    struct ft_err err;
    if (o->outfile) {
        struct ft_header *h = ft_writer_header(m->w);
        ft_header_set_u32(h, FT_TLV_CAP_START, m->start);
        ft_header_set_u32(h, FT_TLV_CAP_END, m->end);
        ft_header_set_u32(h, FT_TLV_FLOW_COUNT, (uint32_t)ft_writer_count(m->w));
    }
    uint64_t written = ft_writer_count(m->w);
    if (ft_writer_close(m->w, &err) < 0) {
        ft_warn("%s", err.msg);
        m->failed = 1;
    }
    if (o->outfile && close(m->out_fd) < 0) {
        ft_warn("%s: %s", o->outfile, strerror(errno));
        m->failed = 1;
    }
    if (o->debug > 0)
        ft_warn("%zu streams, %" PRIu64 " records written", m->n_in, written);
}

int main(int argc, char **argv)
{
    struct options o;
    struct ft_file_list l;
    struct merge m;
    ft_progname = "flow-merge";
    parse_options(argc, argv, &o);
    memset(&m, 0, sizeof m);
    catch_signals();
    raise_fd_limit();

    build_list(&l, argc - optind, argv + optind, &o, &m);
    refuse_output_as_input(&l, &o);
    open_inputs(&m, &l);
    if (m.n_in && open_output(&m, &o) == 0) {
        merge_all(&m);
        finish_output(&m, &o);
    } else {
        m.failed = 1;
    }
    for (size_t i = 0; i < m.n_in; i++)
        ft_reader_close(m.in[i].r);
    free(m.in);
    free(m.heap);
    ft_files_free(&l);
    return m.n_in == 0 || m.failed ? 1 : 0;
}
