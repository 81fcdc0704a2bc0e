/*
 * flow-fanout - receive NetFlow/IPFIX datagrams and re-export them to
 * several destinations.
 *
 * Every datagram is decoded first: only what the decoder accepts goes out
 * (as flow-tools).  When nothing is to change (no -V, -m or -A) the
 * datagram is forwarded byte for byte, so v9/IPFIX templates, options and
 * sequence numbers reach the destinations untouched.  Otherwise its flows
 * are masked and re-encoded (one encoder per output version, flushed after
 * every input datagram so nothing waits).  Sending never blocks: a full
 * socket buffer drops the datagram for that destination and counts it
 * (send_nobufs).  No disk is involved, so one thread does it all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "net/ft_addrspec.h"
#include "ft_collect.h"
#include "ft_daemon.h"
#include "pdu/ft_exporters.h"
#include "pdu/ft_pdu.h"
#include "ft_prog.h"
#include "net/ft_udp.h"

#define PROG "flow-fanout"
#define DEFAULT_PIDFILE "/var/run/flow-fanout.pid"
#define RECV_BATCH 64
#define MAX_DESTS 64
#define MAX_ENCODERS 16
#define WARNINGS_PER_MINUTE 10

struct options {
    struct ft_addrspec src;
    struct ft_addrspec dests[MAX_DESTS];
    size_t n_dests;
    int foreground, debug;
    uint32_t as0;
    struct ft_privacy_mask mask;
    const char *pidfile;
    unsigned stat_minutes;
    unsigned version, agg_method;       /* -V; 0: the datagram's own */
    long pause_us;
    struct ft_allowlist allow;
    int rcvbuf;
    const char *user;
    int spoof;                          /* -s */
    const char *exporters_path;         /* -k */
};

struct dest {
    int fd;
    uint64_t sent, nobufs, errors;
};

struct encoder {
    unsigned version, agg_method;
    struct ft_pdu_enc *enc;
};

struct fanout {
    struct options opt;
    struct ft_log log;
    int sock;
    struct ft_udp_raw *raw;             /* -s: raw socket, else NULL */
    struct dest dests[MAX_DESTS];
    struct ft_pdu_ctx *pdu;
    struct ft_exporters *exporters;     /* -k, or NULL */
    struct encoder enc[MAX_ENCODERS];
    size_t n_enc;
    time_t startup, next_stat;
    uint64_t datagrams, flows, corrupt, refused, truncated, untranslatable, sent_dgrams;
    uint64_t unspoofed;
    struct ft_ratelimit warn;
};

static volatile sig_atomic_t got_stop, got_hup;

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        got_hup = 1;
    else
        got_stop = sig;
}

static void usage(void)
{
    fprintf(stderr,
            "Usage: " PROG " [-hDs] [-a exporters] [-A as0_sub] [-B rcvbuf] [-d level]\n"
            "       [-k exporters_file] [-m privacy_mask] [-p pidfile] [-S minutes]\n"
            "       [-U user] [-V version] [-x usec]\n"
            "       localip/remoteip/port localip/remoteip/port[/ttl] ...\n");
}

/* ---- sending ------------------------------------------------------------ */

/* With -s an IPv4 datagram goes out from its exporter's address (and UDP
 * port) to IPv4 destinations; anything else from our own socket. */
static int send_one(struct fanout *f, size_t i, const struct ft_udp_dgram *in,
                    const uint8_t *data, size_t len)
{
    return ft_udp_send_as(f->dests[i].fd, f->raw, &in->src, in->sport, &f->opt.dests[i], data,
                          len, &f->unspoofed);
}

static void send_all(struct fanout *f, const struct ft_udp_dgram *in, const uint8_t *data,
                     size_t len)
{
    for (size_t i = 0; i < f->opt.n_dests; i++) {
        struct dest *d = &f->dests[i];
        int e = send_one(f, i, in, data, len);
        if (e == 0)
            d->sent++;
        else if (e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS)
            d->nobufs++;
        else
            d->errors++;
    }
    f->sent_dgrams++;
    ft_udp_pause(f->opt.pause_us);
}

/* ---- re-encoding -------------------------------------------------------- */

