/*
 * flow-dscan - report hosts that scan networks or ports, from a flow stream
 * on standard input (lib/report/ft_dscan.h says what counts as a probe).
 *
 * Alarms go to standard output in the foreground (-b), to syslog otherwise
 * (-B in the foreground; by default detached, as flow-tools does, reading
 * the same standard input).  SIGHUP reloads the suppress lists, SIGUSR1
 * writes the state file; -p writes it at the end too, -l reads it first.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include "report/ft_dscan.h"
#include "stream/ft_stream.h"
#include "core/ft_file.h"
#include "net/ft_addrspec.h"
#include "lang/ft_cfg.h"
#include "ft_prog.h"
#include "ft_daemon.h"

#define PROG "flow-dscan"

struct options {
    struct ft_dscan_opts d;
    int foreground, use_syslog, load_state, dump_state, debug;
    const char *state_path, *suppress_base;
    struct ft_iflist input, output;
};

static volatile sig_atomic_t got_hup, got_usr1;
static struct ft_log logger;

static void usage(void)
{
    fprintf(stderr,
            "Usage: " PROG " [-bBhlmpwW] [-d level] [-D iplist_depth] [-i input_if_list]\n"
            "       [-I output_if_list] [-L suppress_file] [-O octets_trigger]\n"
            "       [-P packets_trigger] [-s state_file] [-S port_trigger]\n"
            "       [-t ager_timeout] [-T time_trigger]\n");
}

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        got_hup = 1;
    else
        got_usr1 = 1;
}

static void iflist_arg(const char *arg, struct ft_iflist *l, const struct ft_iflist **slot)
{
    if (ft_iflist_parse(arg, l) < 0)
        ft_die("bad interface list \"%s\" (numbers 0-65535, ranges a-b, ! inverts)", arg);
    *slot = l;
}

static void parse_args(struct options *o, int argc, char **argv)
{
    int c;
    while ((c = getopt(argc, argv, "bBd:D:hi:I:lL:mO:pP:s:S:t:T:wW")) != -1) {
        switch (c) {
        case 'b': o->foreground = 1; o->use_syslog = 0; break;
        case 'B': o->foreground = 1; o->use_syslog = 1; break;
        case 'd': o->debug = (int)ft_opt_long(optarg, 0, 100, "debug level"); break;
        case 'D': o->d.ip_depth = (uint32_t)ft_opt_long(optarg, 1, 10000000, "iplist depth"); break;
        case 'i': iflist_arg(optarg, &o->input, &o->d.input); break;
        case 'I': iflist_arg(optarg, &o->output, &o->d.output); break;
        case 'l': o->load_state = 1; break;
        case 'L': o->suppress_base = optarg; break;
        case 'm': o->d.ignore_multicast = 1; break;
        case 'O': o->d.octets_max = ft_opt_size(optarg, "octets trigger"); break;
        case 'p': o->dump_state = 1; break;
        case 'P': o->d.packets_max = (uint64_t)ft_opt_long(optarg, 1, 1000000000, "packets trigger"); break;
        case 's': o->state_path = optarg; break;
        case 'S': o->d.port_trigger = (uint32_t)ft_opt_long(optarg, 1, 65536, "port trigger"); break;
        case 't': o->d.ager_flows = (uint64_t)ft_opt_long(optarg, 0, 1000000000, "ager timeout"); break;
        case 'T':
            o->d.duration_max_ms = 1000 * (uint64_t)ft_opt_long(optarg, 0, 100000000, "time trigger");
            break;
        case 'w': o->d.ignore_www_in = 1; break;
        case 'W': o->d.ignore_www_out = 1; break;
        default:
            usage();
            exit(1);        /* -h too, as the original */
        }
    }
    ft_opt_no_extra(argc, argv);
}

/* ---- suppress lists -------------------------------------------------------- */

struct suppress {
    struct ft_trie *v4, *v6;
};

struct suppress_file {
    struct suppress *s;
    struct ft_err *err;
};

static int suppress_line(void *ctx, struct ft_cfg_line *l)
{
    struct suppress_file *sf = ctx;
    struct ft_err e;
    struct ft_ip addr;
    unsigned len;
    if (ft_cfg_split(l, 1) < 0)
        return ft_cfg_error(sf->err, l->file, l->lineno, "one address or prefix a line");
    if (ft_prefix_parse(l->word[0], 0, &addr, &len, &e) < 0)
        return ft_cfg_error(sf->err, l->file, l->lineno, "bad address or prefix \"%s\"",
                            l->word[0]);
    struct ft_trie *t = addr.af == FT_AF_INET6 ? sf->s->v6 : sf->s->v4;
    if (ft_trie_insert(t, &addr, len, 1, &e) < 0)
        return ft_cfg_error(sf->err, l->file, l->lineno, "%s", e.msg);
    return 0;
}

/* FILE.src or FILE.dst: absent is empty; otherwise every line must read. */
static int load_suppress(const char *path, struct suppress *s, struct ft_err *err)
{
    s->v4 = ft_trie_new(FT_AF_INET, 0);
    s->v6 = ft_trie_new(FT_AF_INET6, 0);
    if (!s->v4 || !s->v6)
        return ft_err_set(err, "out of memory");
    if (access(path, F_OK) != 0)
        return 0;
    size_t len;
    char *text = ft_file_read(path, 16u << 20, &len, err);
    if (!text)
        return -1;
    struct suppress_file sf = {s, err};
    int rc = ft_cfg_lines(text, len, path, NULL, suppress_line, &sf, err);
    free(text);
    return rc;
}

static void free_suppress(struct suppress *s)
{
    ft_trie_free(s->v4);
    ft_trie_free(s->v6);
    s->v4 = s->v6 = NULL;
}

