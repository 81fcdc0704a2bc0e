/*
 * flow-capture - collect NetFlow/IPFIX datagrams into rotating flow files.
 *
 * Four threads, so that receiving never waits on the disk:
 *   receiver  reads datagrams (recvmmsg batches, or a pcap file with -r),
 *             decodes them and fills batches of flows (flow-capture-recv.c);
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
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "flow-capture.h"
#include "ft_prog.h"
#include "net/ft_capfile.h"
#include "net/ft_udp.h"
#include "pdu/ft_exporters.h"

#define DEFAULT_PIDFILE "/var/run/flow-capture.pid"
#define QUEUE_BATCHES_DEFAULT 32
#define BATCH_FLOWS 2048

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

void capture_free_rules(struct rules *ru)
{
    if (!ru)
        return;
    ft_tag_free(ru->tag);
    ft_filter_free(ru->filter);
    free(ru);
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
        capture_free_rules(ru);
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
    capture_free_rules(atomic_exchange(&c->next_rules, ru));
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
    ft_opt_no_extra(argc, argv);
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
    ft_check(ft_daemon_detach(c->log.prog, c->opt.keep_umask, ready_fd, &err), &err);
    ft_log_to_syslog(&c->log, ready_fd);
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
    if (pthread_create(&rt, NULL, capture_receiver_main, &r) != 0) {
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
    capture_log_summary(c, r.pdu, " (exit)");
    ft_pdu_ctx_free(r.pdu);
    capture_free_rules(r.rules);
    capture_free_rules(atomic_exchange(&c->next_rules, NULL));
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
