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

struct masking {
    const struct ft_mask_def *def;
    uint64_t fields;            /* the input format's: sides it lacks stay */
};

static void mask_batch(void *ctx, struct ft_flow *flows, size_t n)
{
    const struct masking *m = ctx;
    ft_mask_apply_fields(m->def, m->fields, flows, n);
}

int main(int argc, char **argv)
{
    struct ft_rewrite_opts o;
    struct ft_mask *m;
    uint64_t flows = 0;
    ft_progname = "flow-mask";
    ft_rewrite_options(argc, argv, &mask, &o);

    struct masking mk = {load_def(&o, &m), 0};
    struct ft_reader *r = ft_stdin_reader();
    mk.fields = ft_reader_format(r)->mask;
    struct ft_writer *w = ft_rewrite_open(&o, ft_reader_format(r));
    int status = ft_rewrite_copy(r, w, 0, mask_batch, &mk, &flows);
    if (ft_rewrite_close(w))
        status = 1;
    if (o.debug > 0)
        ft_warn("%" PRIu64 " flows masked", flows);
    ft_reader_close(r);
    ft_mask_free(m);
    ft_rewrite_free(&o);
    return status;
}
