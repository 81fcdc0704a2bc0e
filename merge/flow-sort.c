/*
 * flow-sort - sort a flow stream by one or several fields.
 *
 * The flow-tools manual names flow-sort; the original never shipped one.
 * This one reads one stream on standard input and writes the same records
 * (the same bytes) on standard output ordered by a key of any fields of the
 * field table, each ascending or descending, stably.  The sorting is ftlib's
 * (stream/ft_sort.h): in memory up to -m, else through temporary runs in -T
 * that are unlinked as soon as they exist, so nothing is left behind on any
 * exit, kill -9 included.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ft_sortkey.h"
#include "stream/ft_sort.h"
#include "stream/ft_stream.h"
#include "ft_prog.h"

#define BATCH 4096

struct options {
    char keys[4096];            /* -k, joined by commas */
    const char *comment;        /* -C */
    int debug;                  /* -d */
    struct ft_sort_opts sort;   /* -m, -T, -Z */
    struct ft_write_opts out;   /* -b, -z */
};

static void usage(void)
{
    fprintf(stderr,
        "Usage: flow-sort [-h] [-b big|little] [-C comment] [-d level] -k [+|-]field[,...]\n"
        "                 [-m size] [-T tmpdir] [-z level] [-Z level]\n");
}

/* A quarter of the machine's memory: large inputs sort in memory, and a
 * few sorts at once still fit. */
static size_t default_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || size <= 0)
        return (size_t)1 << 30;
    return (size_t)((uint64_t)pages * (uint64_t)size / 4);
}

static void add_keys(struct options *o, const char *arg)
{
    size_t len = strlen(o->keys);
    if (len + strlen(arg) + 2 > sizeof o->keys)
        ft_die("sort key too long");
    snprintf(o->keys + len, sizeof o->keys - len, "%s%s", len ? "," : "", arg);
}

static void parse_options(int argc, char **argv, struct options *o)
{
    struct ft_err err;
    int c;
    memset(o, 0, sizeof *o);
    const char *tmp = getenv("TMPDIR");
    o->sort.tmpdir = tmp && *tmp ? tmp : "/tmp";
    o->sort.mem_limit = default_memory();
    while ((c = getopt(argc, argv, "b:C:d:hk:m:T:z:Z:")) != -1) {
        switch (c) {
        case 'b': o->out.byte_order = ft_opt_byte_order(optarg); break;
        case 'C': o->comment = optarg; break;
        case 'd': o->debug = atoi(optarg); break;
        case 'k': add_keys(o, optarg); break;
        case 'm': {
            uint64_t m = ft_opt_size(optarg, "memory size");
            if (m < FT_SORT_MEM_MIN || m > SIZE_MAX / 2)
                ft_die("bad memory size \"%s\" (64K at least)", optarg);
            o->sort.mem_limit = (size_t)m;
            break;
        }
        case 'T': o->sort.tmpdir = optarg; break;
        case 'z':
            if (ft_parse_compression(optarg, &o->out, &err) < 0)
                ft_die("%s", err.msg);
            break;
        case 'Z':
            if (ft_parse_compression(optarg, &o->sort.run, &err) < 0)
                ft_die("%s", err.msg);
            break;
        default: usage(); exit(1);     /* -h too, as flow-tools' filters */
        }
    }
    ft_opt_no_extra(argc, argv);
    if (!o->keys[0]) {
        usage();
        ft_die("no sort key given (-k)");
    }
}

/* The input's header describes the output too (the same flows, capture
 * times and counts), but for byte order, flags and the -C comment. */
static struct ft_writer *open_output(const struct ft_reader *r, const struct options *o)
{
    struct ft_header h = *ft_reader_header(r);
    struct ft_err err;
    h.byte_order = (uint8_t)ft_host_order();
    h.flags = 0;
    h.header_len = 0;
    h.s_version = 3;
    if (o->comment)
        ft_header_set_str(&h, FT_TLV_COMMENTS, o->comment);
    struct ft_writer *w = ft_writer_open(STDOUT_FILENO, "stdout", &h, &o->out, &err);
    if (!w)
        ft_die("%s", err.msg);
    return w;
}

int main(int argc, char **argv)
{
    struct options o;
    struct ft_sortkey key;
    struct ft_err err;
    int status = 0;
    ft_progname = "flow-sort";
    parse_options(argc, argv, &o);

    struct ft_reader *r = ft_stdin_reader();
    const struct ft_format *fmt = ft_reader_format(r);
    unsigned kflags = fmt->d_version == FT_DV_EXTENDED ? FT_SORTKEY_ADDR6 : 0;
    if (ft_sortkey_parse(&key, o.keys, kflags, &err) < 0)
        ft_die("%s", err.msg);
    struct ft_sorter *s = ft_sorter_new(&key, fmt, ft_reader_order(r), &o.sort, &err);
    if (!s)
        ft_die("%s", err.msg);

    const uint8_t *recs;
    ssize_t n;
    while ((n = ft_reader_raw(r, &recs, BATCH)) > 0)
        if (ft_sorter_add(s, recs, (size_t)n, &err) < 0)
            ft_die("%s", err.msg);
    if (n < 0) {        /* damaged: what came before it is still sorted and written */
        ft_warn("%s", ft_reader_error(r));
        status = 1;
    }
    struct ft_writer *w = open_output(r, &o);
    if (ft_sorter_finish(s, w, &err) < 0)
        ft_die("%s", err.msg);
    if (ft_writer_close(w, &err) < 0)
        ft_die("%s", err.msg);
    if (o.debug > 0) {
        struct ft_sort_stats st;
        char text[256];
        ft_sorter_stats(s, &st);
        ft_warn("%" PRIu64 " records sorted by %s; %" PRIu64 " runs (%" PRIu64
                " bytes) in %s, %u merge passes", st.records,
                ft_sortkey_text(&key, text, sizeof text), st.runs, st.run_bytes,
                o.sort.tmpdir, st.passes);
    }
    ft_sorter_free(s);
    ft_reader_close(r);
    return status;
}