static int passthrough(const struct fanout *f)
{
    return !f->opt.version && !f->opt.mask.have4 && !f->opt.mask.have6 && !f->opt.as0 &&
           !f->exporters;
}

/* Output version of a datagram: -V, or its own (v9 for IPFIX, which we
 * do not encode). */
static void output_version(const struct fanout *f, const struct ft_pdu_info *info,
                           unsigned *version, unsigned *agg)
{
    if (f->opt.version) {
        *version = f->opt.version;
        *agg = f->opt.agg_method;
        return;
    }
    *version = info->version == 10 ? 9 : info->version;
    *agg = info->version == 8 ? info->agg_method : 0;
}

static struct ft_pdu_enc *encoder_for(struct fanout *f, unsigned version, unsigned agg)
{
    for (size_t i = 0; i < f->n_enc; i++)
        if (f->enc[i].version == version && f->enc[i].agg_method == agg)
            return f->enc[i].enc;
    if (f->n_enc == MAX_ENCODERS)
        return NULL;
    struct ft_pdu_enc_opts eo = {.version = version, .agg_method = agg};
    struct ft_err err;
    struct ft_pdu_enc *e = ft_pdu_enc_new(&eo, &err);
    if (!e) {
        ft_log(&f->log, LOG_ERR, "%s", err.msg);
        return NULL;
    }
    f->enc[f->n_enc++] = (struct encoder){version, agg, e};
    return e;
}

static void reencode(struct fanout *f, const struct ft_udp_dgram *in,
                     const struct ft_pdu_info *info, int n)
{
    unsigned version, agg;
    output_version(f, info, &version, &agg);
    if (!ft_collect_v8_translatable(version, agg, info->version, info->agg_method)) {
        f->untranslatable++;
        return;
    }
    struct ft_pdu_enc *e = encoder_for(f, version, agg);
    if (!e) {
        f->untranslatable++;
        return;
    }
    static struct ft_flow chunk[1024];
    struct ft_pdu_dgram d;
    for (size_t done = 0; done < (size_t)n;) {
        size_t k = (size_t)n - done < 1024 ? (size_t)n - done : 1024;
        memcpy(chunk, info->flows + done, k * sizeof *chunk);
        ft_privacy_mask_apply(&f->opt.mask, chunk, k);
        for (size_t i = 0; i < k; i++)
            if (ft_pdu_enc_add(e, &chunk[i], &d) == 1)
                send_all(f, in, d.data, d.len);
        done += k;
    }
    if (ft_pdu_enc_flush(e, &d) == 1)
        send_all(f, in, d.data, d.len);
}

/* ---- receiving ---------------------------------------------------------- */

static void handle_datagram(struct fanout *f, const struct ft_udp_dgram *d, uint64_t ms)
{
    char a[FT_IP_STRLEN];
    if (d->truncated) {
        f->truncated++;
        f->corrupt++;
        return;
    }
    if (!ft_collect_accepts(&f->opt.src, &f->opt.allow, &d->src)) {
        f->refused++;
        f->corrupt++;
        if (ft_ratelimit_allow(&f->warn, &f->log, time(NULL)))
            ft_log(&f->log, LOG_WARNING, "Unexpected PDU: src_ip=%s not configured",
                   ft_ip_str(&d->src, a, sizeof a));
        return;
    }
    struct ft_pdu_src src = {.addr = d->src, .port = d->sport, .local = d->dst, .recv_ms = ms};
    struct ft_pdu_info info;
    struct ft_err err;
    int n = ft_pdu_decode(f->pdu, &src, d->data, d->len, &info, &err);
    if (n < 0) {
        f->corrupt++;
        if (ft_ratelimit_allow(&f->warn, &f->log, time(NULL)))
            ft_log(&f->log, LOG_WARNING, "dropped datagram (%s): %s",
                   ft_pdu_reason_name(info.reason), err.msg);
        return;
    }
    if (info.new_exporter)
        ft_collect_log_new_exporter(&f->log, &src, info.version);
    f->datagrams++;
    f->flows += (uint64_t)n;
    if (passthrough(f))
        send_all(f, d, d->data, d->len);
    else
        reencode(f, d, &info, n);
}

