#include <errno.h>
#include <signal.h>
#include <string.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <strings.h>
#include <unistd.h>
#include "core/ft_err.h"
#include "net/ft_addrspec.h"
#include "net/ft_capfile.h"
#include "net/ft_files.h"
#include "stream/ft_format.h"
#include "stream/ft_stream.h"
#include "lang/ft_tag.h"
#include "text/ft_text.h"
#include "ft_prog.h"

const char *ft_progname = "ftkit";

static void vwarn(const char *fmt, va_list ap)
{
    fprintf(stderr, "%s: ", ft_progname);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void ft_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vwarn(fmt, ap);
    va_end(ap);
}

void ft_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vwarn(fmt, ap);
    va_end(ap);
    exit(1);
}

int ft_opt_byte_order(const char *arg)
{
    if (strcasecmp(arg, "big") == 0)
        return FT_ORDER_BIG;
    if (strcasecmp(arg, "little") == 0)
        return FT_ORDER_LITTLE;
    ft_die("expecting \"big\" or \"little\"");
}

void ft_check(int rc, const struct ft_err *err)
{
    if (rc < 0)
        ft_die("%s", err->msg);
}

void ft_opt_listen_addr(const char *arg, struct ft_addrspec *a)
{
    struct ft_err err;
    ft_check(ft_addrspec_parse(arg, 1, a, &err), &err);
}

void ft_opt_dest_addr(const char *arg, struct ft_addrspec *a)
{
    struct ft_err err;
    ft_check(ft_addrspec_parse(arg, 0, a, &err), &err);
    if (a->remote.af == FT_AF_NONE)
        ft_die("%s: no destination address", arg);
}

long ft_opt_long(const char *arg, long lo, long hi, const char *what)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno || end == arg || *end || v < lo || v > hi)
        ft_die("bad %s \"%s\"", what, arg);
    return v;
}

uint64_t ft_opt_size(const char *arg, const char *what)
{
    uint64_t size;
    if (ft_capfile_parse_size(arg, &size) < 0)
        ft_die("bad %s \"%s\"", what, arg);
    return size;
}

int ft_opt_rcvbuf(const char *arg)
{
    uint64_t size = ft_opt_size(arg, "receive buffer size");
    if (size > INT_MAX)
        ft_die("bad receive buffer size \"%s\"", arg);
    return (int)size;
}

void ft_opt_export_version(const char *arg, const char *verb, unsigned *version,
                           unsigned *agg_method)
{
    unsigned v, m = 0;
    char extra;
    int k = sscanf(arg, "%u.%u%c", &v, &m, &extra);
    if (k < 1 || k > 2)
        ft_die("Version scan failed: \"%s\"", arg);
    if (v != 1 && v != 5 && v != 6 && v != 7 && v != 8 && v != 9)
        ft_die("cannot %s NetFlow version %u (1, 5, 6, 7, 8.M or 9)", verb, v);
    if ((v == 8) != (k == 2))
        ft_die("v8 needs an aggregation method (8.M), other versions none");
    *version = v;
    *agg_method = m;
}

volatile sig_atomic_t ft_stop_requested;

static void on_stop_signal(int sig)
{
    (void)sig;
    ft_stop_requested = 1;
}

void ft_catch_stop_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int ft_prog_file_list(struct ft_file_list *l, int argc, char **argv, unsigned flags,
                      int global)
{
    struct ft_err err;
    int failed = 0;
    ft_files_init(l);
    if (argc == 0) {
        ft_files_add(l, "-", 0, &err);
        return 0;
    }
    for (int i = 0; i < argc; i++) {
        if (ft_files_add(l, argv[i], flags, &err) < 0) {
            ft_warn("%s", err.msg);
            failed = 1;
        }
    }
    /* Every header is read first: to sort, to select, to preload; and files
     * that hold no flows are found before anything is written. */
    for (size_t i = 0; i < l->n; i++) {
        struct ft_file *f = &l->files[i];
        if (!(f->has & FT_FILE_ONCE) && ft_file_probe(f, &err) < 0) {
            ft_warn("%s, skipped", err.msg);
            failed = 1;
        }
    }
    ft_files_sort(l, global);
    return failed;
}

struct ft_reader *ft_stdin_reader(void)
{
    struct ft_err err;
    struct ft_reader *r = ft_reader_open(STDIN_FILENO, "stdin", 0, &err);
    if (!r)
        ft_die("%s", err.msg);
    return r;
}

void ft_stdout_text(struct ft_out *out)
{
    if (ft_out_init(out, STDOUT_FILENO, 0) != 0)
        ft_die("out of memory");
}

const struct ft_tag_def *ft_tag_def_load(const char *path, const char *name,
                                         const struct ft_vars *vars, struct ft_tag **tag,
                                         struct ft_err *err)
{
    struct ft_tag_opts topts = {.vars = vars};
    if (!path)
        path = FT_DEFAULT_TAG_FILE;
    /* the file first: its errors are told even without -T, as flow-tools does */
    if (!(*tag = ft_tag_load(path, &topts, err)))
        return NULL;
    const struct ft_tag_def *d = name ? ft_tag_find(*tag, name) : NULL;
    if (!d) {
        if (name)
            ft_err_set(err, "%s: no tag-definition \"%s\"", path, name);
        else
            ft_err_set(err, "no tag definition given (-T)");
        ft_tag_free(*tag);
        *tag = NULL;
    }
    return d;
}

const struct ft_tag_def *ft_opt_tag_def(const char *path, const char *name,
                                        const struct ft_vars *vars, struct ft_tag **tag)
{
    struct ft_err err;
    const struct ft_tag_def *d = ft_tag_def_load(path, name, vars, tag, &err);
    if (!d)
        ft_die("%s", err.msg);
    return d;
}

const char *ft_prog_symdir(void)
{
    const char *d = getenv("FTKIT_SYMDIR");
    return d && *d ? d : NULL;
}

void ft_opt_no_extra(int argc, char **argv)
{
    if (optind < argc)
        ft_die("Extra arguments starting with %s.", argv[optind]);
}