/* Both lists of base (src, dst); on an error the old ones stay. */
static void reload_suppress(const char *base, struct ft_dscan *d, struct suppress cur[2])
{
    struct suppress next[2] = {{0}};
    struct ft_err err;
    char path[4096];
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s.%s", base, i ? "dst" : "src");
        if (load_suppress(path, &next[i], &err) < 0) {
            ft_log(&logger, LOG_ERR, "suppress list: %s", err.msg);
            free_suppress(&next[0]);
            free_suppress(&next[1]);
            return;
        }
    }
    ft_dscan_set_suppress(d, next[0].v4, next[0].v6, next[1].v4, next[1].v6);
    for (int i = 0; i < 2; i++) {
        free_suppress(&cur[i]);
        cur[i] = next[i];
    }
}

/* ---- alarms and state --------------------------------------------------- */

static void put_time(char *buf, size_t size, uint64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void on_alarm(void *arg, const struct ft_dscan_alarm *a)
{
    const struct options *o = arg;
    char src[64], dst[64], first[32], last[32];
    ft_ip_str(&a->src, src, sizeof src);
    put_time(first, sizeof first, a->first_ms);
    put_time(last, sizeof last, a->last_ms);
    char msg[256];
    if (a->kind == FT_DSCAN_HOST)
        snprintf(msg, sizeof msg, "host scan: src=%s destinations=%u first=%s last=%s", src,
                 a->count, first, last);
    else
        snprintf(msg, sizeof msg, "port scan: src=%s dst=%s ports=%u first=%s last=%s", src,
                 ft_ip_str(&a->dst, dst, sizeof dst), a->count, first, last);
    if (o->use_syslog || !o->foreground) {
        ft_log(&logger, LOG_WARNING, "%s", msg);
    } else {
        printf("%s\n", msg);
        fflush(stdout);
    }
}

/* The state file, written whole under a temporary name first. */
static void save_state(const char *path, const struct ft_dscan *d)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f || ft_dscan_save(d, f) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
        ft_log(&logger, LOG_ERR, "state file %s: %s", path, strerror(errno));
        unlink(tmp);
    }
}

static void load_state(const char *path, struct ft_dscan *d)
{
    struct ft_err err;
    size_t len;
    char *text = ft_file_read(path, 1u << 30, &len, &err);
    if (!text || ft_dscan_load(d, text, len, path, &err) < 0)
        ft_die("%s", err.msg);
    free(text);
}

static void log_stats(const struct ft_dscan *d)
{
    struct ft_dscan_stats st;
    ft_dscan_stats(d, &st);
    ft_log(&logger, LOG_INFO, "flows=%llu probes=%llu suppressed=%llu host_scans=%llu "
           "port_scans=%llu sources=%llu pairs=%llu refused=%llu",
           (unsigned long long)st.flows, (unsigned long long)st.probes,
           (unsigned long long)st.suppressed, (unsigned long long)st.host_scans,
           (unsigned long long)st.port_scans, (unsigned long long)st.sources,
           (unsigned long long)st.pairs, (unsigned long long)st.refused);
}

/* ---- main ----------------------------------------------------------------- */

/* Detach as flow-tools does, keeping standard input: it is what we read. */
static void detach(void)
{
    struct ft_err err;
    int in = dup(0), ready = -1;
    if (in < 0)
        ft_die("dup: %s", strerror(errno));
    ft_check(ft_daemon_detach(PROG, 0, &ready, &err), &err);
    dup2(in, 0);
    close(in);
    ft_log_to_syslog(&logger, NULL);
    ft_daemon_ready(&ready);
}

static int scan(struct ft_reader *r, struct ft_dscan *d, const struct options *o,
                struct suppress sup[2])
{
    const struct ft_flow *flows;
    struct ft_err err;
    ssize_t n;
    while ((n = ft_reader_flows(r, &flows, FT_READ_BATCH)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            if (ft_dscan_flow(d, &flows[i], &err) < 0) {
                ft_log(&logger, LOG_ERR, "%s", err.msg);
                return 1;
            }
        if (got_hup && o->suppress_base) {
            got_hup = 0;
            reload_suppress(o->suppress_base, d, sup);
        }
        if (got_usr1) {
            got_usr1 = 0;
            save_state(o->state_path, d);
        }
    }
    if (n < 0) {
        ft_log(&logger, LOG_ERR, "%s", ft_reader_error(r));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static struct options o = {
        .d = {.ip_depth = 200, .port_trigger = 64, .ager_flows = 90000, .packets_max = 3,
              .octets_max = 1024},
        .state_path = "/var/tmp/dscan.state", .suppress_base = "./dscan.suppress"};
    ft_progname = PROG;
    ft_log_init(&logger, PROG);
    parse_args(&o, argc, argv);
    if (o.use_syslog)
        ft_log_to_syslog(&logger, NULL);

    struct ft_err err;
    struct ft_dscan *d = ft_dscan_new(&o.d, on_alarm, &o, &err);
    if (!d)
        ft_die("%s", err.msg);
    struct suppress sup[2] = {{0}};
    reload_suppress(o.suppress_base, d, sup);
    if (!sup[0].v4)
        return 1;       /* a broken suppress list at start: said, and fatal */
    if (o.load_state)
        load_state(o.state_path, d);
    struct ft_reader *r = ft_stdin_reader();
    if (!o.foreground)
        detach();
    struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);

    int rc = scan(r, d, &o, sup);
    if (o.dump_state)
        save_state(o.state_path, d);
    if (o.debug)
        log_stats(d);
    ft_reader_close(r);
    ft_dscan_free(d);
    free_suppress(&sup[0]);
    free_suppress(&sup[1]);
    return rc;
}
