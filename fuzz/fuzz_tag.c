/* The tag language (lang/ft_tag*.c), then every definition found applied
 * to a few flows. */
#include "fuzz.h"
#include "lang/ft_tag.h"

struct eval {
    struct ft_tag *t;
    struct ft_flow flows[8];
};

static void eval_def(void *ctx, const char *name)
{
    struct eval *e = ctx;
    const struct ft_tag_def *d = ft_tag_find(e->t, name);
    if (d)
        ft_tag_apply(d, e->flows, 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ft_tag_opts o = {.resolver = fz_no_dns()};
    struct ft_err err;
    struct eval e;
    e.t = ft_tag_parse((const char *)data, size, "fuzz", &o, &err);
    if (!e.t)
        return 0;
    char *text = fz_text(data, size);
    fz_flows(e.flows, 8, data, size);
    fz_each_name(text, "tag-definition", eval_def, &e);
    free(text);
    ft_tag_free(e.t);
    return 0;
}
