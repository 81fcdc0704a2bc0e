/* The filter language (lang/ft_filter*.c, ft_trie.c, core/ft_getdate.c),
 * then every definition found evaluated over a few flows. */
#include "fuzz.h"
#include "lang/ft_filter.h"

struct eval {
    struct ft_filter *f;
    struct ft_flow flows[8];
};

static void eval_def(void *ctx, const char *name)
{
    struct eval *e = ctx;
    struct ft_filter_def *d = ft_filter_find(e->f, name);
    if (!d)
        return;
    uint8_t keep[8];
    ft_filter_batch(d, e->flows, 8, keep);
    (void)ft_filter_def_fields(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ft_filter_opts o = {.symdir = FZ_SYMDIR, .now = 1700000000, .seed = 1,
                               .resolver = fz_no_dns()};
    struct ft_err err;
    struct eval e;
    e.f = ft_filter_parse((const char *)data, size, "fuzz", &o, &err);
    if (!e.f)
        return 0;
    char *text = fz_text(data, size);
    fz_flows(e.flows, 8, data, size);
    fz_each_name(text, "filter-definition", eval_def, &e);
    free(text);
    ft_filter_free(e.f);
    return 0;
}
