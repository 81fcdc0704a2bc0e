/*
 * flow-xlate - change the contents of flows (the xlate language of
 * lib/lang/ft_xlate.h) and/or translate them to another export format.
 *
 * Reads one stream on standard input and writes one on standard output.
 * The definition is applied to the flows as read, then the flows are
 * written in the format of -V (flow-tools' order).  Fields the output
 * format has no room for are dropped on purpose; anything else that does
 * not fit (an IPv6 address or a 64-bit counter in a flow-tools format) is
 * counted by the writer and reported.
 */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "lang/ft_xlate.h"
#include "stream/ft_stream.h"
#include "ft_prog.h"
#include "ft_rewrite.h"

#define DEFAULT_FILTER_FILE FT_SYSCONFDIR "/cfg/filter.cfg"

/* -x FILE -X DEFINITION, -n, -V (tools.md section 11). */
static const struct ft_rewrite_tool xlate = {
    'x', 'X', "xlate_file", FT_SYSCONFDIR "/cfg/xlate.cfg", "default"
};

struct cli {
    int no_config;                  /* -n */
    const struct ft_format *to;     /* -V, or NULL */
};

static void xlate_option(void *ctx, int c, const char *arg)
{
    struct cli *cli = ctx;
    if (c == 'n') {
        cli->no_config = 1;
    } else if (c == 'V') {
        if (!(cli->to = ft_format_parse(arg)))
            ft_die("Version scan failed: unsupported export version \"%s\"", arg);
    }
}

static void print_warning(void *ctx, const char *msg)
{
    (void)ctx;
    ft_warn("%s", msg);
}

static struct ft_xlate_def *load_def(const struct ft_rewrite_opts *o, struct ft_xlate **x)
{
    struct ft_xlate_opts xo = {.vars = &o->vars, .symdir = ft_prog_symdir(),
                               .filter_file = DEFAULT_FILTER_FILE, .warn = print_warning};
    struct ft_err err;
    if (!(*x = ft_xlate_load(o->file, &xo, &err)))
        ft_die("%s", err.msg);
    struct ft_xlate_def *d = ft_xlate_find(*x, o->definition);
    if (!d)
        ft_die("ftxlate_def_find(): failed: no xlate-definition \"%s\" in %s", o->definition,
               o->file);
    return d;
}

/* The definition applied to a batch at the time it is read (key refreshes). */
static void xlate_batch(void *ctx, struct ft_flow *flows, size_t n)
{
    ft_xlate_apply(ctx, flows, n, time(NULL));
}

int main(int argc, char **argv)
{
    struct ft_rewrite_opts o;
    struct cli cli = {0, NULL};
    struct ft_xlate *x = NULL;
    struct ft_xlate_def *d = NULL;
    uint64_t flows = 0;
    ft_progname = "flow-xlate";
    struct ft_rewrite_more more = {"nV:", "n", "[-V version]", xlate_option, &cli};
    ft_rewrite_options_more(argc, argv, &xlate, &more, &o);

    if (!cli.no_config)
        d = load_def(&o, &x);
    struct ft_reader *r = ft_stdin_reader();
    const struct ft_format *in = ft_reader_format(r);
    if (d && (ft_xlate_def_fields(d) & ~in->mask))
        ft_die("Xlate references a field not in flow.");

    const struct ft_format *out = cli.to ? cli.to : in;
    struct ft_writer *w = ft_rewrite_open(&o, out);
    /* what -V leaves out is left out on purpose, not a loss */
    int status = ft_rewrite_copy(r, w, ft_rewrite_dropped(in, out), d ? xlate_batch : NULL, d,
                                 &flows);
    if (ft_rewrite_close(w))
        status = 1;
    if (o.debug > 0)
        ft_warn("%" PRIu64 " flows translated", flows);
    ft_reader_close(r);
    ft_xlate_free(x);
    ft_rewrite_free(&o);
    return status;
}
