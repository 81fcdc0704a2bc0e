/*
 * flow-capture - collect NetFlow/IPFIX datagrams into rotating flow files.
 *
 * Four threads, so that receiving never waits on the disk:
 *   receiver  reads datagrams (recvmmsg batches, or a pcap file with -r),
 *             decodes them and fills batches of flows;
 *   writer    takes the batches from a bounded queue (ft_flowq), encodes,
 *             compresses and rotates;
 *   finisher  fsyncs each closed file, renames it from tmp- to ft-, expires
 *             old files and runs -R, while the writer fills the next file
 *             (these two are ftlib's capture writer, ft_capwriter.h);
 *   main      waits for signals (HUP rotates and reloads -T/-F, TERM/INT/QUIT
 *             stop) and reaps the post-rotate programs.
 * A slow disk or a rotation only makes batches pile up in the queue.  When
 * the writer is behind by the whole pool, the receiver pauses so that the
 * socket buffer holds the datagrams too (the kernel counts what it then
 * drops: socket_drops); dropping here would waste that buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "net/ft_addrspec.h"
#include "net/ft_capfile.h"
#include "net/ft_capwriter.h"
#include "ft_collect.h"
#include "core/ft_err.h"
#include "ft_daemon.h"
#include "pdu/ft_exporters.h"
#include "stream/ft_flowq.h"
#include "stream/ft_format.h"
#include "net/ft_pcap.h"
#include "pdu/ft_pdu.h"
#include "ft_prog.h"
#include "lang/ft_tag.h"
#include "lang/ft_filter.h"        /* -F, and struct ft_vars (-v) */
#include "stream/ft_stream.h"
#include "net/ft_udp.h"

#define PROG "flow-capture"
#define DEFAULT_PIDFILE "/var/run/flow-capture.pid"
#define QUEUE_BATCHES_DEFAULT 32
#define BATCH_FLOWS 2048
#define RECV_BATCH 64
#define RECV_PAUSE_US 500        /* see gather_pause */
#define TEMPLATE_SAVE_EVERY_S 10
#define WARNINGS_PER_MINUTE 10
#define BATCH_MAX_AGE_MS 100
#define BATCH_IDLE_MS 10

struct options {
    const char *workdir;
    struct ft_capwriter_opts files;     /* -N -n -e -E -j */
    struct ft_collect_out out;          /* -b -z -V -C -k */
    const char *pidfile;
    int pidfile_given;
    int foreground, keep_umask, debug;
    unsigned stat_minutes;
    const char *post_rotate;
    const char *user;
    const char *pcap_path;
    struct ft_exporters *exporters;     /* -k, or NULL */
    int rcvbuf;
    unsigned queue_batches;
    struct ft_allowlist allow;
    struct ft_privacy_mask mask;
    struct ft_addrspec addr;
    int have_addr;
    /* -t/-T: tag every flow on receipt (files become v1005, or extended) */
    const char *tag_file;
    const char *tag_name;
    /* -f/-F: keep only the flows a filter definition permits */
    const char *filter_file;
    const char *filter_name;
    struct ft_vars vars;                /* -v, for the configuration files */
    struct rules *rules;                /* -T and -F as loaded at start */
};

/*
 * The tag and filter definitions in force.  Read at start and again on
 * SIGHUP, as flow-tools does: the main thread loads a new set and leaves it
 * in capture.next_rules; the receiver takes it between two reads and frees
 * the set it used.  A set that cannot be loaded leaves the old one in force.
 */
struct rules {
    struct ft_tag *tag;
    const struct ft_tag_def *tag_def;
    struct ft_filter *filter;
    struct ft_filter_def *filter_def;
};

/* Counters every thread may read; each is written by one thread only. */
struct counters {
    atomic_uint_fast64_t datagrams, flows, corrupt, refused, truncated;
    atomic_uint_fast64_t lost, resets, misordered;
    atomic_uint_fast64_t queue_drops;
    atomic_uint_fast64_t stalls;            /* receiver waited for a free batch */
    atomic_uint_fast64_t socket_drops;      /* the kernel's count (SO_RXQ_OVFL) */
    atomic_uint_fast64_t filtered;          /* flows the -F definition denied */
};

