/*
 * flow-send - read a flow stream on stdin and export it as NetFlow datagrams.
 *
 * Records are grouped into datagrams by the pdu encoder (wire-pdus.md 6),
 * sent on a connected UDP socket, optionally paced: -x sleeps after every
 * datagram as flow-tools does, -r caps the rate in datagrams or flows per
 * second with a token bucket whose burst is bounded to a tenth of a second.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "net/ft_addrspec.h"
#include "stream/ft_format.h"
#include "pdu/ft_pdu.h"
#include "ft_prog.h"
#include "stream/ft_stream.h"
#include "net/ft_udp.h"

#define PROG "flow-send"
#define READ_BATCH 1024
#define SEND_RETRY_MS 5000

struct options {
    int debug;
    struct ft_privacy_mask mask;
    unsigned version, agg_method;       /* 0: from the stream */
    long pause_us;                      /* -x */
    double rate;                        /* -r: per second, 0 = unlimited */
    int rate_in_flows;
    int spoof;                          /* -s */
    struct ft_addrspec dest;
};

struct pacer {
    double rate, tokens, burst;
    struct timespec last;
};

struct sender {
    struct options opt;
    int fd;
    struct ft_udp_raw *raw;             /* -s: raw socket, else NULL */
    struct pacer pacer;
    uint64_t datagrams, flows, refused, bytes, unspoofed;
};

static void usage(void)
{
    fprintf(stderr,
            "Usage: " PROG " [-hs] [-d level] [-m privacy_mask] [-r rate[f]] [-V version]\n"
            "       [-x usec] localip/remoteip/port[/ttl]\n");
}

/* ---- pacing ------------------------------------------------------------- */

static double seconds_since(const struct timespec *t, const struct timespec *now)
{
    return (double)(now->tv_sec - t->tv_sec) + (double)(now->tv_nsec - t->tv_nsec) / 1e9;
}

static void pacer_init(struct pacer *p, double rate)
{
    p->rate = rate;
    /* a tenth of a second of credit at most, so a pause never turns into
     * a burst the receiver's socket buffer cannot take */
    p->burst = rate / 10 > 1 ? rate / 10 : 1;
    p->tokens = 0;
    clock_gettime(CLOCK_MONOTONIC, &p->last);
}

/* Wait until `cost` units (datagrams or flows) may go. */
static void pacer_wait(struct pacer *p, double cost)
{
    if (p->rate <= 0)
        return;
    for (;;) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        p->tokens += seconds_since(&p->last, &now) * p->rate;
        p->last = now;
        double cap = p->burst > cost ? p->burst : cost;
        if (p->tokens > cap)
            p->tokens = cap;
        if (p->tokens >= cost) {
            p->tokens -= cost;
            return;
        }
        double wait = (cost - p->tokens) / p->rate;
        struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
        nanosleep(&ts, NULL);
    }
}

/* ---- sending ------------------------------------------------------------ */

/* One try: from the flows' exporter address with -s, else from ours. */
static int send_once(struct sender *s, const struct ft_pdu_dgram *d)
{
    return ft_udp_send_as(s->fd, s->raw, &d->exaddr, s->opt.dest.port, &s->opt.dest,
                          d->data, d->len, &s->unspoofed);
}

/* Send one datagram; wait for room in the socket buffer rather than drop. */
static void send_dgram(struct sender *s, const struct ft_pdu_dgram *d)
{
    pacer_wait(&s->pacer, s->opt.rate_in_flows ? d->n_flows : 1);
    int waited = 0;
    for (;;) {
        int e = send_once(s, d);
        if (e == 0)
            break;
        if (e == ECONNREFUSED) {        /* nobody listening (ICMP): not fatal */
            s->refused++;
            break;
        }
        if ((e != EAGAIN && e != EWOULDBLOCK && e != ENOBUFS) || waited >= SEND_RETRY_MS)
            ft_die("send: %s", strerror(e));
        struct pollfd pfd = {.fd = s->fd, .events = POLLOUT};
        poll(&pfd, 1, 10);
        waited += 10;
    }
    s->datagrams++;
    s->flows += d->n_flows;
    s->bytes += d->len;
    ft_udp_pause(s->opt.pause_us);
}

/* The PDU version for a stream format: its own, or v5 for the tagged v5
 * (1005) and v9 for the extended format, which have no PDU of their own. */
static void default_version(const struct ft_format *f, unsigned *version, unsigned *agg)
{
    *agg = f->agg_method;
    if (f->d_version == 1005)
        *version = 5;
    else if (f->d_version == FT_DV_EXTENDED)
        *version = 9;
    else
        *version = f->d_version;
}

