/*
 * flow-mask - set the source and destination prefix lengths of flows from
 * a mask definition (lib/lang/ft_mask.h): the longest prefix of the
 * definition containing the address gives the new length.
 *
 * Reads one stream on standard input and writes the same format on
 * standard output.  A format without a side's address or mask (v1, some v8
 * aggregations) leaves that side alone, as flow-tools does.
 */
#include <inttypes.h>
#include <stdio.h>

#include "lang/ft_mask.h"
#include "stream/ft_stream.h"
#include "ft_prog.h"
#include "ft_rewrite.h"

#define BATCH 4096              /* flows per read */

/* -m FILE -M DEFINITION (tools.md section 12). */
static const struct ft_rewrite_tool mask = {
    'm', 'M', "mask_file", FT_SYSCONFDIR "/cfg/mask.cfg", "default"
};

static const struct ft_mask_def *load_def(const struct ft_rewrite_opts *o, struct ft_mask **m)
{
    struct ft_err err;
    if (!(*m = ft_mask_load(o->file, &o->vars, &err)))
        ft_die("%s", err.msg);
    const struct ft_mask_def *d = ft_mask_find(*m, o->definition);
    if (!d)
        ft_die("ftmask_def_find(): failed: no mask-definition \"%s\" in %s", o->definition,
               o->file);
    return d;
}

/* Copy r to w with the masks set; 0, -1 for damaged input, -2 when writing
 * failed. */
static int mask_stream(struct ft_reader *r, struct ft_writer *w, const struct ft_mask_def *d,
                       uint64_t *flows_seen)
{
    static struct ft_flow flows[BATCH];
    uint64_t fields = ft_reader_format(r)->mask;
    ssize_t n;
    while ((n = ft_reader_read(r, flows, BATCH)) > 0) {
        ft_mask_apply_fields(d, fields, flows, (size_t)n);
        if (ft_writer_write(w, flows, (size_t)n) < 0)
            return -2;
        *flows_seen += (uint64_t)n;
    }
    return (int)n;
}

int main(int argc, char **argv)
{
    struct ft_rewrite_opts o;
    struct ft_mask *m;
    uint64_t flows = 0;
    ft_progname = "flow-mask";
    ft_rewrite_options(argc, argv, &mask, &o);

    const struct ft_mask_def *d = load_def(&o, &m);
    struct ft_reader *r = ft_stdin_reader();
    struct ft_writer *w = ft_rewrite_open(&o, ft_reader_format(r));
    int rc = mask_stream(r, w, d, &flows), status = 0;
    if (rc == -1) {             /* damaged input: what came before it is written */
        ft_warn("%s", ft_reader_error(r));
        status = 1;
    } else if (rc == -2) {
        ft_warn("%s", ft_writer_error(w));
        status = 1;
    }
    if (ft_rewrite_close(w))
        status = 1;
    if (o.debug > 0)
        ft_warn("%" PRIu64 " flows masked", flows);
    ft_reader_close(r);
    ft_mask_free(m);
    ft_rewrite_free(&o);
    return status;
}
