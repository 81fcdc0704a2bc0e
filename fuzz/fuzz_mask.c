/* The mask language (lang/ft_mask.c), then every definition found applied
 * to a few flows. */
#include "fuzz.h"
#include "lang/ft_mask.h"

struct eval {
    struct ft_mask *m;
    struct ft_flow flows[8];
};

static void eval_def(void *ctx, const char *name)
{
    struct eval *e = ctx;
    const struct ft_mask_def *d = ft_mask_find(e->m, name);
    if (d)
        ft_mask_apply(d, e->flows, 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ft_err err;
    struct eval e;
    e.m = ft_mask_parse_r((const char *)data, size, "fuzz", NULL, fz_no_dns(), &err);
    if (!e.m)
        return 0;
    char *text = fz_text(data, size);
    fz_flows(e.flows, 8, data, size);
    fz_each_name(text, "mask-definition", eval_def, &e);
    free(text);
    ft_mask_free(e.m);
    return 0;
}
