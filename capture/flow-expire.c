/*
 * flow-expire - apply flow-capture's expiry (-e files, -E bytes) to a
 * directory tree without capturing.
 *
 * The policy is the one flow-capture runs (ft_capfile.h): capture files are
 * ordered by the capture start in their headers and the oldest go first.
 * -d (flow-tools) and -n only report what would go.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "net/ft_capfile.h"
#include "ft_daemon.h"
#include "ft_prog.h"

#define PROG "flow-expire"

struct options {
    const char *workdir;
    uint64_t max_files, max_bytes;
    int debug;
    int dry_run;
};

static void usage(void)
{
    fprintf(stderr, "Usage: " PROG " [-hn] [-d level] [-e count] [-E size[bKMG]] [-w workdir]\n");
}

static void parse_args(struct options *o, int argc, char **argv)
{
    int ch;
    memset(o, 0, sizeof *o);
    o->workdir = ".";
    while ((ch = getopt(argc, argv, "d:e:E:hnw:")) != -1) {
        switch (ch) {
        case 'd': o->debug = (int)ft_opt_long(optarg, 0, INT_MAX, "debug level"); break;
        case 'e': o->max_files = ft_opt_size(optarg, "file count"); break;
        case 'E': o->max_bytes = ft_opt_size(optarg, "size"); break;
        case 'n': o->dry_run = 1; break;
        case 'w': o->workdir = optarg; break;
        case 'h': usage(); exit(0);
        default: usage(); exit(1);
        }
    }
    ft_opt_no_extra(argc, argv);
    if (o->debug > 0)
        o->dry_run = 1;         /* flow-tools: with -d nothing is unlinked */
}

struct report {
    struct ft_log *log;
    size_t failed;
};

static void on_note(void *arg, const char *path, const char *why)
{
    struct report *r = arg;
    ft_log(r->log, LOG_INFO, "ignoring: %s (%s)", path, why);
}

static void on_remove(void *arg, const char *path, int why, int errnum)
{
    struct report *r = arg;
    if (errnum && errnum != ENOENT) {
        ft_log(r->log, LOG_WARNING, "unlink %s: %s", path, strerror(errnum));
        r->failed++;
    } else {
        ft_log(r->log, LOG_INFO, "remove/%d %s", why, path);
    }
}

static void dump_list(const struct ft_expiry *x)
{
    size_t n = ft_expiry_count(x);
    for (size_t i = 0; i < n; i++) {
        const struct ft_expiry_file *f = ft_expiry_get(x, i);
        fprintf(stderr, "%s: start=%lu bytes=%llu %s\n", PROG, (unsigned long)f->start,
                (unsigned long long)f->bytes, f->path);
    }
    fprintf(stderr, "%s: %zu files, %llu bytes\n", PROG, n,
            (unsigned long long)x->total_bytes);
}

int main(int argc, char **argv)
{
    struct options o;
    struct ft_log log;
    struct ft_expiry x;
    struct ft_err err;

    ft_progname = PROG;
    parse_args(&o, argc, argv);
    ft_log_init(&log, PROG);
    log.debug = o.debug > 0;
    if (!o.dry_run)
        ft_log_to_syslog(&log, NULL);
    struct report rep = {&log, 0};
    ft_expiry_init(&x, o.max_files, o.max_bytes);
    if (ft_expiry_scan(&x, o.workdir, on_note, &rep, &err) < 0)
        ft_die("%s", err.msg);
    if (o.debug > 0)
        dump_list(&x);
    size_t n = ft_expiry_run(&x, 0, o.dry_run, on_remove, &rep);
    if (o.dry_run)
        fprintf(stderr, "%s: dry run: %zu files would be removed, %zu kept (%llu bytes)\n", PROG,
                n, ft_expiry_count(&x), (unsigned long long)x.total_bytes);
    ft_expiry_free(&x);
    return rep.failed ? 1 : 0;
}
