/*
 * receiver.c - flow-capture's receiver thread: datagrams from the
 * socket (recvmmsg batches) or a pcap file (-r), accepted, decoded straight
 * into the batch being filled, tagged (-T), filtered (-F) and masked (-m),
 * and handed to the capture writer through the queue.  It also writes the
 * STAT lines and saves the v9/IPFIX templates.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "flow-capture.h"
#include "net/ft_udp.h"
#include "pdu/ft_exporters.h"

#define RECV_BATCH 64
#define RECV_PAUSE_US 500        /* see gather_pause */
#define TEMPLATE_SAVE_EVERY_S 10
#define WARNINGS_PER_MINUTE 10
#define BATCH_MAX_AGE_MS 100
#define BATCH_IDLE_MS 10
#define DRAIN_MS 2000            /* see drain_socket */

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
    while (!atomic_load(&c->stop) || now_ms() < r->drain_until_ms) {
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
void capture_log_summary(struct capture *c, struct ft_pdu_ctx *pdu, const char *when)
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
        capture_log_summary(c, r->pdu, "");
        r->next_stat = ft_collect_next_stat(now, c->opt.stat_minutes);
    }
    save_templates(r, now, 0);
}

/* ---- receiver: sources -------------------------------------------------- */

/* A set reloaded on SIGHUP replaces the one in force.  Looked at once a
 * read: a plain load, the exchange only when there is one. */
static void take_new_rules(struct receiver *r)
{
    if (!atomic_load_explicit(&r->c->next_rules, memory_order_relaxed))
        return;
    capture_free_rules(r->rules);
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

/* Datagrams the kernel accepted before the stop are flows an exporter
 * counts as delivered: read them too (until the socket is empty, within
 * DRAIN_MS), so that a stop or restart loses nothing already received. */
static void drain_socket(struct receiver *r, struct ft_udp_batch *ub)
{
    r->drain_until_ms = now_ms() + DRAIN_MS;
    int n;
    while ((n = receive_round(r, ub)) > 0 && now_ms() < r->drain_until_ms)
        ;
    if (n > 0)
        ft_log(&r->c->log, LOG_WARNING, "stopping: datagrams still arriving after %d ms "
               "of reading the socket; the rest are left", DRAIN_MS);
    /* the kernel tells drops with the next datagram: ask the socket for those
     * of the last burst, which no datagram followed */
    atomic_store(&r->c->n.socket_drops, ft_udp_socket_drops(r->c->sock, ub));
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
    drain_socket(r, ub);
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

void *capture_receiver_main(void *arg)
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