struct capture {
    struct options opt;
    struct ft_log log;
    int sock;
    struct ft_pcap *pcap;
    struct ft_flowq *q;
    struct ft_capwriter *files;         /* the writer and finisher threads */
    struct ft_capwriter_stats files_done;   /* their counters once they ended */
    atomic_int stop;            /* receiver: finish now */
    atomic_int receiver_done;   /* receiver ended (end of pcap, socket error) */
    _Atomic(struct rules *) next_rules;     /* reloaded, not yet taken */
    int failed;                 /* a thread hit a fatal error */
    struct counters n;
    time_t startup;
    char template_path[PATH_MAX];
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void count(atomic_uint_fast64_t *c, uint64_t v)
{
    atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}

static uint64_t get(atomic_uint_fast64_t *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

/* ==== receiver ============================================================ */

struct header_counts {
    uint64_t datagrams;
    uint32_t corrupt, lost, resets, misordered;
};

struct receiver {
    struct capture *c;
    struct ft_pdu_ctx *pdu;
    struct rules *rules;                /* in force */
    const struct ft_format *out_fmt;    /* fixed by -V or the first datagram */
    struct ft_flow_batch *batch;        /* being filled, or NULL */
    uint64_t batch_taken_ms;            /* when it was taken */
    struct header_counts pending;       /* counts waiting for a batch */
    struct ft_ratelimit warn_corrupt, warn_refused, warn_queue;
    time_t next_stat;
    time_t last_template_save;
    uint64_t template_changes_saved;
};

static void move_counts_into(struct ft_flow_batch *b, struct header_counts *p)
{
    b->datagrams += p->datagrams;
    b->corrupt += p->corrupt;
    b->lost += p->lost;
    b->resets += p->resets;
    b->misordered += p->misordered;
    memset(p, 0, sizeof *p);
}

/*
 * Every batch is full: the writer is behind by the whole pool.  Stop
 * reading for a while: the datagrams then wait in the socket buffer, and
 * the kernel drops (and counts) only when that is full too, instead of our
 * dropping here while the socket buffer sits empty.  A stop request ends
 * the wait (the flows are then dropped and counted).
 */
static struct ft_flow_batch *wait_for_batch(struct receiver *r)
{
    struct capture *c = r->c;
    count(&c->n.stalls, 1);
    if (ft_ratelimit_allow(&r->warn_queue, &c->log, time(NULL)))
        ft_log(&c->log, LOG_WARNING, "writer behind: receiving paused, datagrams wait in "
               "the socket buffer");
    while (!atomic_load(&c->stop)) {
        struct ft_flow_batch *b = ft_flowq_take(c->q, 100);
        if (b)
            return b;
    }
    return NULL;
}

/* Get a batch to fill.  Offline (-r) simply waits for one. */
static int take_batch(struct receiver *r)
{
    if (r->batch)
        return 1;
    r->batch = ft_flowq_take(r->c->q, r->c->pcap ? -1 : 0);
    if (!r->batch && !r->c->pcap)
        r->batch = wait_for_batch(r);
    if (!r->batch)
        return 0;
    r->batch->fmt = r->out_fmt;
    r->batch_taken_ms = now_ms();
    move_counts_into(r->batch, &r->pending);
    return 1;
}

/* Nothing for the writer in it (or no batch). */
static int batch_empty(const struct ft_flow_batch *b)
{
    return !b || (b->n == 0 && b->datagrams == 0 && b->corrupt == 0 && b->lost == 0 &&
                  b->resets == 0 && b->misordered == 0);
}

static void push_batch(struct receiver *r)
{
    struct ft_flow_batch *b = r->batch;
    if (batch_empty(b))
        return;
    b->fmt = r->out_fmt;
    ft_flowq_push(r->c->q, b);
    r->batch = NULL;
}

/* Header counters ride in the batch being filled, or wait in pending for
 * the next batch (so none is lost when the queue is full). */
static void add_counts(struct receiver *r, const struct header_counts *d)
{
    struct header_counts *p = &r->pending;
    p->datagrams += d->datagrams;
    p->corrupt += d->corrupt;
    p->lost += d->lost;
    p->resets += d->resets;
    p->misordered += d->misordered;
    if (r->batch)
        move_counts_into(r->batch, p);
}

static void count_corrupt(struct receiver *r)
{
    struct header_counts d = {.corrupt = 1};
    add_counts(r, &d);
    count(&r->c->n.corrupt, 1);
}

static void drop_for_queue(struct receiver *r, size_t n)
{
    struct capture *c = r->c;
    struct header_counts d = {.lost = (uint32_t)n};
    add_counts(r, &d);
    count(&c->n.queue_drops, n);
    ft_log(&c->log, LOG_WARNING, "stopping with the queue full: dropped %zu flows", n);
}

/* Tag, filter and mask the k flows just put at the end of the batch; they
 * count once what the filter kept. */
static void keep_flows(struct receiver *r, struct ft_flow_batch *b, size_t k)
{
    if (r->rules->tag_def)          /* before the mask: tags see real addresses */
        ft_tag_apply(r->rules->tag_def, b->flows + b->n, k);
    if (r->rules->filter_def) {     /* after tagging, as flow-tools: filters see tags */
        size_t kept = ft_filter_compact(r->rules->filter_def, b->flows + b->n, k);
        count(&r->c->n.filtered, k - kept);
        k = kept;
    }
    ft_privacy_mask_apply(&r->c->opt.mask, b->flows + b->n, k);
    b->n += k;
}

/* Flows the decoder wrote straight into the batch stay there; others are
 * copied in, into as many batches as they need. */
static void add_flows(struct receiver *r, const struct ft_flow *flows, size_t n)
{
    if (n > 0 && r->batch && flows == r->batch->flows + r->batch->n) {
        keep_flows(r, r->batch, n);
        return;
    }
    while (n > 0) {
        if (!take_batch(r)) {
            drop_for_queue(r, n);
            return;
        }
        struct ft_flow_batch *b = r->batch;
        size_t room = b->cap - b->n;
        if (room == 0) {
            push_batch(r);
            continue;
        }
        size_t k = n < room ? n : room;
        memcpy(b->flows + b->n, flows, k * sizeof *flows);
        flows += k;
        n -= k;
        keep_flows(r, b, k);
    }
}

/* While datagrams keep coming, a batch goes to the writer when it is full
 * or getting old: handing over one per read cost a wake-up of the writer
 * each time.  When the exporters pause it goes at once (receive_socket). */
static void push_if_old(struct receiver *r, uint64_t now)
{
    if (r->batch && now - r->batch_taken_ms >= BATCH_MAX_AGE_MS)
        push_batch(r);
}

static void refuse(struct receiver *r, const struct ft_pdu_src *src)
{
    char a[FT_IP_STRLEN];
    count(&r->c->n.refused, 1);
    count_corrupt(r);
    if (ft_ratelimit_allow(&r->warn_refused, &r->c->log, time(NULL)))
        ft_log(&r->c->log, LOG_WARNING, "Unexpected PDU: src_ip=%s not configured",
               ft_ip_str(&src->addr, a, sizeof a));
}

/* Files of tagged flows: v1005 as flow-tools writes them, or the extended
 * format for v9/IPFIX flows, which v1005 could not hold. */
static const struct ft_format *tagged_format(const struct ft_format *in)
{
    return in->d_version == FT_DV_EXTENDED ? in : ft_format_find(1005, 0);
}

static void handle_datagram(struct receiver *r, const struct ft_pdu_src *src,
                            const uint8_t *data, size_t len)
{
    struct capture *c = r->c;
    if (!ft_collect_accepts(&c->opt.addr, &c->opt.allow, &src->addr)) {
        refuse(r, src);
        return;
    }
    struct ft_pdu_info info;
    struct ft_err err;
    struct ft_flow_batch *b = r->batch;     /* decoded into it when there is room */
    int n = b ? ft_pdu_decode_into(r->pdu, src, data, len, b->flows + b->n, b->cap - b->n,
                                   &info, &err)
              : ft_pdu_decode(r->pdu, src, data, len, &info, &err);
    if (n < 0) {
        count_corrupt(r);
        if (ft_ratelimit_allow(&r->warn_corrupt, &c->log, time(NULL)))
            ft_log(&c->log, LOG_WARNING, "dropped datagram (%s): %s",
                   ft_pdu_reason_name(info.reason), err.msg);
        return;
    }
    if (info.new_exporter)
        ft_collect_log_new_exporter(&c->log, src, info.version);
    const struct ft_format *in = ft_pdu_format(&info);
    if (!in) {
        count_corrupt(r);
        return;
    }
    if (!r->out_fmt)
        r->out_fmt = c->opt.out.format ? c->opt.out.format
                   : c->opt.tag_name ? tagged_format(in) : in;
    if (!ft_collect_translatable(r->out_fmt, in)) {
        count_corrupt(r);
        if (ft_ratelimit_allow(&r->warn_corrupt, &c->log, time(NULL)))
            ft_log(&c->log, LOG_WARNING, "no v8 translation: %s datagram into a %s file",
                   in->name, r->out_fmt->name);
        return;
    }
    struct header_counts d = {.datagrams = 1, .lost = info.lost, .resets = info.resets,
                              .misordered = info.misordered};
    add_counts(r, &d);
    count(&c->n.datagrams, 1);
    count(&c->n.flows, (uint64_t)n);
    count(&c->n.lost, info.lost);
    count(&c->n.resets, info.resets);
    count(&c->n.misordered, info.misordered);
    add_flows(r, info.flows, (size_t)n);
}

/* ---- receiver: statistics and templates --------------------------------- */

/* One line with everything the collector counted, and the drop reasons. */
static void log_summary(struct capture *c, struct ft_pdu_ctx *pdu, const char *when)
{
    struct ft_pdu_stats st;
    struct ft_capwriter_stats fs = c->files_done;
    char reasons[1024];
    ft_pdu_stats(pdu, &st);
    if (c->files)
        ft_capwriter_stats(c->files, &fs);
    ft_collect_reasons(pdu, reasons, sizeof reasons);
    ft_collect_log_settings(&c->log, c->opt.exporters, when);
    ft_log(&c->log, LOG_INFO,
           "STAT%s: datagrams=%llu flows=%llu corrupt=%llu refused=%llu truncated=%llu "
           "lost=%llu reset=%llu misordered=%llu socket_drops=%llu stalls=%llu queue_drops=%llu "
           "write_drops=%llu write_errors=%llu files=%llu conversion_losses=%llu templates=%llu "
           "queue_max=%u filtered=%llu%s%s",
           when, (unsigned long long)get(&c->n.datagrams),
           (unsigned long long)get(&c->n.flows), (unsigned long long)get(&c->n.corrupt),
           (unsigned long long)get(&c->n.refused), (unsigned long long)get(&c->n.truncated),
           (unsigned long long)get(&c->n.lost), (unsigned long long)get(&c->n.resets),
           (unsigned long long)get(&c->n.misordered),
           (unsigned long long)get(&c->n.socket_drops), (unsigned long long)get(&c->n.stalls),
           (unsigned long long)get(&c->n.queue_drops),
           (unsigned long long)fs.write_drops, (unsigned long long)fs.write_errors,
           (unsigned long long)fs.files, (unsigned long long)fs.losses,
           (unsigned long long)st.templates_active,
           ft_flowq_high_water(c->q), (unsigned long long)get(&c->n.filtered),
           reasons[0] ? " drops:" : "", reasons);
}

static uint64_t template_changes(struct ft_pdu_ctx *pdu)
{
    struct ft_pdu_stats st;
    ft_pdu_stats(pdu, &st);
    return st.templates_learned + st.templates_withdrawn + st.templates_expired;
}

/* Templates survive restarts: save them when they changed, at most every
 * few seconds (a small file; the writer thread never waits for it). */
static void save_templates(struct receiver *r, time_t now, int force)
{
    struct capture *c = r->c;
    uint64_t changes = template_changes(r->pdu);
    if (changes == r->template_changes_saved)
        return;
    if (!force && now - r->last_template_save < TEMPLATE_SAVE_EVERY_S)
        return;
    struct ft_err err;
    if (ft_pdu_templates_save(r->pdu, c->template_path, &err) < 0)
        ft_log(&c->log, LOG_WARNING, "saving templates: %s", err.msg);
    r->template_changes_saved = changes;
    r->last_template_save = now;
}

static void receiver_periodic(struct receiver *r)
{
    struct capture *c = r->c;
    time_t now = time(NULL);
    if (c->opt.stat_minutes && now >= r->next_stat) {
        ft_collect_log_exporters(&c->log, r->pdu, now, c->startup, "", 256);
        log_summary(c, r->pdu, "");
        r->next_stat = ft_collect_next_stat(now, c->opt.stat_minutes);
    }
    save_templates(r, now, 0);
}

/* ---- receiver: sources -------------------------------------------------- */

static void free_rules(struct rules *ru)
{
    if (!ru)
        return;
    ft_tag_free(ru->tag);
    ft_filter_free(ru->filter);
    free(ru);
}

/* A set reloaded on SIGHUP replaces the one in force.  Looked at once a
 * read: a plain load, the exchange only when there is one. */
static void take_new_rules(struct receiver *r)
{
    if (!atomic_load_explicit(&r->c->next_rules, memory_order_relaxed))
        return;
    free_rules(r->rules);
    r->rules = atomic_exchange(&r->c->next_rules, NULL);
}

/* Datagrams read from the socket (0 when it was empty or failed). */
static int receive_round(struct receiver *r, struct ft_udp_batch *ub)
{
    struct capture *c = r->c;
    struct ft_err err;
    int n = ft_udp_recv(c->sock, ub, &err);
    if (n < 0) {
        ft_log(&c->log, LOG_ERR, "%s", err.msg);
        return 0;
    }
    uint64_t ms = now_ms();
    for (int i = 0; i < n; i++) {
        const struct ft_udp_dgram *d = ft_udp_batch_get(ub, (unsigned)i);
        if (d->truncated) {
            count(&c->n.truncated, 1);
            count_corrupt(r);
            continue;
        }
        struct ft_pdu_src src = {.addr = d->src, .port = d->sport, .local = d->dst,
                                 .recv_ms = ms};
        handle_datagram(r, &src, d->data, d->len);
    }
    if (n > 0)
        atomic_store(&c->n.socket_drops, ft_udp_kernel_drops(ub));
    push_if_old(r, ms);
    return n;
}

/* A short pause while exporters are sending, so that datagrams gather in
 * the socket buffer and are read many at a time: waking for each one cost
 * more CPU than decoding and storing its flows.  RECV_PAUSE_US of datagrams
 * at 3 million flows/s fit many times in a default socket buffer. */
static void gather_pause(void)
{
    struct timespec pause = {0, RECV_PAUSE_US * 1000L};
    nanosleep(&pause, NULL);
}

static void receive_socket(struct receiver *r)
{
    struct capture *c = r->c;
    struct ft_udp_batch *ub = ft_udp_batch_new(RECV_BATCH);
    if (!ub) {
        ft_log(&c->log, LOG_ERR, "out of memory for the receive buffers");
        c->failed = 1;
        return;
    }
    while (!atomic_load(&c->stop)) {
        take_new_rules(r);
        int got = receive_round(r, ub);
        receiver_periodic(r);
        if (got == RECV_BATCH)
            continue;                   /* more are waiting */
        if (got > 0) {
            gather_pause();
            continue;
        }
        /* The socket is empty.  Exporters send in bursts: the batch waits
         * for the next one, and goes to the writer when they paused for
         * BATCH_IDLE_MS (handing it over at every empty read woke the
         * writer once per burst). */
        int rc = ft_udp_wait(c->sock, batch_empty(r->batch) ? 250 : BATCH_IDLE_MS);
        if (rc < 0)
            ft_log(&c->log, LOG_ERR, "poll: %s", strerror(errno));
        else if (rc == 0)
            push_batch(r);
    }
    ft_udp_batch_free(ub);
}

static void receive_pcap(struct receiver *r)
{
    struct capture *c = r->c;
    struct ft_pcap_dgram d;
    struct ft_err err;
    int rc = 0;
    while (!atomic_load(&c->stop) && (rc = ft_pcap_next(c->pcap, &d, &err)) > 0) {
        take_new_rules(r);
        struct ft_pdu_src src = {.addr = d.src, .port = d.sport, .local = d.dst,
                                 .recv_ms = d.ts_ms};
        handle_datagram(r, &src, d.data, d.len);
        if (r->batch && r->batch->n == r->batch->cap)
            push_batch(r);
    }
    if (!atomic_load(&c->stop) && rc < 0) {
        ft_log(&c->log, LOG_ERR, "%s", err.msg);
        c->failed = 1;
    }
    push_batch(r);
}

static void *receiver_main(void *arg)
{
    struct receiver *r = arg;
    struct capture *c = r->c;
    r->next_stat = time(NULL);
    r->warn_corrupt.per_minute = r->warn_refused.per_minute = WARNINGS_PER_MINUTE;
    r->warn_queue.per_minute = WARNINGS_PER_MINUTE;
    if (c->pcap)
        receive_pcap(r);
    else
        receive_socket(r);
    push_batch(r);
    if (r->pending.datagrams || r->pending.corrupt || r->pending.lost || r->pending.resets) {
        /* counts that found no batch: one last try, waiting is fine now */
        r->batch = ft_flowq_take(c->q, -1);
        if (r->batch) {
            r->batch->fmt = r->out_fmt;
            move_counts_into(r->batch, &r->pending);
            push_batch(r);
        }
    }
    save_templates(r, time(NULL), 1);
    ft_flowq_close(c->q);
    atomic_store(&c->receiver_done, 1);
    return NULL;
}

/* ==== files: ft_capwriter ================================================= */

/* -R: run the program with the final name, not through a shell. */
static void run_post_rotate(void *arg, const char *path)
{
    struct capture *c = arg;
    pid_t pid = fork();
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execl(c->opt.post_rotate, c->opt.post_rotate, path, (char *)NULL);
        _exit(127);
    }
    if (pid < 0)
        ft_log(&c->log, LOG_ERR, "fork for %s: %s", c->opt.post_rotate, strerror(errno));
}

static struct ft_capwriter *start_writer(struct capture *c)
{
    struct ft_capwriter_opts o = c->opt.files;
    struct ft_err err;
    o.wopts = c->opt.out.wopts;
    o.format = c->opt.out.format;
    o.comment = c->opt.out.comment;
    o.expiry_dry_run = c->opt.debug > 0;
    o.log = ft_log_message;
    o.log_arg = &c->log;
    if (c->opt.post_rotate) {
        o.on_file = run_post_rotate;
        o.file_arg = c;
    }
    struct ft_capwriter *w = ft_capwriter_open(c->q, &o, &err);
    if (!w)
        ft_log(&c->log, LOG_ERR, "%s", err.msg);
    return w;
}

/* ==== options ============================================================= */

static void usage(void)
{
    fprintf(stderr,
            "Usage: " PROG " [-hDu] [-a exporters] [-b big|little] [-B rcvbuf] [-C comment]\n"
            "       [-d level] [-e files] [-E size[bKMG]] [-m privacy_mask] [-n rotations]\n"
            "       [-N nesting] [-p pidfile] [-Q batches] [-r file.pcap] [-R program]\n"
            "       [-S minutes] [-t tag_file] [-T definition] [-U user] [-v var=value]\n"
            "       [-V version] [-z level|zstd[:N]] [-j threads] [-f filter_file]\n"
            "       [-F filter_definition]\n"
            "       [-k exporters_file]\n"
            "       -w workdir localip/remoteip/port\n");
}

static void init_options(struct options *o)
{
    memset(o, 0, sizeof *o);
    ft_capwriter_opts_init(&o->files);
    o->out.wopts = o->files.wopts;          /* zlib level 6 */
    /* compress on every core, off the receive path (ft_write_opts.threads) */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    o->out.wopts.threads = cpus > 1 ? (int)(cpus < 64 ? cpus : 64) : 1;
    o->out.quote_bad_version = 1;
    o->pidfile = DEFAULT_PIDFILE;
    o->rcvbuf = FT_UDP_RCVBUF_DEFAULT;
    o->queue_batches = QUEUE_BATCHES_DEFAULT;
}

static void unsupported(int ch)
{
    ft_die("-%c is not supported yet: translate the files afterwards (flow-xlate)", ch);
}

static void parse_option(struct options *o, int ch, const char *arg)
{
    struct ft_err err;
    long nesting;
    if (ft_collect_out_option(&o->out, ch, arg))
        return;
    switch (ch) {
    case 'a':
        ft_check(ft_allowlist_add(&o->allow, arg, &err), &err);
        break;
    case 'B':
        o->rcvbuf = ft_opt_rcvbuf(arg);
        break;
    case 'c':
        ft_die("-c (TCP client streams) is not supported yet");
    case 'd': o->debug = (int)ft_opt_long(arg, 0, INT_MAX, "debug level"); break;
    case 'D': o->foreground = 1; break;
    case 'e':
        o->files.max_files = ft_opt_size(arg, "file count");
        break;
    case 'E':
        o->files.max_bytes = ft_opt_size(arg, "size");
        break;
    case 't': o->tag_file = arg; break;
    case 'T': o->tag_name = arg; break;
    case 'v':
        ft_check(ft_vars_set(&o->vars, arg, &err), &err);
        break;
    case 'f': o->filter_file = arg; break;
    case 'F': o->filter_name = arg; break;
    case 'x':
        break;                  /* config file: used by -X only */
    case 'X':
        unsupported(ch);
        break;
    case 'm':
        ft_check(ft_privacy_mask_add(&o->mask, arg, &err), &err);
        break;
    case 'n':
        o->files.rotations = (unsigned)ft_opt_long(arg, 0, LONG_MAX, "rotation count");
        if (o->files.rotations > FT_ROTATIONS_MAX)
            ft_die("rotations limited to every 1 minute");
        break;
    case 'N':
        nesting = ft_opt_long(arg, LONG_MIN, LONG_MAX, "nesting level");
        if (nesting < -3 || nesting > 3)
            ft_die("-3 <= nesting level <= 3");
        o->files.nesting = (int)nesting;
        break;
    case 'p':
        o->pidfile = arg;
        o->pidfile_given = 1;
        break;
    case 'Q':
        o->queue_batches = (unsigned)ft_opt_long(arg, 2, 65536, "queue batch count");
        break;
    case 'r': o->pcap_path = arg; break;
    case 'R': o->post_rotate = arg; break;
    case 'S': o->stat_minutes = (unsigned)ft_opt_long(arg, 0, 60, "stat interval"); break;
    case 'u': o->keep_umask = 1; break;
    case 'U': o->user = arg; break;
    case 'w': o->workdir = arg; break;
    case 'j': o->out.wopts.threads = (int)ft_opt_long(arg, 1, 64, "compression threads"); break;
    case 'h':
        usage();
        exit(0);
    default:
        usage();
        exit(1);
    }
}

/* -F: the definition, from -f or the default filter file. */
static struct ft_filter_def *filter_def_load(const struct options *o, struct ft_filter **filter,
                                             struct ft_err *err)
{
    const char *path = o->filter_file ? o->filter_file : FT_SYSCONFDIR "/cfg/filter.cfg";
    struct ft_filter_opts fopts = {.vars = &o->vars, .symdir = ft_prog_symdir()};
    if (!(*filter = ft_filter_load(path, &fopts, err)))
        return NULL;
    struct ft_filter_def *d = ft_filter_find(*filter, o->filter_name);
    if (!d) {
        ft_err_set(err, "%s: no filter-definition \"%s\" (ftfil_def_find(): failed)", path,
                   o->filter_name);
        ft_filter_free(*filter);
        *filter = NULL;
    }
    return d;
}

/* -T (from -t or the default tag file) and -F; NULL with a message if
 * either cannot be had. */
static struct rules *load_rules(const struct options *o, struct ft_err *err)
{
    struct rules *ru = calloc(1, sizeof *ru);
    if (!ru) {
        ft_err_set(err, "out of memory");
        return NULL;
    }
    if ((o->tag_name &&
         !(ru->tag_def = ft_tag_def_load(o->tag_file, o->tag_name, &o->vars, &ru->tag, err))) ||
        (o->filter_name && !(ru->filter_def = filter_def_load(o, &ru->filter, err)))) {
        free_rules(ru);
        return NULL;
    }
    return ru;
}

/* The configuration files by absolute names: the reload on SIGHUP comes
 * after the move into the working directory. */
static const char *absolute(const char *path)
{
    char *abs = path ? realpath(path, NULL) : NULL;
    return abs ? abs : path;
}

/* SIGHUP: the definitions read again, the old ones kept if that fails. */
static void reload_rules(struct capture *c)
{
    struct options *o = &c->opt;
    struct ft_err err;
    if (!o->tag_name && !o->filter_name)
        return;
    if (o->tag_name)
        ft_log(&c->log, LOG_INFO, "Reloading tags.");
    if (o->filter_name)
        ft_log(&c->log, LOG_INFO, "Reloading filters.");
    struct rules *ru = load_rules(o, &err);
    if (!ru) {
        ft_log(&c->log, LOG_ERR, "reload failed, the previous definitions stay: %s", err.msg);
        return;
    }
    free_rules(atomic_exchange(&c->next_rules, ru));
}

static void parse_args(struct options *o, int argc, char **argv)
{
    int ch;
    init_options(o);
    while ((ch = getopt(argc, argv, "a:b:B:c:C:d:De:E:f:F:hj:k:m:n:N:p:Q:r:R:S:t:T:uU:v:V:w:x:X:z:")) != -1)
        parse_option(o, ch, optarg);
    if (!o->workdir)
        ft_die("Specify workdir with -w.");
    if (optind < argc) {
        ft_opt_listen_addr(argv[optind], &o->addr);
        o->have_addr = 1;
        optind++;
    } else if (!o->pcap_path) {
        ft_die("Specify localip/remoteip/port.");
    } else {
        ft_addrspec_parse("0/0/0", 1, &o->addr, NULL);
    }
    if (optind < argc)
        ft_die("Extra arguments starting with %s.", argv[optind]);
    struct ft_err err;
    if (!(o->rules = load_rules(o, &err)))
        ft_die("%s", err.msg);
    if (o->tag_name && o->out.format && o->out.format->d_version != 1005 &&
        o->out.format->d_version != FT_DV_EXTENDED)
        ft_die("Must be v1005 with tagging.");
    o->exporters = ft_collect_load_exporters(o->out.exporters_path);   /* before chdir */
    o->tag_file = absolute(o->tag_file);
    o->filter_file = absolute(o->filter_file);
}

/* ==== main ================================================================ */

static void load_templates(struct capture *c, struct ft_pdu_ctx *pdu)
{
    struct ft_err err;
    if (access(c->template_path, F_OK) != 0)
        return;
    if (ft_pdu_templates_load(pdu, c->template_path, &err) < 0)
        ft_log(&c->log, LOG_WARNING, "loading templates: %s", err.msg);
    else
        ft_log(&c->log, LOG_INFO, "loaded templates from %s", c->template_path);
}

static void open_input(struct capture *c)
{
    struct ft_err err;
    if (c->opt.pcap_path) {
        c->pcap = ft_pcap_open(c->opt.pcap_path, &err);
        if (!c->pcap)
            ft_die("%s", err.msg);
        if (c->opt.have_addr)
            ft_pcap_set_port(c->pcap, c->opt.addr.port);
        return;
    }
    int got = 0;
    c->sock = ft_udp_listen(&c->opt.addr, c->opt.rcvbuf, &got, &err);
    if (c->sock < 0) {
        ft_log(&c->log, LOG_ERR, "%s", err.msg);
        exit(1);
    }
    ft_log(&c->log, LOG_INFO, "listening on port %u, receive buffer %d bytes",
           c->opt.addr.port, got);
}

static char pidfile_path[PATH_MAX];

static void write_pidfile(struct capture *c)
{
    struct ft_err err;
    const char *p = c->opt.pidfile;
    if (c->opt.pcap_path || !p || !*p || strcmp(p, "-") == 0 ||
        (c->opt.foreground && !c->opt.pidfile_given))
        return;
    snprintf(pidfile_path, sizeof pidfile_path, "%s.%u", p, c->opt.addr.port);
    if (ft_pidfile_write(pidfile_path, &err) < 0) {
        ft_log(&c->log, LOG_ERR, "pid file: %s", err.msg);
        pidfile_path[0] = '\0';
    }
}

static void remove_pidfile(void)
{
    if (pidfile_path[0])
        unlink(pidfile_path);
}

static void reap_children(struct capture *c)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (WIFEXITED(status) && WEXITSTATUS(status))
            ft_log(&c->log, LOG_WARNING, "%s (pid %ld) exited with status %d",
                   c->opt.post_rotate, (long)pid, WEXITSTATUS(status));
        else if (WIFSIGNALED(status))
            ft_log(&c->log, LOG_WARNING, "%s (pid %ld) killed by signal %d",
                   c->opt.post_rotate, (long)pid, WTERMSIG(status));
    }
}

