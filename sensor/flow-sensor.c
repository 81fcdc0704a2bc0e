/*
 * flow-sensor - meter packets into flows: from an interface (libpcap, live)
 * or a pcap/pcapng file, through ftlib's packet parser and flow cache
 * (lib/sensor), out as a flow stream on stdout, rotated capture files, or
 * NetFlow v5/v9/IPFIX datagrams.
 *
 * It reads untrusted packets, so: every byte through the checked reader,
 * malformed packets counted by reason, memory fixed by the cache size, the
 * device opened and then root dropped (-U).  Times are the packets' own, so
 * an offline run gives the same flows whatever the speed of reading.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <pcap/pcap.h>
#include "flow-sensor.h"
#include "net/ft_capfile.h"
#include "ft_prog.h"
#include "sensor/ft_meter.h"
#include "sensor/ft_packet.h"

#define PROG "flow-sensor"
#define DISPATCH 4096           /* packets between looks at the signals */
#define LIVE_TIMEOUT_MS 100

struct options {
    const char *file, *iface;
    int no_promisc, snaplen, bufsize, foreground, debug;
    char *filter;
    const char *pidfile, *user;
    struct ft_meter_opts meter;
};

struct sensor {
    struct options opt;
    struct ft_log log;
    pcap_t *pc;
    int dlt, live;
    struct ft_meter *m;
    struct outputs out;
    uint64_t now_us;
    uint64_t frames, ip_packets, ip_octets;
    uint64_t reasons[FT_PKT_NREASONS];
};

static volatile sig_atomic_t got_stop, got_stats, got_hup;
/* The capture a signal interrupts: libpcap retries a wait that a signal cut
 * short unless told to break (pcap_breakloop is safe in a handler). */
static pcap_t *signal_pcap;

static void on_signal(int sig)
{
    if (sig == SIGUSR1)
        got_stats = 1;
    else if (sig == SIGHUP)
        got_hup = 1;
    else
        got_stop = 1;
    if (signal_pcap)
        pcap_breakloop(signal_pcap);
}

static void usage(void)
{
    fprintf(stderr,
            "Usage: " PROG " [-hDpv] -r file|- | -i interface [-s snaplen] [-B bufsize[bKMG]]\n"
            "       [-V 5|extended] [-w workdir [-N nesting] [-R rotations] [-e files]\n"
            "       [-E size[bKMG]]] [-n host/port ...] [-X 5|9|10] [-T seconds]\n"
            "       [-m max_flows] [-t inactive] [-a active] [-f fin_grace] [-S [r]N]\n"
            "       [-I ifindex] [-P pidfile] [-U user] [-d level] [filter expression]\n");
}

/* ---- options ------------------------------------------------------------ */

/* Seconds with up to 3 decimals, as ms. */
static uint64_t opt_seconds(const char *arg, const char *what)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || *end || v < 0 || v > 1e8)
        ft_die("bad %s \"%s\"", what, arg);
    return (uint64_t)(v * 1000 + 0.5);
}

static void opt_collector(struct outputs *o, const char *arg)
{
    struct ft_err err;
    char spec[300];
    if (o->n_coll == SENSOR_MAX_COLLECTORS)
        ft_die("at most %d collectors", SENSOR_MAX_COLLECTORS);
    /* host/port is the remote; localip/remoteip/port also names the source */
    const char *slash = strchr(arg, '/');
    if (slash && !strchr(slash + 1, '/'))
        snprintf(spec, sizeof spec, "0/%s", arg);
    else
        snprintf(spec, sizeof spec, "%s", arg);
    struct collector *c = &o->coll[o->n_coll++];
    ft_check(ft_addrspec_parse(spec, 0, &c->addr, &err), &err);
    if (c->addr.remote.af == FT_AF_NONE)
        ft_die("%s: no collector address", arg);
    c->arg = arg;
}

static void opt_sampling(struct ft_meter_opts *m, const char *arg)
{
    m->sample_random = arg[0] == 'r';
    m->sample = (uint32_t)ft_opt_long(arg + m->sample_random, 1, 1000000, "sampling");
}