static void log_stats(struct fanout *f, const char *when)
{
    char extra[64], reasons[1024], settings[512] = "";
    uint64_t nobufs = 0, errors = 0, sent = 0;
    for (size_t i = 0; i < f->opt.n_dests; i++) {
        nobufs += f->dests[i].nobufs;
        errors += f->dests[i].errors;
        sent += f->dests[i].sent;
    }
    snprintf(extra, sizeof extra, " send_nobufs=%llu", (unsigned long long)nobufs);
    time_t now = time(NULL);
    ft_collect_log_exporters(&f->log, f->pdu, now, f->startup, extra, 256);
    ft_collect_reasons(f->pdu, reasons, sizeof reasons);
    if (f->exporters)
        ft_exporters_stats_str(f->exporters, settings, sizeof settings);
    ft_log(&f->log, LOG_INFO,
           "STAT%s: datagrams=%llu flows=%llu corrupt=%llu refused=%llu truncated=%llu "
           "untranslatable=%llu sent=%llu send_nobufs=%llu send_errors=%llu unspoofed=%llu"
           "%s%s%s",
           when, (unsigned long long)f->datagrams, (unsigned long long)f->flows,
           (unsigned long long)f->corrupt, (unsigned long long)f->refused,
           (unsigned long long)f->truncated, (unsigned long long)f->untranslatable,
           (unsigned long long)sent, (unsigned long long)nobufs, (unsigned long long)errors,
           (unsigned long long)f->unspoofed, settings, reasons[0] ? " drops:" : "", reasons);
}

static void run(struct fanout *f)
{
    struct ft_udp_batch *ub = ft_udp_batch_new(RECV_BATCH);
    struct ft_err err;
    if (!ub)
        ft_die("out of memory");
    f->next_stat = time(NULL);
    while (!got_stop) {
        if (got_hup) {
            got_hup = 0;
            ft_log(&f->log, LOG_INFO, "SIGHUP");
        }
        if (ft_udp_wait(f->sock, 250) > 0) {
            int n = ft_udp_recv(f->sock, ub, &err);
            if (n < 0)
                ft_log(&f->log, LOG_ERR, "%s", err.msg);
            uint64_t ms = (uint64_t)time(NULL) * 1000u;
            for (int i = 0; i < n; i++)
                handle_datagram(f, ft_udp_batch_get(ub, (unsigned)i), ms);
        }
        if (f->opt.stat_minutes && time(NULL) >= f->next_stat) {
            log_stats(f, "");
            f->next_stat = ft_collect_next_stat(time(NULL), f->opt.stat_minutes);
        }
    }
    ft_udp_batch_free(ub);
}

/* ---- options ------------------------------------------------------------ */

static void parse_option(struct options *o, int ch, const char *arg)
{
    struct ft_err err;
    switch (ch) {
    case 'a': ft_check(ft_allowlist_add(&o->allow, arg, &err), &err); break;
    case 'A': o->as0 = (uint32_t)ft_opt_long(arg, 0, UINT32_MAX, "AS number"); break;
    case 'B': o->rcvbuf = ft_opt_rcvbuf(arg); break;
    case 'd': o->debug = (int)ft_opt_long(arg, 0, INT_MAX, "debug level"); break;
    case 'D': o->foreground = 1; break;
    case 'f': case 'v': break;      /* used by -F only */
    case 'F':
        ft_die("-F is not supported yet: filter with flow-nfilter before flow-send instead");
    case 'k': o->exporters_path = arg; break;
    case 'm': ft_check(ft_privacy_mask_add(&o->mask, arg, &err), &err); break;
    case 'p': o->pidfile = arg; break;
    case 's': o->spoof = 1; break;
    case 'S': o->stat_minutes = (unsigned)ft_opt_long(arg, 0, 60, "stat interval"); break;
    case 'U': o->user = arg; break;
    case 'V': ft_opt_export_version(arg, "export", &o->version, &o->agg_method); break;
    case 'x': o->pause_us = ft_opt_long(arg, 0, 10000000, "-x pause"); break;
    case 'h': usage(); exit(0);
    default: usage(); exit(1);
    }
}