/* The main thread only waits for signals; the others never see them. */
static void wait_for_signals(struct capture *c, const sigset_t *set)
{
    struct timespec tick = {0, 200000000L};
    while (!atomic_load(&c->receiver_done)) {
        int sig = sigtimedwait(set, NULL, &tick);
        if (sig == SIGHUP) {
            ft_log(&c->log, LOG_INFO, "SIGHUP");
            reload_rules(c);
            ft_capwriter_rotate(c->files);
        } else if (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) {
            ft_log(&c->log, LOG_INFO, "%s", sig == SIGTERM ? "SIGTERM"
                                            : sig == SIGINT ? "SIGINT" : "SIGQUIT");
            break;
        } else if (sig == SIGCHLD) {
            reap_children(c);
        }
    }
    atomic_store(&c->stop, 1);
    ft_capwriter_stop(c->files);
}

static void block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGQUIT);
    sigaddset(set, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);   /* a file size limit is a write error, not death */
}

static struct ft_pdu_ctx *new_decoder(struct capture *c)
{
    struct ft_pdu_opts po = {0};
    po.pending_sets = 128;      /* hold data sets briefly for a late template */
    po.exporters = c->opt.exporters;
    struct ft_pdu_ctx *pdu = ft_pdu_ctx_new(&po);
    if (!pdu) {
        ft_log(&c->log, LOG_ERR, "out of memory");
        exit(1);
    }
    load_templates(c, pdu);
    return pdu;
}

