/*
 * flow-report - the reports of a stat.cfg definition over the flow stream
 * on standard input (tools.md section 16; the language is
 * nfilter-language.md section 3, the output print-formats.md section 5).
 * The work is in lib/report: this is the command line around it.
 */
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lang/ft_vars.h"
#include "report/ft_rcfg.h"
#include "report/ft_report.h"
#include "stream/ft_format.h"
#include "stream/ft_stream.h"
#include "text/ft_text.h"
#include "core/ft_getdate.h"
#include "ft_prog.h"
#include "io/ft_chrow.h"
#include "ch_report.h"

#define PROG "flow-report"
#define FT_DEFAULT_STAT_FILE FT_SYSCONFDIR "/cfg/stat.cfg"
#define FT_DEFAULT_FILTER_FILE FT_SYSCONFDIR "/cfg/filter.cfg"

struct args {
    const char *stat_file;
    const char *definition;
    struct ft_vars vars;
    size_t max_keys;            /* -K: keys one report may hold (0: the default) */
    int format;                 /* -f: enum ft_rformat of every output */
    int help;                   /* -h once, -hh twice */
    int clickhouse;             /* -c: the flows are in a ClickHouse table */
    struct ch_source ch;        /* -c, -Q, -t, -T, -E */
};

static void usage(void)
{
    fprintf(stderr,
            "Usage: " PROG " [-h] [-d debug_level] [-f format] [-K keys] [-s stat_file]\n"
            "       [-S definition] [-v variable=value]\n"
            "  -s file   the report configuration (default " FT_DEFAULT_STAT_FILE ")\n"
            "  -S name   the stat-definition to run (default \"default\")\n"
            "  -v N=V    set variable N (@N, @{N:-default} in the configuration)\n"
            "  -f fmt    every output as ascii, json (JSON lines) or csv,\n"
            "            whatever the configuration's `format' says\n"
            "  -K keys   most keys one report holds (default 10000000);\n"
            "            a report that reaches it says it is incomplete\n"
            "  -d level  debug level\n"
            "  -c url    read the flows from ClickHouse (flow-clickhouse's table)\n"
            "            instead of standard input: http://host:port/\n"
            "  -Q table  its table (default flows)\n"
            "  -t start, -T end   with -c: flows that start in [start, end)\n"
            "  -E a.b.c.d,...     with -c: flows of these exporters only\n"
            "  -h        this help; -hh also lists the report types\n");
}

static void list_types(void)
{
    fprintf(stderr, "\nReport types:\n");
    for (size_t i = 0; ft_rtype_name(i); i++)
        fprintf(stderr, "  %s\n", ft_rtype_name(i));
}

static void parse_args(int argc, char **argv, struct args *a)
{
    struct ft_err err;
    int c;
    /* -b, -C, -k and -z are in the original's option string but refused */
    while ((c = getopt(argc, argv, "b:c:C:d:E:f:hkK:Q:s:S:t:T:v:z:")) != -1) {
        switch (c) {
        case 'd':
            break;              /* accepted; nothing to debug */
        case 'c':
            if (ft_ch_url_parse(optarg, &a->ch.url, &err) < 0)
                ft_die("%s", err.msg);
            a->clickhouse = 1;
            break;
        case 'E':
            ch_add_exporters(&a->ch, optarg);
            break;
        case 'Q':
            if (ft_ch_check_name("table", optarg, &err) < 0)
                ft_die("%s", err.msg);
            a->ch.table = optarg;
            break;
        case 't':
        case 'T':
            if (ft_getdate(optarg, time(NULL), c == 't' ? &a->ch.start : &a->ch.end, &err) < 0)
                ft_die("-%c: %s", c, err.msg);
            *(c == 't' ? &a->ch.have_start : &a->ch.have_end) = 1;
            break;
        case 'f':
            a->format = ft_rformat_parse(optarg);
            /* binary is the configuration's only, and refused when run */
            if (a->format < 0 || a->format == FT_RFMT_BINARY)
                ft_die("unknown format \"%s\" (ascii, json or csv)", optarg);
            break;
        case 'h':
            a->help++;
            break;
        case 'K':
            a->max_keys = (size_t)ft_opt_long(optarg, 1, LONG_MAX, "key limit");
            break;
        case 's':
            a->stat_file = optarg;
            break;
        case 'S':
            a->definition = optarg;
            break;
        case 'v':
            if (ft_vars_set(&a->vars, optarg, &err) < 0)
                ft_die("%s", err.msg);
            break;
        default:
            usage();
            exit(1);
        }
    }
    ft_opt_no_extra(argc, argv);
    if (!a->clickhouse && (a->ch.have_start || a->ch.have_end || a->ch.nexporter))
        ft_die("-t, -T and -E go with -c");
    if (a->help) {
        usage();
        if (a->help > 1)
            list_types();
        exit(0);
    }
}

