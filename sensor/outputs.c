/*
 * outputs.c - where flow-sensor's flows go: a flow stream on stdout, rotated
 * capture files (ftlib's capture writer, the code flow-capture uses), and
 * NetFlow v5/v9/IPFIX datagrams to collectors (ftlib's encoders).
 *
 * A format or a version that cannot hold IPv6 (every stream format but the
 * extended one, v5 datagrams) drops those flows and counts them, never
 * silently.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "flow-sensor.h"
#include "ft_prog.h"
#include "net/ft_udp.h"
#include "stream/ft_flowq.h"

#define QUEUE_BATCHES 16

static int is_v6(const struct ft_flow *f)
{
    return f->srcaddr.af == FT_AF_INET6 || f->dstaddr.af == FT_AF_INET6;
}

static void open_stdout(struct outputs *o)
{
    struct ft_header h;
    struct ft_err err;
    struct ft_write_opts wo = {0};
    wo.comp = FT_COMP_ZLIB;
    wo.level = 6;
    /* deflate on the other cores, off the packet path (as flow-capture) */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    wo.threads = cpus > 1 ? (int)(cpus < 8 ? cpus : 8) : 1;
    ft_header_init(&h, o->fmt);
    ft_header_set_str(&h, FT_TLV_CAP_HOSTNAME, "flow-sensor");
    o->w = ft_writer_open(STDOUT_FILENO, "stdout", &h, &wo, &err);
    if (!o->w)
        ft_die("%s", err.msg);
    o->batch = calloc(SENSOR_BATCH, sizeof *o->batch);
    if (!o->batch)
        ft_die("out of memory");
}

static void open_files(struct outputs *o)
{
    struct ft_err err;
    struct ft_capwriter_opts co = o->files;
    co.format = o->fmt;
    co.log = ft_log_message;
    co.log_arg = (void *)o->log;
    o->q = ft_flowq_new(QUEUE_BATCHES, SENSOR_BATCH);
    if (!o->q)
        ft_die("out of memory for the flow queue");
    o->cw = ft_capwriter_open(o->q, &co, &err);
    if (!o->cw)
        ft_die("%s", err.msg);
}

static void open_collectors(struct outputs *o)
{
    struct ft_err err;
    for (unsigned i = 0; i < o->n_coll; i++) {
        struct collector *c = &o->coll[i];
        struct ft_pdu_enc_opts eo = {0};
        eo.version = o->export_version;
        eo.template_timeout = o->template_timeout;
        c->fd = ft_udp_connect(&c->addr, &err);
        if (c->fd < 0)
            ft_die("%s: %s", c->arg, err.msg);
        c->enc = ft_pdu_enc_new(&eo, &err);
        if (!c->enc)
            ft_die("%s", err.msg);
    }
}

void outputs_open(struct outputs *o)
{
    o->v6_ok = o->fmt->d_version == FT_DV_EXTENDED;
    if (o->workdir)
        open_files(o);
    if (o->n_coll)
        open_collectors(o);
    if (!o->workdir && !o->n_coll)
        open_stdout(o);
}

static void flush_stdout(struct outputs *o)
{
    if (o->n && ft_writer_write(o->w, o->batch, o->n) < 0 && !o->failed) {
        ft_log(o->log, LOG_ERR, "%s", ft_writer_error(o->w));
        o->failed = 1;
    }
    o->n = 0;
}

static void push_batch(struct outputs *o)
{
    if (o->b && o->b->n) {
        ft_flowq_push(o->q, o->b);
        o->b = NULL;
    }
}

static void send_dgram(struct outputs *o, struct collector *c, const struct ft_pdu_dgram *d)
{
    /* a collector that is not there (ICMP refused) costs this datagram only */
    if (send(c->fd, d->data, d->len, 0) < 0) {
        if (errno != ECONNREFUSED && o->send_errors == 0)
            ft_log(o->log, LOG_WARNING, "send to %s: %s", c->arg, strerror(errno));
        o->send_errors++;
        return;
    }
    o->datagrams++;
}

static void export_flow(struct outputs *o, const struct ft_flow *f, uint64_t now_ms)
{
    if (o->export_version == 5 && is_v6(f)) {
        o->export_dropped_v6++;
        return;
    }
    struct ft_pdu_dgram d;
    /* export time in whole seconds, so that flows ended in the same second
     * share datagrams (their headers must agree) */
    for (unsigned i = 0; i < o->n_coll; i++) {
        struct collector *c = &o->coll[i];
        ft_pdu_enc_set_clock(c->enc, now_ms / 1000 * 1000, o->boot_ms);
        if (ft_pdu_enc_add(c->enc, f, &d) == 1)
            send_dgram(o, c, &d);
    }
    o->exported++;
}

void outputs_flow(struct outputs *o, const struct ft_flow *f, uint64_t now_ms)
{
    if (o->n_coll)
        export_flow(o, f, now_ms);
    if (!o->w && !o->cw)
        return;
    if (!o->v6_ok && is_v6(f)) {
        o->dropped_v6++;
        return;
    }
    o->flows_out++;
    if (o->w) {
        o->batch[o->n++] = *f;
        if (o->n == SENSOR_BATCH)
            flush_stdout(o);
        return;
    }
    if (!o->b) {
        o->b = ft_flowq_take(o->q, -1);
        if (!o->b)
            return;
        o->b->fmt = o->fmt;
    }
    o->b->flows[o->b->n++] = *f;
    if (o->b->n == o->b->cap)
        push_batch(o);
}

void outputs_rotate(struct outputs *o)
{
    if (o->cw) {
        push_batch(o);
        ft_capwriter_rotate(o->cw);
    }
}

int outputs_close(struct outputs *o)
{
    struct ft_err err;
    struct ft_pdu_dgram d;
    for (unsigned i = 0; i < o->n_coll; i++) {
        struct collector *c = &o->coll[i];
        if (ft_pdu_enc_flush(c->enc, &d) == 1)
            send_dgram(o, c, &d);
        ft_pdu_enc_free(c->enc);
        close(c->fd);
    }
    if (o->w) {
        flush_stdout(o);
        if (ft_writer_close(o->w, &err) < 0 && !o->failed) {
            ft_log(o->log, LOG_ERR, "%s", err.msg);
            o->failed = 1;
        }
        free(o->batch);
    }
    if (o->cw) {
        struct ft_capwriter_stats st;
        push_batch(o);
        ft_capwriter_stop(o->cw);
        ft_flowq_close(o->q);
        ft_capwriter_close(o->cw, &st);
        ft_flowq_free(o->q);
        if (st.write_drops)
            o->failed = 1;
    }
    return o->failed ? -1 : 0;
}