static void start_daemon(struct capture *c, int *ready_fd)
{
    struct ft_err err;
    *ready_fd = -1;
    if (c->opt.foreground || c->opt.pcap_path)
        return;
    ft_check(ft_daemon_detach(c->opt.keep_umask, ready_fd, &err), &err);
    ft_log_to_syslog(&c->log);
}

static void drop_root(struct capture *c)
{
    struct ft_err err;
    if (c->opt.user && ft_drop_privileges(c->opt.user, &err) < 0) {
        ft_log(&c->log, LOG_ERR, "%s", err.msg);
        remove_pidfile();
        exit(1);
    }
}

static int run(struct capture *c, const sigset_t *set)
{
    static struct receiver r;
    pthread_t rt;

    r.c = c;
    r.pdu = new_decoder(c);
    r.rules = c->opt.rules;
    c->q = ft_flowq_new(c->opt.queue_batches, BATCH_FLOWS);
    if (!c->q) {
        ft_log(&c->log, LOG_ERR, "out of memory for the flow queue");
        return 1;
    }
    if (!(c->files = start_writer(c)))
        return 1;
    if (pthread_create(&rt, NULL, receiver_main, &r) != 0) {
        ft_log(&c->log, LOG_ERR, "cannot start threads");
        return 1;
    }
    wait_for_signals(c, set);
    pthread_join(rt, NULL);
    ft_capwriter_close(c->files, &c->files_done);
    c->files = NULL;
    reap_children(c);
    if (c->opt.stat_minutes)
        ft_collect_log_exporters(&c->log, r.pdu, time(NULL), c->startup, "", 256);
    log_summary(c, r.pdu, " (exit)");
    ft_pdu_ctx_free(r.pdu);
    free_rules(r.rules);
    free_rules(atomic_exchange(&c->next_rules, NULL));
    ft_exporters_free(c->opt.exporters);
    ft_flowq_free(c->q);
    return c->failed ? 1 : 0;
}

int main(int argc, char **argv)
{
    static struct capture c;
    int ready_fd;

    ft_progname = PROG;
    ft_log_init(&c.log, PROG);
    parse_args(&c.opt, argc, argv);
    c.log.debug = c.opt.debug > 0;
    c.startup = time(NULL);
    c.sock = -1;
    start_daemon(&c, &ready_fd);
    if (chdir(c.opt.workdir) < 0) {
        ft_log(&c.log, LOG_ERR, "chdir %s: %s", c.opt.workdir, strerror(errno));
        exit(1);
    }
    snprintf(c.template_path, sizeof c.template_path, ".ftkit-templates.%u", c.opt.addr.port);
    open_input(&c);
    write_pidfile(&c);
    drop_root(&c);
    /* blocked before the parent returns: a SIGTERM right after start must
     * still stop the daemon cleanly (pid file removed), not kill it */
    sigset_t set;
    block_signals(&set);
    ft_daemon_ready(&ready_fd);
    int status = run(&c, &set);
    remove_pidfile();
    return status;
}
