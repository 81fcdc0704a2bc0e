/*
 * flow-gen - write synthetic flows to standard output.
 *
 * Without -R: the original flow-gen's sequential counters, byte for byte.
 * With -R: realistic edge traffic from a seeded generator (lib/ft_gen.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "synth/ft_gen.h"
#include "core/ft_getdate.h"
#include "stream/ft_stream.h"
#include "ft_prog.h"

#define BATCH 4096


static void usage(void)
{
    fprintf(stderr,
        "Usage: flow-gen [-h] [-b big|little] [-C comment] [-d level] [-n count]\n"
        "                [-V version] [-z level]\n"
        "                [-R [-s seed] [-S start] [-D span] [-6 percent]]\n"
        "  -n count    flows to write (default 1000)\n"
        "  -V version  record format: 1, 5, 6, 7, 8.1-8.14, 1005, extended (default 5)\n"
        "  -R          realistic traffic instead of the original's counters:\n"
        "  -s seed     random seed (default 1): the same seed gives the same flows\n"
        "  -S start    start of the time span, a date as flow-cat -t takes\n"
        "              (default 2024-03-14 09:00:00 UTC)\n"
        "  -D span     length of the span: seconds, or N with s, m, h or d (default 1h)\n"
        "  -6 percent  share of IPv6 conversations, extended format only (default %u)\n",
        FT_GEN_V6_DEFAULT);
}

/* A whole unsigned number, or die naming the option. */
static uint64_t parse_count(const char *arg, const char *what)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 0);
    if (errno || end == arg || *end || arg[0] == '-')
        ft_die("%s: not a number", what);
    return v;
}

/* "3600", "90s", "45m", "6h", "7d". */
static uint32_t parse_span(const char *arg)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    unsigned long long unit = 1;
    if (errno || end == arg || arg[0] == '-')
        ft_die("span \"%s\": not a number", arg);
    if (*end && end[1] == 0) {
        switch (*end) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        default: ft_die("span \"%s\": unit must be s, m, h or d", arg);
        }
    } else if (*end) {
        ft_die("span \"%s\": unit must be s, m, h or d", arg);
    }
    if (v == 0 || v > FT_GEN_SPAN_MAX / unit)
        ft_die("span \"%s\": must be 1 second to 366 days", arg);
    return (uint32_t)(v * unit);
}

static const struct ft_format *parse_version(const char *arg)
{
    const struct ft_format *fmt = ft_format_parse(arg);
    if (!fmt)
        ft_die("Version scan failed: unsupported export version \"%s\"", arg);
    return fmt;
}

struct options {
    struct ft_gen_opts gen;
    struct ft_write_opts out;
    const char *comment;
    int debug;
    int seed_given, v6_given;
};

static void parse_options(int argc, char **argv, struct options *o)
{
    struct ft_err err;
    int c;
    ft_gen_opts_init(&o->gen);
    memset(&o->out, 0, sizeof o->out);
    o->comment = "flow-gen";
    while ((c = getopt(argc, argv, "6:b:C:d:D:hn:Rs:S:V:z:")) != -1) {
        switch (c) {
        case '6':
            o->gen.v6_percent = (unsigned)parse_count(optarg, "-6");
            if (o->gen.v6_percent > 100)
                ft_die("-6 %s: the IPv6 share is a percentage, 0 to 100", optarg);
            o->v6_given = 1;
            break;
        case 'b': o->out.byte_order = ft_opt_byte_order(optarg); break;
        case 'C': o->comment = optarg; break;
        case 'd': o->debug = atoi(optarg); break;
        case 'D': o->gen.span = parse_span(optarg); break;
        case 'h': usage(); exit(0);
        case 'n': o->gen.count = parse_count(optarg, "-n"); break;
        case 'R': o->gen.kind = FT_GEN_REALISTIC; break;
        case 's': o->gen.seed = parse_count(optarg, "-s"); o->seed_given = 1; break;
        case 'S': {
            time_t t;
            if (ft_getdate(optarg, time(NULL), &t, &err) < 0)
                ft_die("-S: %s", err.msg);
            o->gen.start = (int64_t)t;
            break;
        }
        case 'V': o->gen.fmt = parse_version(optarg); break;
        case 'z':
            if (ft_parse_compression(optarg, &o->out, &err) < 0)
                ft_die("%s", err.msg);
            break;
        default: usage(); exit(1);
        }
    }
    ft_opt_no_extra(argc, argv);
    if (o->gen.kind == FT_GEN_COUNTER && o->v6_given)
        ft_warn("-6 only applies to realistic flows (-R)");
    else if (o->v6_given && o->gen.v6_percent > 0 && !ft_gen_format_has_ipv6(o->gen.fmt))
        ft_warn("the %s format holds no IPv6 addresses: all flows are IPv4", o->gen.fmt->name);
}

/* The header the original writes: host name and comment "flow-gen". */
static void build_header(struct ft_header *h, const struct options *o)
{
    ft_header_init(h, o->gen.fmt);
    ft_header_set_str(h, FT_TLV_CAP_HOSTNAME, "flow-gen");
    ft_header_set_str(h, FT_TLV_COMMENTS, o->comment);
}

static int generate(struct ft_gen *g, struct ft_writer *w)
{
    static struct ft_flow flows[BATCH];
    size_t n;
    while ((n = ft_gen_next(g, flows, BATCH)) > 0) {
        if (ft_writer_write(w, flows, n) < 0)
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct options o;
    struct ft_header h;
    struct ft_err err;
    ft_progname = "flow-gen";
    parse_options(argc, argv, &o);

    struct ft_gen *g = ft_gen_new(&o.gen, &err);
    if (!g)
        ft_die("%s", err.msg);
    build_header(&h, &o);
    struct ft_writer *w = ft_writer_open(STDOUT_FILENO, "stdout", &h, &o.out, &err);
    if (!w)
        ft_die("%s", err.msg);
    int rc = generate(g, w);
    if (rc < 0)
        ft_warn("%s", ft_writer_error(w));
    uint64_t written = ft_writer_count(w), lossy = ft_writer_losses(w);
    if (ft_writer_close(w, &err) < 0) {
        if (rc == 0)
            ft_warn("%s", err.msg);
        rc = -1;
    }
    ft_gen_free(g);
    if (o.debug > 0)
        ft_warn("%" PRIu64 " flows written (%s, %s), %" PRIu64
                " lost something in conversion", written, o.gen.fmt->name,
                o.gen.kind == FT_GEN_REALISTIC ? "realistic" : "counters", lossy);
    return rc < 0 ? 1 : 0;
}