static struct ft_pdu_enc *new_encoder(struct sender *s, const struct ft_format *in)
{
    struct ft_pdu_enc_opts eo = {0};
    struct ft_err err;
    if (s->opt.version)
        eo.version = s->opt.version, eo.agg_method = s->opt.agg_method;
    else
        default_version(in, &eo.version, &eo.agg_method);
    if (eo.version == 8 && (in->d_version != 8 || in->agg_method != eo.agg_method))
        ft_die("cannot translate %s records into v8.%u datagrams", in->name, eo.agg_method);
    struct ft_pdu_enc *e = ft_pdu_enc_new(&eo, &err);
    if (!e)
        ft_die("%s", err.msg);
    return e;
}

static void send_stream(struct sender *s, struct ft_reader *r)
{
    static struct ft_flow flows[READ_BATCH];
    struct ft_pdu_enc *e = new_encoder(s, ft_reader_format(r));
    struct ft_pdu_dgram d;
    ssize_t n;
    while ((n = ft_reader_read(r, flows, READ_BATCH)) > 0) {
        ft_privacy_mask_apply(&s->opt.mask, flows, (size_t)n);
        for (ssize_t i = 0; i < n; i++)
            if (ft_pdu_enc_add(e, &flows[i], &d) == 1)
                send_dgram(s, &d);
    }
    if (ft_pdu_enc_flush(e, &d) == 1)
        send_dgram(s, &d);
    uint64_t losses = ft_pdu_enc_losses(e);
    ft_pdu_enc_free(e);
    if (losses)
        ft_warn("%llu flows lost fields in translation",
                (unsigned long long)losses);
    if (n < 0)
        ft_die("%s", ft_reader_error(r));
}

/* ---- options ------------------------------------------------------------ */

static void parse_rate(struct options *o, const char *arg)
{
    char *end;
    errno = 0;
    double r = strtod(arg, &end);
    if (errno || end == arg || r <= 0 || r > 1e9)
        ft_die("bad rate \"%s\"", arg);
    if (*end == 'f' && end[1] == '\0')
        o->rate_in_flows = 1;
    else if (*end != '\0' && !(*end == 'p' && end[1] == '\0'))
        ft_die("bad rate \"%s\": a number of datagrams, or flows with an f suffix", arg);
    o->rate = r;
}

static void parse_args(struct options *o, int argc, char **argv)
{
    struct ft_err err;
    int ch;
    memset(o, 0, sizeof *o);
    while ((ch = getopt(argc, argv, "d:hm:r:sV:x:")) != -1) {
        switch (ch) {
        case 'd': o->debug = atoi(optarg); break;
        case 'm': ft_check(ft_privacy_mask_add(&o->mask, optarg, &err), &err); break;
        case 'r': parse_rate(o, optarg); break;
        case 's': o->spoof = 1; break;
        case 'V': ft_opt_export_version(optarg, "send", &o->version, &o->agg_method); break;
        case 'x': o->pause_us = ft_opt_long(optarg, 0, LONG_MAX, "-x"); break;
        case 'h': usage(); exit(0);
        default: usage(); exit(1);
        }
    }
    if (optind >= argc)
        ft_die("Specify localip/remoteip/port.");
    ft_opt_dest_addr(argv[optind], &o->dest);
    if (optind + 1 < argc)
        ft_die("Extra arguments starting with %s.", argv[optind + 1]);
}

int main(int argc, char **argv)
{
    static struct sender s;
    struct ft_err err;
    ft_progname = PROG;
    parse_args(&s.opt, argc, argv);
    struct ft_reader *r = ft_reader_open(0, "stdin", 0, &err);
    if (!r)
        ft_die("%s", err.msg);
    s.fd = ft_udp_connect(&s.opt.dest, &err);
    if (s.fd < 0)
        ft_die("%s", err.msg);
    s.raw = s.opt.spoof ? ft_udp_raw_open(&err) : NULL;
    if (s.opt.spoof && !s.raw)
        ft_die("%s", err.msg);
    pacer_init(&s.pacer, s.opt.rate);
    send_stream(&s, r);
    ft_reader_close(r);
    close(s.fd);
    ft_udp_raw_close(s.raw);
    if (s.opt.debug > 0)
        ft_warn("sent %llu datagrams, %llu flows, %llu bytes",
                (unsigned long long)s.datagrams, (unsigned long long)s.flows,
                (unsigned long long)s.bytes);
    if (s.refused)
        ft_warn("%llu datagrams refused by the destination",
                (unsigned long long)s.refused);
    if (s.unspoofed)
        ft_warn("%llu datagrams sent from our own address (exporter "
                "address not IPv4)", (unsigned long long)s.unspoofed);
    return 0;
}