static void opt_export_version(struct outputs *o, const char *arg)
{
    if (!strcmp(arg, "ipfix") || !strcmp(arg, "10"))
        o->export_version = 10;
    else if (!strcmp(arg, "9") || !strcmp(arg, "5"))
        o->export_version = (unsigned)atoi(arg);
    else
        ft_die("cannot export NetFlow version %s (5, 9 or 10/ipfix)", arg);
}

/* The BPF expression: the arguments after the options, joined by blanks. */
static char *join_args(int argc, char **argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *s = calloc(1, len);
    if (!s)
        ft_die("out of memory");
    for (int i = 0; i < argc; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

static void opt_file_option(struct outputs *o, int ch, const char *arg)
{
    long v;
    switch (ch) {
    case 'e': o->files.max_files = ft_opt_size(arg, "file count"); break;
    case 'E': o->files.max_bytes = ft_opt_size(arg, "size"); break;
    case 'R':
        o->files.rotations = (unsigned)ft_opt_long(arg, 0, FT_ROTATIONS_MAX, "rotation count");
        break;
    case 'N':
        v = ft_opt_long(arg, -3, 3, "nesting level");
        o->files.nesting = (int)v;
        break;
    default: break;
    }
}

static void parse_args(struct sensor *s, int argc, char **argv)
{
    struct options *o = &s->opt;
    struct outputs *out = &s->out;
    int ch;
    memset(o, 0, sizeof *o);
    ft_meter_opts_init(&o->meter);
    ft_capwriter_opts_init(&out->files);
    out->fmt = ft_format_parse("extended");
    out->export_version = 5;
    out->template_timeout = 600;
    o->snaplen = 256;
    o->bufsize = 32 << 20;
    while ((ch = getopt(argc, argv, "a:B:d:De:E:f:hI:i:m:n:N:pP:r:R:s:S:t:T:U:vV:w:X:")) != -1) {
        switch (ch) {
        case 'a': o->meter.active_ms = opt_seconds(optarg, "active timeout"); break;
        case 'B': o->bufsize = ft_opt_rcvbuf(optarg); break;
        case 'd': o->debug = (int)ft_opt_long(optarg, 0, INT_MAX, "debug level"); break;
        case 'D': o->foreground = 1; break;
        case 'e': case 'E': case 'N': case 'R': opt_file_option(out, ch, optarg); break;
        case 'f': o->meter.fin_grace_ms = opt_seconds(optarg, "FIN grace"); break;
        case 'I': o->meter.input = (uint32_t)ft_opt_long(optarg, 0, UINT16_MAX, "ifindex"); break;
        case 'i': o->iface = optarg; break;
        case 'm': o->meter.max_flows = (uint32_t)ft_opt_long(optarg, 1, 1 << 30, "cache size");
            break;
        case 'n': opt_collector(out, optarg); break;
        case 'p': o->no_promisc = 1; break;
        case 'P': o->pidfile = optarg; break;
        case 'r': o->file = optarg; break;
        case 's': o->snaplen = (int)ft_opt_long(optarg, 64, 262144, "snap length"); break;
        case 'S': opt_sampling(&o->meter, optarg); break;
        case 't': o->meter.inactive_ms = opt_seconds(optarg, "inactive timeout"); break;
        case 'T': out->template_timeout = (unsigned)ft_opt_long(optarg, 0, 86400,
                                                                "template timeout"); break;
        case 'U': o->user = optarg; break;
        case 'v': o->meter.vlan_key = 1; break;
        case 'V':
            if (!(out->fmt = ft_format_parse(optarg)) ||
                (out->fmt->d_version != 5 && out->fmt->d_version != FT_DV_EXTENDED))
                ft_die("Version scan failed: \"%s\" (5 or extended)", optarg);
            break;
        case 'w': out->workdir = optarg; break;
        case 'X': opt_export_version(out, optarg); break;
        case 'h': usage(); exit(0);
        default: usage(); exit(1);
        }
    }
    if (!o->file == !o->iface)
        ft_die("Specify one of -r file and -i interface.");
    if (optind < argc)
        o->filter = join_args(argc - optind, argv + optind);
}

/* ---- capture ------------------------------------------------------------ */

static void open_capture(struct sensor *s)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    const struct options *o = &s->opt;
    if (o->file) {
        s->pc = pcap_open_offline(o->file, ebuf);
        if (!s->pc)
            ft_die("%s", ebuf);
    } else {
        s->live = 1;
        s->pc = pcap_create(o->iface, ebuf);
        if (!s->pc)
            ft_die("%s: %s", o->iface, ebuf);
        pcap_set_snaplen(s->pc, o->snaplen);
        pcap_set_promisc(s->pc, !o->no_promisc);
        pcap_set_buffer_size(s->pc, o->bufsize);
        pcap_set_immediate_mode(s->pc, 1);
        pcap_set_timeout(s->pc, LIVE_TIMEOUT_MS);
        int rc = pcap_activate(s->pc);
        if (rc < 0)
            ft_die("%s: %s", o->iface, pcap_geterr(s->pc));
        if (rc > 0)
            ft_log(&s->log, LOG_WARNING, "%s: %s", o->iface, pcap_statustostr(rc));
    }
    s->dlt = pcap_datalink(s->pc);
    if (!ft_pkt_dlt_supported(s->dlt))
        ft_die("link type %s (%d) is not supported",
               pcap_datalink_val_to_name(s->dlt) ? pcap_datalink_val_to_name(s->dlt) : "?",
               s->dlt);
    if (o->filter) {
        struct bpf_program prog;
        if (pcap_compile(s->pc, &prog, o->filter, 1, PCAP_NETMASK_UNKNOWN) < 0 ||
            pcap_setfilter(s->pc, &prog) < 0)
            ft_die("filter \"%s\": %s", o->filter, pcap_geterr(s->pc));
        pcap_freecode(&prog);
    }
}

static void on_flow(void *arg, const struct ft_flow *f, enum ft_meter_cause why)
{
    struct sensor *s = arg;
    (void)why;
    outputs_flow(&s->out, f, s->now_us / 1000);
}

static void on_packet(u_char *arg, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct sensor *s = (struct sensor *)arg;
    struct ft_pkt p;
    s->frames++;
    enum ft_pkt_reason why = ft_pkt_parse(s->dlt, bytes, h->caplen, h->len, &p);
    s->reasons[why]++;
    if (why != FT_PKT_OK)
        return;
    uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
    if (ts > s->now_us)
        s->now_us = ts;
    if (!s->out.boot_ms)            /* uptime zero of export headers: 1 s before */
        s->out.boot_ms = ts / 1000 - 1000;
    s->ip_packets++;
    s->ip_octets += p.octets;
    ft_meter_packet(s->m, &p, ts);
}

/* ---- statistics --------------------------------------------------------- */

static void log_stats(struct sensor *s, const char *when)
{
    struct ft_meter_stats st;
    struct pcap_stat ps = {0};
    char mal[512] = "";
    size_t at = 0;
    uint64_t malformed = 0;
    ft_meter_stats(s->m, &st);
    if (s->live)
        pcap_stats(s->pc, &ps);
    for (int r = FT_PKT_LINKTYPE; r < FT_PKT_NREASONS; r++) {
        malformed += s->reasons[r];
        if (s->reasons[r] && at < sizeof mal)
            at += (size_t)snprintf(mal + at, sizeof mal - at, " %s=%" PRIu64,
                                   ft_pkt_reason_names[r], s->reasons[r]);
    }
    const struct outputs *o = &s->out;
    ft_log(&s->log, LOG_INFO,
           "STAT%s: packets=%" PRIu64 " ip=%" PRIu64 " octets=%" PRIu64 " not_ip=%" PRIu64
           " malformed=%" PRIu64 "%s kernel_drops=%u if_drops=%u sampled_out=%" PRIu64
           " flows=%" PRIu64 " active=%" PRIu64 " inactive=%" PRIu64 " active_timeout=%"
           PRIu64 " fin=%" PRIu64 " full=%" PRIu64 " end=%" PRIu64 " frag_known=%" PRIu64
           " frag_unknown=%" PRIu64 " short_l4=%" PRIu64 " written=%" PRIu64
           " dropped_ipv6=%" PRIu64 " exported=%" PRIu64 " datagrams=%" PRIu64
           " export_dropped_ipv6=%" PRIu64 " send_errors=%" PRIu64,
           when, s->frames, s->ip_packets, s->ip_octets, s->reasons[FT_PKT_NOT_IP], malformed,
           mal, ps.ps_drop, ps.ps_ifdrop, st.sampled_out, st.flows, st.active,
           st.expired[FT_EXP_INACTIVE], st.expired[FT_EXP_ACTIVE], st.expired[FT_EXP_FIN],
           st.expired[FT_EXP_FULL], st.expired[FT_EXP_END], st.frag_known, st.frag_unknown,
           st.short_l4, o->flows_out, o->dropped_v6, o->exported, o->datagrams,
           o->export_dropped_v6, o->send_errors);
}

/* ---- running ------------------------------------------------------------ */

static void now_wallclock(struct sensor *s)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    uint64_t t = (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
    if (t > s->now_us)
        s->now_us = t;
    ft_meter_advance(s->m, s->now_us);
}

/* At a stop, live: count what the kernel already captured (bounded). */
static void drain(struct sensor *s)
{
    char ebuf[PCAP_ERRBUF_SIZE];
    if (!s->live || pcap_setnonblock(s->pc, 1, ebuf) < 0)
        return;
    for (int i = 0; i < 256; i++)
        if (pcap_dispatch(s->pc, DISPATCH, on_packet, (u_char *)s) <= 0)
            break;
}

static int capture_loop(struct sensor *s)
{
    for (;;) {
        int n = pcap_dispatch(s->pc, DISPATCH, on_packet, (u_char *)s);
        if (got_stats) {
            got_stats = 0;
            log_stats(s, "");
        }
        if (got_hup) {
            got_hup = 0;
            outputs_rotate(&s->out);
        }
        if (got_stop) {
            drain(s);
            return 0;
        }
        if (n == PCAP_ERROR_BREAK)
            continue;               /* a signal, handled above */
        if (n == PCAP_ERROR) {
            ft_log(&s->log, LOG_ERR, "%s", pcap_geterr(s->pc));
            return -1;
        }
        if (s->live) {
            if (n == 0)             /* idle: flows still age by the clock */
                now_wallclock(s);
        } else if (n == 0) {
            return 0;               /* end of the file */
        }
    }
}

static void set_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* Detach (live, writing files or exporting, without -D), pid file, root dropped. */
static void become_daemon(struct sensor *s, int *ready_fd)
{
    struct ft_err err;
    *ready_fd = -1;
    if (s->live && !s->opt.foreground && (s->out.workdir || s->out.n_coll)) {
        ft_check(ft_daemon_detach(s->log.prog, 0, ready_fd, &err), &err);
        ft_log_to_syslog(&s->log, ready_fd);
    }
    if (s->opt.pidfile && ft_pidfile_write(s->opt.pidfile, &err) < 0)
        ft_log(&s->log, LOG_ERR, "pid file: %s", err.msg);
    if (s->opt.user && ft_drop_privileges(s->opt.user, &err) < 0) {
        ft_log(&s->log, LOG_ERR, "%s", err.msg);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    static struct sensor s;
    struct ft_err err;
    int ready_fd;
    ft_progname = PROG;
    ft_log_init(&s.log, PROG);
    parse_args(&s, argc, argv);
    s.log.debug = s.opt.debug > 0;
    s.out.log = &s.log;
    open_capture(&s);
    become_daemon(&s, &ready_fd);
    if (s.out.workdir && chdir(s.out.workdir) < 0)
        ft_die("chdir %s: %s", s.out.workdir, strerror(errno));
    s.m = ft_meter_new(&s.opt.meter, on_flow, &s, &err);
    if (!s.m)
        ft_die("%s", err.msg);
    outputs_open(&s.out);
    signal_pcap = s.pc;
    set_signals();
    ft_daemon_ready(&ready_fd);
    int rc = capture_loop(&s);
    ft_meter_flush(s.m);
    if (outputs_close(&s.out) < 0)
        rc = -1;
    log_stats(&s, " (exit)");
    if (s.opt.pidfile)
        unlink(s.opt.pidfile);
    ft_meter_free(s.m);
    pcap_close(s.pc);
    free(s.opt.filter);
    return rc < 0 ? 1 : 0;
}