static void warn_cb(void *ctx, const char *msg)
{
    (void)ctx;
    ft_warn("%s", msg);
}

/* Every flow of r into the reports; 0, or 1 after saying why. */
static int run_reports(struct ft_reader *r, struct ft_report *rp, struct ft_out *out)
{
    struct ft_err err;
    const struct ft_flow *flows;
    ssize_t n;
    ft_reader_decode_in_caller(r);     /* zlib: the reading thread only inflates */
    ft_reader_read_ahead(r, NULL);
    while ((n = ft_reader_flows(r, &flows, FT_READ_BATCH)) > 0)
        if (ft_report_flows(rp, flows, (size_t)n, out, &err) < 0) {
            ft_warn("%s", err.msg);
            return 1;
        }
    if (n < 0) {
        ft_warn("%s", ft_reader_error(r));
        return 1;
    }
    if (ft_report_finish(rp, out, &err) < 0) {
        ft_warn("%s", err.msg);
        return 1;
    }
    return 0;
}

/* -c: the reports from a ClickHouse table. */
static int run_clickhouse(struct args *a, struct ft_report *rp, struct ft_rcfg *cfg)
{
    struct ft_out out;
    ft_stdout_text(&out);
    if (!a->ch.table)
        a->ch.table = "flows";
    int rc = ch_run_reports(rp, &a->ch, &out);
    ft_out_flush(&out);
    if (out.error) {
        ft_warn("write error");
        rc = 1;
    }
    ft_out_free(&out);
    ft_report_free(rp);
    ft_rcfg_free(cfg);
    ft_vars_free(&a->vars);
    return rc;
}

int main(int argc, char **argv)
{
    struct args a = { .stat_file = FT_DEFAULT_STAT_FILE, .definition = "default" };
    ft_progname = PROG;
    /* a `path |command` that exits early is reported, and the other reports
     * are still written: its broken pipe must not kill us */
    signal(SIGPIPE, SIG_IGN);
    parse_args(argc, argv, &a);

    struct ft_err err;
    struct ft_rcfg *cfg = ft_rcfg_load(a.stat_file, &a.vars, &err);
    if (!cfg)
        ft_die("%s", err.msg);
    struct ft_report_opts o = {
        .vars = &a.vars, .filter_file = FT_DEFAULT_FILTER_FILE,
        .tag_file = FT_DEFAULT_TAG_FILE, .mask_file = FT_SYSCONFDIR "/cfg/mask.cfg", .symdir = ft_prog_symdir(),
        .version = "flow-tools 0.68.5", .warn = warn_cb, .max_keys = a.max_keys,
        .format = a.format,
    };
    struct ft_report *rp = ft_report_open(cfg, a.definition, &o, &err);
    if (!rp)
        ft_die("%s", err.msg);

    if (a.clickhouse)
        return run_clickhouse(&a, rp, cfg);
    struct ft_reader *r = ft_stdin_reader();
    uint64_t need = ft_report_needs(rp);
    if ((ft_reader_format(r)->mask & need) != need)
        ft_die("Report definition references a field not in flow.");
    ft_report_set_header(rp, ft_reader_header(r));
    ft_reader_want(r, ft_report_reads(rp));     /* column blocks: only these columns */

    struct ft_out out;
    ft_stdout_text(&out);
    int rc = run_reports(r, rp, &out);
    ft_out_flush(&out);
    if (out.error) {
        ft_warn("write error");
        rc = 1;
    }
    if (ft_report_incomplete(rp))
        ft_warn("%zu report(s) hit the key limit and are incomplete",
                ft_report_incomplete(rp));
    ft_out_free(&out);
    ft_report_free(rp);
    ft_reader_close(r);
    ft_rcfg_free(cfg);
    ft_vars_free(&a.vars);
    return rc;
}
