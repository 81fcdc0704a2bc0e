/*
 * flow-nfilter - keep the flows a filter definition permits.
 *
 * Reads one stream on standard input, writes one on standard output: the
 * records are judged decoded (lang/ft_filter.h) and the kept ones copied
 * as they were stored (prog/ft_rewrite.h).
 */
#include <inttypes.h>
#include <stdio.h>

#include "lang/ft_filter.h"
#include "stream/ft_stream.h"
#include "ft_prog.h"
#include "ft_rewrite.h"

#ifndef FT_SYSCONFDIR
#define FT_SYSCONFDIR "/usr/local/etc"
#endif

/* -f FILE -F DEFINITION (tools.md section 9). */
static const struct ft_rewrite_tool nfilter = {
    'f', 'F', "filter_file", FT_SYSCONFDIR "/cfg/filter.cfg", "default"
};

static void print_warning(void *ctx, const char *msg)
{
    (void)ctx;
    ft_warn("%s", msg);
}

static size_t judge(void *def, const struct ft_flow *flows, size_t n, uint8_t *keep)
{
    return ft_filter_batch(def, flows, n, keep);
}

static struct ft_filter *load_filter(const struct ft_rewrite_opts *o)
{
    struct ft_filter_opts fo = {.vars = &o->vars, .symdir = ft_prog_symdir(),
                                .warn = print_warning};
    struct ft_err err;
    struct ft_filter *f = ft_filter_load(o->file, &fo, &err);
    if (!f)
        ft_die("%s", err.msg);
    return f;
}

int main(int argc, char **argv)
{
    struct ft_rewrite_opts o;
    struct ft_rewrite_counts c = {0, 0};
    ft_progname = "flow-nfilter";
    ft_rewrite_options(argc, argv, &nfilter, &o);

    struct ft_filter *filter = load_filter(&o);
    struct ft_reader *r = ft_stdin_reader();
    struct ft_filter_def *def = ft_filter_find(filter, o.definition);
    if (!def)
        ft_die("ftfil_def_find(): failed: no filter definition \"%s\" in %s",
               o.definition, o.file);
    const struct ft_format *fmt = ft_reader_format(r);
    if (ft_filter_def_fields(def) & ~fmt->mask)
        ft_die("Filter references a field not in flow.");

    struct ft_writer *w = ft_rewrite_open(&o, fmt);
    int status = ft_rewrite_filter(r, w, judge, def, &c);
    if (ft_rewrite_close(w))
        status = 1;
    if (o.debug > 0)
        ft_warn("%" PRIu64 " flows read, %" PRIu64 " kept", c.read, c.kept);
    ft_reader_close(r);
    ft_filter_free(filter);
    ft_rewrite_free(&o);
    return status;
}
