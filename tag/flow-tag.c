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

/* -t FILE -T DEFINITION; -T has no default (tools.md section 10). */
static const struct ft_rewrite_tool tag = {'t', 'T', "tag_file", FT_DEFAULT_TAG_FILE, NULL};

static void tag_batch(void *ctx, struct ft_flow *flows, size_t n)
{
    ft_tag_apply(ctx, flows, n);
}

int main(int argc, char **argv)
{
    struct ft_rewrite_opts o;
    struct ft_tag *tags;
    uint64_t flows = 0;
    ft_progname = "flow-tag";
    ft_rewrite_options(argc, argv, &tag, &o);
    clock_t started = clock();

    struct ft_reader *r = ft_stdin_reader();
    uint64_t v5_fields = ft_format_find(5, 0)->mask;
    if ((ft_reader_format(r)->mask & v5_fields) != v5_fields)
        ft_die("Flow record missing required field for tagging.");
    const struct ft_tag_def *d = ft_opt_tag_def(o.file, o.definition, &o.vars, &tags);

    const struct ft_format *in = ft_reader_format(r);
    const struct ft_format *out = in->d_version == FT_DV_EXTENDED ? in : ft_format_find(1005, 0);
    struct ft_writer *w = ft_rewrite_open(&o, out);
    /* Fields of the input format that v1005 has no room for (v6
     * encapsulation, v7 shortcut router) are dropped on purpose, as
     * flow-tools' conversion does; anything else that does not fit is
     * counted by the writer and reported. */
    int status = ft_rewrite_copy(r, w, ft_rewrite_dropped(in, out), tag_batch, (void *)d,
                                 &flows);
    if (ft_rewrite_close(w))
        status = 1;
    if (o.debug > 0)
        fprintf(stderr, "flow-tag: %llu flows tagged in %.3f s\n",
                (unsigned long long)flows, (double)(clock() - started) / CLOCKS_PER_SEC);
    ft_reader_close(r);
    ft_tag_free(tags);
    ft_rewrite_free(&o);
    return status;
}
