/*
 * flow-tag - add source and destination tags to a flow stream.
 *
 * Reads one stream on standard input, applies a definition of the tag
 * language (lib/ft_tag.h) and writes the flows as format v1005 on standard
 * output.  Records of other formats are converted to v1005 with tags 0;
 * v1005 records keep their tags, which the definition then modifies.
 * ftkit's extended format stays extended (it has tags too, and v1005 would
 * lose its IPv6 addresses and 32-bit fields).
 */
#include <stdio.h>
#include <time.h>

#include "stream/ft_stream.h"
#include "lang/ft_tag.h"
#include "ft_prog.h"
#include "ft_rewrite.h"

#define BATCH 4096              /* flows per read */

/* -t FILE -T DEFINITION; -T has no default (tools.md section 10). */
static const struct ft_rewrite_tool tag = {'t', 'T', "tag_file", FT_DEFAULT_TAG_FILE, NULL};

struct totals {
    uint64_t flows;
    int damaged;
};

/* Copy every flow of r to w, tagged.  Fields of the input format that v1005
 * has no room for (v6 encapsulation, v7 shortcut router) are dropped on
 * purpose, as flow-tools' conversion does; anything else that does not fit
 * is counted by the writer. */
static void tag_stream(struct ft_reader *r, struct ft_writer *w, const struct ft_tag_def *d,
                       struct totals *t)
{
    static struct ft_flow flows[BATCH];
    const struct ft_format *in = ft_reader_format(r), *out = ft_writer_format(w);
    uint64_t dropped = in->d_version == FT_DV_EXTENDED ? 0 : in->mask & ~out->mask;
    ssize_t n;
    while ((n = ft_reader_read(r, flows, BATCH)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            flows[i].has &= ~dropped;
        ft_tag_apply(d, flows, (size_t)n);
        if (ft_writer_write(w, flows, (size_t)n) < 0)
            ft_die("%s", ft_writer_error(w));
        t->flows += (uint64_t)n;
    }
    if (n < 0) {
        ft_warn("%s", ft_reader_error(r));
        t->damaged = 1;
    }
}

static void report_losses(struct ft_writer *w, const struct totals *t)
{
    uint64_t lossy = ft_writer_losses(w);
    if (lossy)
        ft_warn("%llu of %llu flows lost information in the conversion to v1005",
                (unsigned long long)lossy, (unsigned long long)t->flows);
}

int main(int argc, char **argv)
{
    struct ft_rewrite_opts o;
    struct ft_tag *tags;
    struct totals t = {0, 0};
    ft_progname = "flow-tag";
    ft_rewrite_options(argc, argv, &tag, &o);
    clock_t started = clock();

    struct ft_reader *r = ft_stdin_reader();
    uint64_t v5_fields = ft_format_find(5, 0)->mask;
    if ((ft_reader_format(r)->mask & v5_fields) != v5_fields)
        ft_die("Flow record missing required field for tagging.");
    const struct ft_tag_def *d = ft_opt_tag_def(o.file, o.definition, &o.vars, &tags);

    const struct ft_format *in = ft_reader_format(r);
    struct ft_writer *w = ft_rewrite_open(&o, in->d_version == FT_DV_EXTENDED ? in
                                                                      : ft_format_find(1005, 0));
    tag_stream(r, w, d, &t);
    report_losses(w, &t);
    int status = ft_rewrite_close(w) || t.damaged;
    if (o.debug > 0)
        fprintf(stderr, "flow-tag: %llu flows tagged in %.3f s\n",
                (unsigned long long)t.flows, (double)(clock() - started) / CLOCKS_PER_SEC);
    ft_reader_close(r);
    ft_tag_free(tags);
    ft_rewrite_free(&o);
    return status;
}