static void parse_args(struct options *o, int argc, char **argv)
{
    int ch;
    memset(o, 0, sizeof *o);
    o->pidfile = DEFAULT_PIDFILE;
    o->rcvbuf = FT_UDP_RCVBUF_DEFAULT;
    while ((ch = getopt(argc, argv, "a:A:B:d:Df:F:hk:m:p:sS:U:v:V:x:")) != -1)
        parse_option(o, ch, optarg);
    if (argc - optind < 2)
        ft_die("Must define at least source and one destination.");
    ft_opt_listen_addr(argv[optind], &o->src);
    for (int i = optind + 1; i < argc; i++) {
        if (o->n_dests == MAX_DESTS)
            ft_die("at most %d destinations", MAX_DESTS);
        ft_opt_dest_addr(argv[i], &o->dests[o->n_dests++]);
    }
}

/* ---- main --------------------------------------------------------------- */

static void open_sockets(struct fanout *f)
{
    struct ft_err err;
    int got = 0;
    f->sock = ft_udp_listen(&f->opt.src, f->opt.rcvbuf, &got, &err);
    if (f->sock < 0) {
        ft_log(&f->log, LOG_ERR, "%s", err.msg);
        exit(1);
    }
    f->raw = NULL;
    if (f->opt.spoof && !(f->raw = ft_udp_raw_open(&err))) {
        ft_log(&f->log, LOG_ERR, "%s", err.msg);
        exit(1);
    }
    for (size_t i = 0; i < f->opt.n_dests; i++) {
        f->dests[i].fd = ft_udp_connect(&f->opt.dests[i], &err);
        if (f->dests[i].fd < 0) {
            ft_log(&f->log, LOG_ERR, "%s", err.msg);
            exit(1);
        }
    }
    ft_log(&f->log, LOG_INFO, "listening on port %u, receive buffer %d bytes, %zu destinations",
           f->opt.src.port, got, f->opt.n_dests);
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;      /* no SA_RESTART: poll returns at once */
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int want_pidfile(const struct options *o)
{
    return !o->foreground && o->pidfile && *o->pidfile && strcmp(o->pidfile, "-") != 0;
}

int main(int argc, char **argv)
{
    static struct fanout f;
    struct ft_err err;
    int ready_fd = -1;

    ft_progname = PROG;
    ft_log_init(&f.log, PROG);
    parse_args(&f.opt, argc, argv);
    f.log.debug = f.opt.debug > 0;
    f.warn.per_minute = WARNINGS_PER_MINUTE;
    f.startup = time(NULL);
    struct ft_pdu_opts po = {.as0_substitute = f.opt.as0};
    if (f.opt.exporters_path) {
        /* settings change flows, so datagrams are then always encoded again */
        f.exporters = ft_exporters_load(f.opt.exporters_path, 0, &err);
        if (!f.exporters)
            ft_die("%s", err.msg);
        po.exporters = f.exporters;
    }
    f.pdu = ft_pdu_ctx_new(&po);
    if (!f.pdu)
        ft_die("out of memory");
    if (!f.opt.foreground) {
        ft_check(ft_daemon_detach(f.log.prog, 0, &ready_fd, &err), &err);
        ft_log_to_syslog(&f.log, &ready_fd);
    }
    install_signals();
    open_sockets(&f);
    int pidfile = want_pidfile(&f.opt) && ft_pidfile_write(f.opt.pidfile, &err) == 0;
    if (want_pidfile(&f.opt) && !pidfile)
        ft_log(&f.log, LOG_ERR, "pid file: %s", err.msg);
    if (f.opt.user && ft_drop_privileges(f.opt.user, &err) < 0) {
        ft_log(&f.log, LOG_ERR, "%s", err.msg);
        exit(1);
    }
    ft_daemon_ready(&ready_fd);
    run(&f);
    ft_log(&f.log, LOG_INFO, "%s", got_stop == SIGTERM ? "SIGTERM"
                                   : got_stop == SIGQUIT ? "SIGQUIT" : "SIGINT");
    log_stats(&f, " (exit)");
    for (size_t i = 0; i < f.n_enc; i++)
        ft_pdu_enc_free(f.enc[i].enc);
    ft_pdu_ctx_free(f.pdu);
    ft_exporters_free(f.exporters);
    ft_udp_raw_close(f.raw);
    if (pidfile)
        unlink(f.opt.pidfile);
    return 0;
}
