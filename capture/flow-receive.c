/*
 * flow-receive - receive NetFlow/IPFIX datagrams and write one flow stream.
 *
 * Like flow-capture without files: datagrams from UDP (localip/remoteip/port)
 * or, with -r, from a pcap file, decoded and written to stdout or -o file.
 * The output format is -V's, else that of the first accepted datagram (v9
 * and IPFIX: the extended format); a pcap file holding several versions
 * gives the extended format.  Runs in the foreground; HUP, INT, QUIT and
 * TERM finish the stream and exit 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "net/ft_addrspec.h"
#include "ft_collect.h"
#include "ft_daemon.h"
#include "pdu/ft_exporters.h"
#include "stream/ft_format.h"
#include "net/ft_pcap.h"
#include "pdu/ft_pdu.h"
#include "ft_prog.h"
#include "stream/ft_stream.h"
#include "net/ft_udp.h"

#define PROG "flow-receive"
#define RECV_BATCH 64
#define WARNINGS_SHOWN 100      /* then one line per WARNINGS_EVERY */
#define WARNINGS_EVERY 1000

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

struct options {
    struct ft_collect_out out;          /* -b -z -V -C -k */
    const char *out_path;
    const char *pcap_path;
    int debug;
    unsigned stat_minutes;
    struct ft_addrspec addr;
    int have_addr;
};

struct receiver {
    struct options o;
    struct ft_log log;                  /* stderr: the STAT lines */
    struct ft_pdu_ctx *pdu;
    struct ft_exporters *exporters;     /* -k, or NULL */
    struct ft_writer *w;
    int out_fd;
    int regular_file;
    time_t started;
    uint64_t corrupt, lost, resets, misordered, flows, datagrams;
    uint64_t warnings;
    time_t next_stat;
};

static void usage(void)
{
    fprintf(stderr,
        "Usage: " PROG " [-h] [-b big|little] [-C comment] [-d debug_level]\n"
        "       [-k exporters_file] [-o outfile] [-r pcapfile] [-S stat_interval]\n"
        "       [-V pdu_version] [-z z_level] [localip/remoteip/port]\n"
        "  -k file   per-exporter settings: sampling, scaling, quirks (ftkit-exporters(5))\n"
        "  -r file   read the datagrams from a pcap file instead of the network\n"
        "  -V        output format: 1, 5, 6, 7, 8.1-8.14, 1005 or extended\n"
        "  -z        0-9 (zlib) or zstd[:N]\n");
}

