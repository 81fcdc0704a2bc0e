/*
 * flow-stat - flow-tools' classic reports (formats 0..32) of the stream on
 * standard input.  The reports are lib/report/ft_stat.c; this is options,
 * the read loop and the messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "report/ft_agg.h"
#include "report/ft_stat.h"
#include "stream/ft_stream.h"
#include "ft_prog.h"

#define PROG "flow-stat"

/* Exit status of a report that left flows out at the key limit (-K). */
#define EXIT_INCOMPLETE 2

static void usage(void)
{
    fprintf(stderr,
            "Usage: " PROG " [-hnpPw] [-c comment_char] [-d debug_level] [-f format]\n"
            "       [-K max_keys] [-s field] [-S field] [-t tally] [-T title]\n"
            "  -f format  0..32 (0 overall summary, 5 destination port, 9 source IP, ...)\n"
            "  -n         symbolic names for ports, protocols, AS numbers and tags\n"
            "  -P         counters as percentages of the report's totals\n"
            "  -w         wide: a duration column\n"
            "  -s field   sort ascending on field (0 key, 1 flows, 2 octets, 3 packets,\n"
            "             4 duration); -S field sorts descending\n"
            "  -p         print the stream header after the report information\n"
            "  -c char    comment character (default #)\n"
            "  -T title   title of the report\n"
            "  -t tally   accepted for compatibility (no effect)\n"
            "  -K keys    keys a report keeps at most (default %u)\n"
            "  -d level   debug level\n"
            "  -h         this help\n",
            FT_AGG_DEFAULT_MAX_KEYS);
}

struct args {
    struct ft_stat_opts opts;
    const char *title;
    int header;                 /* -p */
};

static int sort_arg(const char *arg, struct ft_stat_opts *o, enum ft_stat_order order)
{
    char *end;
    long n = strtol(arg, &end, 10);
    if (end == arg || *end || n < 0 || n > 99) {
        ft_warn("can't sort on field %s", arg);
        return 1;
    }
    o->order = order;
    o->sort_field = (int)n;
    return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
    int c;
    while ((c = getopt(argc, argv, "c:d:f:hK:npPs:S:t:T:w")) != -1) {
        switch (c) {
        case 'c':
            a->opts.comment = optarg[0];
            break;
        case 'd':
        case 't':
            break;              /* accepted as flow-tools does; no report uses them */
        case 'f': {
            char *end;
            long f = strtol(optarg, &end, 10);
            if (end == optarg || *end || f < 0 || f >= FT_STAT_NFORMATS) {
                ft_warn("No such format, %s", optarg);
                return 1;
            }
            a->opts.format = (int)f;
            break;
        }
        case 'h':
            usage();
            exit(0);
        case 'K':
            a->opts.max_keys = (size_t)ft_opt_long(optarg, 1, 4000000000L, "key limit");
            break;
        case 'n':
            a->opts.names = 1;
            break;
        case 'p':
            a->header = 1;
            break;
        case 'P':
            a->opts.percent = 1;
            break;
        case 's':
        case 'S':
            if (sort_arg(optarg, &a->opts, c == 's' ? FT_STAT_ASCENDING : FT_STAT_DESCENDING))
                return 1;
            break;
        case 'T':
            a->title = optarg;
            break;
        case 'w':
            a->opts.wide = 1;
            break;
        default:
            usage();
            return 1;
        }
    }
    if (optind < argc) {
        ft_warn("Extra arguments starting with %s.", argv[optind]);
        return 1;
    }
    if (a->opts.order != FT_STAT_UNSORTED &&
        !ft_stat_sort_valid(a->opts.format, a->opts.sort_field)) {
        ft_warn("can't sort on field %d", a->opts.sort_field);
        return 1;
    }
    return 0;
}

/* Count every flow; 0, or 1 on a damaged stream or a write error.  The
 * reader inflates and decodes on a second thread while this one counts. */
static int count_flows(struct ft_reader *r, struct ft_stat *s, struct ft_out *out)
{
    ft_reader_decode_in_caller(r);     /* zlib: the reading thread only inflates */
    ft_reader_read_ahead(r, NULL);
    const struct ft_flow *flows;
    ssize_t n;
    while ((n = ft_reader_flows(r, &flows, FT_READ_BATCH)) > 0)
        ft_stat_add(s, out, flows, (size_t)n);
    if (n < 0) {
        ft_warn("%s", ft_reader_error(r));
        return 1;
    }
    return 0;
}

/* What an operator must know about flows the report left out. */
static int report_losses(const struct ft_stat *s)
{
    if (ft_stat_bogus(s) > 0)
        ft_warn("Ignoring %llu bogus flows with dPkts=0",
                (unsigned long long)ft_stat_bogus(s));
    if (ft_stat_failed(s)) {
        ft_warn("report incomplete: out of memory after %zu keys", ft_stat_keys(s));
        return EXIT_INCOMPLETE;
    }
    if (ft_stat_refused(s) > 0) {
        ft_warn("report incomplete: %llu flows not counted, the limit of %zu keys was "
                "reached (raise it with -K)",
                (unsigned long long)ft_stat_refused(s), ft_stat_keys(s));
        return EXIT_INCOMPLETE;
    }
    return 0;
}

static int finish(struct ft_out *out, int rc)
{
    ft_out_flush(out);
    if (out->error) {
        ft_warn("write error: %s", strerror(out->error));
        rc = 1;
    }
    ft_out_free(out);
    return rc;
}

int main(int argc, char **argv)
{
    struct args a = {.opts = {.comment = '#', .symdir = ft_prog_symdir()}};
    ft_progname = PROG;
    if (parse_args(argc, argv, &a) != 0)
        return 1;

    struct ft_err err;
    struct ft_reader *r = ft_stdin_reader();
    struct ft_out out;
    ft_stdout_text(&out);
    ft_stat_info(&out, &a.opts, a.title, argc, argv, a.header ? ft_reader_header(r) : NULL);
    enum ft_stat_error why;
    struct ft_stat *s = ft_stat_new(&a.opts, ft_reader_format(r), &why, &err);
    if (!s) {
        /* The original prints the information block and exits 0 when the
         * stream lacks a field of the report. */
        ft_warn("%s", err.msg);
        ft_reader_close(r);
        return finish(&out, why == FT_STAT_EFIELDS ? 0 : 1);
    }
    ft_reader_want(r, ft_stat_reads(a.opts.format));    /* column blocks: these columns */
    ft_stat_begin(s, &out);
    int rc = count_flows(r, s, &out);
    if (ft_stat_end(s, &out) != 0) {
        ft_warn("out of memory sorting the report");
        rc = 1;
    }
    int losses = report_losses(s);
    if (!rc)
        rc = losses;
    ft_stat_free(s);
    ft_reader_close(r);
    return finish(&out, rc);
}