static void warn(struct receiver *rx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Warnings about datagrams: all of the first ones, then a sample. */
static void warn(struct receiver *rx, const char *fmt, ...)
{
    rx->warnings++;
    if (rx->warnings > WARNINGS_SHOWN && rx->warnings % WARNINGS_EVERY != 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", ft_progname);
    vfprintf(stderr, fmt, ap);
    if (rx->warnings > WARNINGS_SHOWN)
        fprintf(stderr, " (%llu warnings so far)", (unsigned long long)rx->warnings);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- options ------------------------------------------------------------ */

static int parse_options(int argc, char **argv, struct options *o)
{
    int c;
    memset(o, 0, sizeof *o);
    o->out.wopts.comp = FT_COMP_NONE;
    while ((c = getopt(argc, argv, "b:C:d:hk:o:r:S:V:z:?")) != -1) {
        if (ft_collect_out_option(&o->out, c, optarg))
            continue;
        switch (c) {
        case 'd': o->debug = atoi(optarg); break;
        case 'o': o->out_path = optarg; break;
        case 'r': o->pcap_path = optarg; break;
        case 'S':
            o->stat_minutes = (unsigned)atoi(optarg);
            break;
        case 'h':
            usage();
            exit(0);
        default:
            usage();
            return -1;
        }
    }
    if (argc - optind > 1)
        ft_die("Illegal option");
    o->have_addr = optind < argc;
    ft_opt_listen_addr(o->have_addr ? argv[optind] : "0/0/0", &o->addr);
    return 0;
}

/* ---- output ------------------------------------------------------------- */

static int open_writer(struct receiver *rx, const struct ft_format *fmt)
{
    struct ft_header h;
    struct ft_err err;
    char host[256] = "";
    ft_header_init(&h, fmt);
    ft_header_set_u32(&h, FT_TLV_CAP_START, (uint32_t)time(NULL));
    if (rx->regular_file) {         /* placeholders, rewritten at the end */
        ft_header_set_u32(&h, FT_TLV_CAP_END, 0);
        ft_header_set_u32(&h, FT_TLV_FLOW_COUNT, 0);
        ft_header_set_u32(&h, FT_TLV_FLOW_LOST, 0);
        ft_header_set_u32(&h, FT_TLV_PKT_CORRUPT, 0);
        ft_header_set_u32(&h, FT_TLV_SEQ_RESET, 0);
    }
    gethostname(host, sizeof host - 1);
    ft_header_set_str(&h, FT_TLV_CAP_HOSTNAME, host);
    if (rx->o.out.comment)
        ft_header_set_str(&h, FT_TLV_COMMENTS, rx->o.out.comment);
    struct ft_write_opts wo = rx->o.out.wopts;
    wo.rewrite = rx->regular_file;
    rx->w = ft_writer_open(rx->out_fd, rx->o.out_path ? rx->o.out_path : "stdout", &h, &wo,
                           &err);
    if (!rx->w) {
        ft_warn("%s", err.msg);
        return -1;
    }
    return 0;
}

static int close_writer(struct receiver *rx)
{
    if (!rx->w)
        return 0;
    struct ft_header *h = ft_writer_header(rx->w);
    if (rx->regular_file) {
        ft_header_set_u32(h, FT_TLV_CAP_END, (uint32_t)time(NULL));
        ft_header_set_u32(h, FT_TLV_FLOW_COUNT, (uint32_t)ft_writer_count(rx->w));
        ft_header_set_u32(h, FT_TLV_FLOW_LOST, (uint32_t)rx->lost);
        ft_header_set_u32(h, FT_TLV_PKT_CORRUPT, (uint32_t)rx->corrupt);
        ft_header_set_u32(h, FT_TLV_SEQ_RESET, (uint32_t)rx->resets);
    }
    uint64_t losses = ft_writer_losses(rx->w);
    const struct ft_format *fmt = ft_writer_format(rx->w);
    struct ft_err err;
    int rc = ft_writer_close(rx->w, &err);
    rx->w = NULL;
    if (losses)
        ft_warn("%llu flows lost information in the conversion to %s",
                (unsigned long long)losses, fmt->name);
    if (rc < 0)
        ft_warn("%s", err.msg);
    return rc;
}

/* ---- datagrams ---------------------------------------------------------- */

static void seq_warning(struct receiver *rx, const struct ft_pdu_src *src,
                        const struct ft_pdu_info *info)
{
    char s[FT_IP_STRLEN], d[FT_IP_STRLEN];
    ft_ip_str(&src->addr, s, sizeof s);
    ft_ip_str(&src->local, d, sizeof d);
    warn(rx, "ftpdu_seq_check(): src_ip=%s dst_ip=%s d_version=%u expecting=%u "
         "received=%u lost=%u%s", s, d, info->version, info->seq_expected, info->sequence,
         info->lost, info->resets ? " (reset)" : info->misordered ? " (misordered)" : "");
}

static int handle_datagram(struct receiver *rx, const struct ft_pdu_src *src,
                           const uint8_t *data, size_t len)
{
    char s[FT_IP_STRLEN];
    struct ft_pdu_info info;
    struct ft_err err;
    if (!ft_collect_accepts(&rx->o.addr, NULL, &src->addr)) {
        rx->corrupt++;
        ft_ip_str(&src->addr, s, sizeof s);
        warn(rx, "Unexpected PDU: src_ip=%s not configured", s);
        return 0;
    }
    if (ft_pdu_decode(rx->pdu, src, data, len, &info, &err) < 0) {
        rx->corrupt++;
        warn(rx, "ftpdu_verify(): %s", err.msg);
        return 0;
    }
    const struct ft_format *in = ft_pdu_format(&info);
    if (!in)
        return 0;
    if (!rx->w) {
        if (open_writer(rx, rx->o.out.format ? rx->o.out.format : in) < 0)
            return -1;
    }
    if (!ft_collect_translatable(ft_writer_format(rx->w), in)) {
        rx->corrupt++;
        ft_ip_str(&src->addr, s, sizeof s);
        warn(rx, "src_ip=%s: no v8 translation from %s to %s", s, in->name,
             ft_writer_format(rx->w)->name);
        return 0;
    }
    rx->datagrams++;
    if (info.lost || info.resets || info.misordered)
        seq_warning(rx, src, &info);
    rx->lost += info.lost;
    rx->resets += info.resets;
    rx->misordered += info.misordered;
    if (info.new_exporter && rx->o.debug)
        ft_collect_log_new_exporter(&rx->log, src, info.version);
    if (info.n_flows && ft_writer_write(rx->w, info.flows, info.n_flows) < 0) {
        ft_warn("%s", ft_writer_error(rx->w));
        return -1;
    }
    rx->flows += info.n_flows;
    return 0;
}

/* STAT lines as flow-capture -S writes them, one per exporter, all of them. */
static void stat_lines(struct receiver *rx)
{
    ft_collect_log_exporters(&rx->log, rx->pdu, time(NULL), rx->started, "",
                             ft_pdu_exporters(rx->pdu, NULL, 0));
    ft_collect_log_settings(&rx->log, rx->exporters, "");     /* as flow-capture says it */
}

static void maybe_stats(struct receiver *rx)
{
    if (!rx->o.stat_minutes)
        return;
    time_t now = time(NULL);
    if (now < rx->next_stat)
        return;
    stat_lines(rx);
    rx->next_stat = now + (time_t)rx->o.stat_minutes * 60;
}

/* ---- sources ------------------------------------------------------------ */

/*
 * The format a pcap file's datagrams fit in without loss: their own when
 * they are all of one fixed version, else the extended format.  NULL when
 * the file holds no export datagram at all.
 */
static const struct ft_format *pcap_format(const struct receiver *rx)
{
    struct ft_err err;
    struct ft_pcap *p = ft_pcap_open(rx->o.pcap_path, &err);
    if (!p)
        return NULL;
    if (rx->o.have_addr)
        ft_pcap_set_port(p, rx->o.addr.port);
    const struct ft_format *fmt = NULL, *ext = ft_format_find(FT_DV_EXTENDED, 0);
    struct ft_pcap_dgram d;
    while (fmt != ext && ft_pcap_next(p, &d, &err) == 1) {
        if (d.len < 4)
            continue;
        unsigned v = (unsigned)d.data[0] << 8 | d.data[1];
        const struct ft_format *f = v == 9 || v == 10 ? ext
                                  : v == 8 ? (d.len > 22 ? ft_format_find(8, d.data[22]) : NULL)
                                  : v == 1 || (v >= 5 && v <= 7) ? ft_format_find(v, 0) : NULL;
        if (!f)
            continue;
        fmt = !fmt || fmt == f ? f : ext;
    }
    ft_pcap_close(p);
    return fmt;
}

static int run_pcap(struct receiver *rx)
{
    struct ft_err err;
    if (!rx->o.out.format)
        rx->o.out.format = pcap_format(rx);
    /* the version is known: a file of rejected datagrams still gives a stream */
    if (rx->o.out.format && open_writer(rx, rx->o.out.format) < 0)
        return -1;
    struct ft_pcap *p = ft_pcap_open(rx->o.pcap_path, &err);
    if (!p) {
        ft_warn("%s", err.msg);
        return -1;
    }
    if (rx->o.have_addr)
        ft_pcap_set_port(p, rx->o.addr.port);
    struct ft_pcap_dgram d;
    int rc = 0;
    while (!stop_signal && (rc = ft_pcap_next(p, &d, &err)) == 1) {
        struct ft_pdu_src src = {.addr = d.src, .port = d.sport, .local = d.dst,
                                 .recv_ms = d.ts_ms};
        if (handle_datagram(rx, &src, d.data, d.len) < 0) {
            ft_pcap_close(p);
            return -1;
        }
    }
    if (!stop_signal && rc < 0)
        ft_warn("%s", err.msg);
    if (rx->o.debug) {
        struct ft_pcap_stats st;
        ft_pcap_stats(p, &st);
        ft_warn("pcap: frames=%llu datagrams=%llu not_udp=%llu "
                "other_port=%llu fragments=%llu truncated=%llu",
                (unsigned long long)st.frames, (unsigned long long)st.datagrams,
                (unsigned long long)st.not_udp, (unsigned long long)st.other_port,
                (unsigned long long)st.fragments, (unsigned long long)st.truncated);
    }
    ft_pcap_close(p);
    return rc < 0 && !stop_signal ? -1 : 0;
}

/* Bound before the output is opened, so a busy port leaves no empty file. */
static int listen_socket(struct receiver *rx)
{
    struct ft_err err;
    int got = 0;
    int fd = ft_udp_listen(&rx->o.addr, FT_UDP_RCVBUF_DEFAULT, &got, &err);
    if (fd < 0) {
        ft_warn("%s", err.msg);
        return -1;
    }
    if (rx->o.debug)
        ft_warn("setsockopt(size=%d)", got);
    return fd;
}

static int run_socket(struct receiver *rx, int fd)
{
    struct ft_err err;
    struct ft_udp_batch *b = ft_udp_batch_new(RECV_BATCH);
    if (!b) {
        close(fd);
        ft_warn("out of memory");
        return -1;
    }
    int rc = 0;
    while (!stop_signal && rc == 0) {
        maybe_stats(rx);
        if (ft_udp_wait(fd, 1000) <= 0)
            continue;
        int n = ft_udp_recv(fd, b, &err);
        if (n < 0) {
            ft_warn("%s", err.msg);
            rc = -1;
            break;
        }
        for (int i = 0; i < n && rc == 0; i++) {
            const struct ft_udp_dgram *d = ft_udp_batch_get(b, (unsigned)i);
            if (d->truncated) {
                rx->corrupt++;
                warn(rx, "datagram longer than %d bytes dropped", FT_UDP_DGRAM_MAX);
                continue;
            }
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            struct ft_pdu_src src = {.addr = d->src, .port = d->sport, .local = d->dst,
                                     .recv_ms = (uint64_t)ts.tv_sec * 1000u +
                                                (uint64_t)ts.tv_nsec / 1000000u};
            rc = handle_datagram(rx, &src, d->data, d->len);
        }
    }
    ft_udp_batch_free(b);
    close(fd);
    return rc;
}

/* ---- main --------------------------------------------------------------- */

static int open_output(struct receiver *rx)
{
    rx->out_fd = STDOUT_FILENO;
    if (rx->o.out_path) {
        rx->out_fd = open(rx->o.out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (rx->out_fd < 0) {
            ft_warn("%s: %s", rx->o.out_path, strerror(errno));
            return -1;
        }
    }
    struct stat st;
    rx->regular_file = rx->o.out_path && fstat(rx->out_fd, &st) == 0 && S_ISREG(st.st_mode);
    return 0;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
    struct receiver rx;
    memset(&rx, 0, sizeof rx);
    ft_progname = PROG;
    ft_log_init(&rx.log, PROG);
    if (parse_options(argc, argv, &rx.o) < 0)
        return 1;
    struct ft_pdu_opts po = {0};
    rx.exporters = ft_collect_load_exporters(rx.o.out.exporters_path);
    po.exporters = rx.exporters;
    rx.pdu = ft_pdu_ctx_new(&po);
    if (!rx.pdu) {
        ft_warn("out of memory");
        return 1;
    }
    rx.started = time(NULL);
    int fd = rx.o.pcap_path ? -1 : listen_socket(&rx);
    if ((!rx.o.pcap_path && fd < 0) || open_output(&rx) < 0)
        return 1;
    install_signals();
    /* the header is written as soon as the version is known */
    int rc = rx.o.out.format && !rx.o.pcap_path ? open_writer(&rx, rx.o.out.format) : 0;
    if (rc == 0)
        rc = rx.o.pcap_path ? run_pcap(&rx) : run_socket(&rx, fd);
    if (stop_signal)
        ft_warn("Cleaning up");
    if (rx.o.stat_minutes)
        stat_lines(&rx);
    if (close_writer(&rx) < 0)
        rc = -1;
    char settings[512] = "";
    if (rx.exporters)
        ft_exporters_stats_str(rx.exporters, settings, sizeof settings);
    if (rx.o.debug)
        ft_warn("datagrams=%llu flows=%llu corrupt=%llu lost=%llu "
                "resets=%llu misordered=%llu%s", (unsigned long long)rx.datagrams,
                (unsigned long long)rx.flows, (unsigned long long)rx.corrupt,
                (unsigned long long)rx.lost, (unsigned long long)rx.resets,
                (unsigned long long)rx.misordered, settings);
    ft_pdu_ctx_free(rx.pdu);
    ft_exporters_free(rx.exporters);
    if (rx.out_fd != STDOUT_FILENO)
        close(rx.out_fd);
    return rc < 0 ? 1 : 0;
}
